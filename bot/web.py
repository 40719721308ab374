"""The production web process (``greenroom serve``): Starlette under uvicorn.

Routes: ``POST /slack/events`` (slash commands, interactivity, options, events), the OAuth
install pair ``/slack/install`` + ``/slack/oauth_redirect`` (multi-workspace mode),
``/healthz`` (the process is up), ``/readyz`` (the database answers), ``/metrics``
(Prometheus) and the built TechDocs sites, ``/docs/<namespace>/<kind>/<name>/...``. Bolt's
``App.dispatch`` blocks, so it runs in Starlette's thread pool and never on the event loop.
Signatures are checked on the raw bytes before anything is parsed. With an answer pool
(``greenroom serve``), commands, events and button clicks are acked here and answered in the
pool's processes (bot/answer_pool.py), so no ack waits behind an answer.

Other capabilities add routes (TechDocs serves ``/docs/...``) by appending a function
``(Runtime) -> list[BaseRoute]`` to :data:`WEB_FEATURES`, or per app with ``extra_routes``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.answer_pool import AnswerPool, acked_by_web, default_processes
from bot.app import create_app
from bot.docs.web import docs_middleware, docs_routes
from bot.features import FEATURES, Feature
from bot.listeners import RECEIVED
from bot.metrics import Metrics
from bot.runtime import Runtime, open_runtime

__all__ = [
    "MAX_BODY_BYTES",
    "WEB_FEATURES",
    "answer_pool_for",
    "create_web_app",
    "web_app_from_environment",
]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
#: Functions adding routes to the web process, e.g. TechDocs' ``/docs/...``.
WEB_FEATURES: tuple[Callable[[Runtime], Sequence[BaseRoute]], ...] = (docs_routes,)


def create_web_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    features: Sequence[Feature] = FEATURES,
    metrics: Metrics | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    answer_pool: AnswerPool | None = None,
) -> Starlette:
    """The Starlette app for ``runtime``: the Bolt app (see ``create_app`` for ``client`` and
    ``features``) behind the routes above, plus ``extra_routes``. With ``answer_pool`` the
    requests it can take are answered there (started with the app, stopped after it)."""
    slack = runtime.settings.slack
    metrics = metrics or Metrics()
    executor = ThreadPoolExecutor(slack.listener_threads, thread_name_prefix="greenroom-listener")
    app = create_app(runtime, client=client, executor=executor, metrics=metrics, features=features)
    assert slack.signing_secret is not None
    verifier = SignatureVerifier(slack.signing_secret.get_secret_value())

    async def events(request: Request) -> Response:
        started = time.monotonic()
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _rejected(metrics, "too_large", 413)
        if not _signed(verifier, body, request):
            return _rejected(metrics, "unsigned", 401)
        try:
            bolt_request = to_bolt_request(request, body, {RECEIVED: started})
            payload = bolt_request.body
        except Exception as error:  # Bolt's parser on a signed body that is not Slack's shape
            log.info("malformed Slack request: %s", type(error).__name__)
            return _rejected(metrics, "malformed", 400)
        if not isinstance(payload, dict):
            return _rejected(metrics, "malformed", 400)
        kind = request_kind(payload)
        if answer_pool is not None and acked_by_web(payload, slack.command):
            await answer_pool.submit(bolt_request.raw_body, bolt_request.headers, started)
            response = Response(status_code=200)
        else:
            response = await _dispatch(app, bolt_request, kind)
        metrics.requests.labels(kind, str(response.status_code)).inc()
        metrics.ack_seconds.labels(kind).observe(time.monotonic() - started)
        return response

    async def oauth(request: Request) -> Response:
        flow = app.oauth_flow
        if flow is None:
            return PlainTextResponse("This app is installed with a bot token.", status_code=404)
        bolt_request = to_bolt_request(request, await request.body())
        handle = (
            flow.handle_installation
            if request.url.path == flow.install_path
            else flow.handle_callback
        )
        return to_starlette_response(await run_in_threadpool(handle, bolt_request))

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        try:
            with anyio.fail_after(3):
                await run_in_threadpool(_ping, runtime)
        except Exception as error:
            log.warning("readiness check failed: %s", type(error).__name__)
            return JSONResponse({"database": "unreachable"}, status_code=503)
        return JSONResponse({"database": "ok"})

    async def metrics_page(request: Request) -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if answer_pool is not None:
            await run_in_threadpool(answer_pool.warm)
        yield
        # Let answers already under way reach Slack before the process exits.
        if answer_pool is not None:
            await run_in_threadpool(answer_pool.shutdown)
        await run_in_threadpool(executor.shutdown, True)

    routes: list[BaseRoute] = [
        Route("/slack/events", events, methods=["POST"]),
        Route("/slack/install", oauth, methods=["GET"]),
        Route("/slack/oauth_redirect", oauth, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    for feature in WEB_FEATURES:
        routes.extend(feature(runtime))
    routes.extend(extra_routes)
    return Starlette(routes=routes, lifespan=lifespan, middleware=docs_middleware(runtime))


def web_app_from_environment() -> Starlette:
    """uvicorn's app factory for ``--workers N``: settings from GREENROOM_CONFIG and the env."""
    runtime = open_runtime(None)
    return create_web_app(runtime, answer_pool=answer_pool_for(runtime))


def answer_pool_for(runtime: Runtime, features: Sequence[Feature] = FEATURES) -> AnswerPool | None:
    """The answer pool ``slack.answer_processes`` asks for (None for 0: answer in-process)."""
    processes = runtime.settings.slack.answer_processes
    if processes == 0:
        return None
    return AnswerPool(runtime.settings, processes or default_processes(), features)


async def _dispatch(app: App, request: BoltRequest, kind: str) -> Response:
    try:
        return to_starlette_response(await run_in_threadpool(app.dispatch, request))
    except Exception:
        log.exception("Dispatching a %s request failed", kind)
        return PlainTextResponse("error", status_code=500)


def request_kind(payload: dict[str, Any]) -> str:
    """What a Slack request is, for metrics: command, action, view, options, event, ..."""
    if "command" in payload:
        return "command"
    kind = str(payload.get("type") or ("ssl_check" if "ssl_check" in payload else "other"))
    return {
        "event_callback": "event",
        "block_actions": "action",
        "interactive_message": "action",
        "view_submission": "view",
        "view_closed": "view",
        "block_suggestion": "options",
        "shortcut": "shortcut",
        "message_action": "shortcut",
        "url_verification": "url_verification",
        "ssl_check": "ssl_check",
    }.get(kind, "other")


def _signed(verifier: SignatureVerifier, body: bytes, request: Request) -> bool:
    try:
        return verifier.is_valid_request(body, dict(request.headers))
    except (ValueError, TypeError):
        return False


def _rejected(metrics: Metrics, reason: str, status: int) -> Response:
    metrics.requests.labels(reason, str(status)).inc()
    return PlainTextResponse(reason.replace("_", " "), status_code=status)


def _ping(runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
