"""The production web process (``greenroom serve``): Starlette under uvicorn.

Routes: ``POST /slack/events`` (slash commands, interactivity, options, events), the OAuth
install pair ``/slack/install`` + ``/slack/oauth_redirect`` (multi-workspace mode),
``/healthz`` (the process is up), ``/readyz`` (the database answers), ``/metrics``
(Prometheus; who may read it: bot/web/metrics_access.py) and the built TechDocs sites,
``/docs/<namespace>/<kind>/<name>/...``. Bolt's ``App.dispatch`` blocks, so it runs in
Starlette's thread pool and never on the event loop.

Every body is bounded before it is read (bot/web/body_limit.py); signatures are checked on the
raw bytes before anything is parsed; payloads are parsed by their structure
(bot/web/slack_request.py) and refused unless they have Slack's shape (bot/web/slack_payloads.py).
With an answer pool (``greenroom serve``), commands, events and button clicks are acked
here and answered in the pool's processes (bot/web/answer_pool.py), so no ack waits behind an
answer.

Capabilities add routes and ASGI middleware (TechDocs serves ``/docs/...``) in their
``register(setup)`` (``setup.routes``, ``setup.middleware``); tests add ``extra_routes``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import assemble
from bot.capabilities import CAPABILITIES
from bot.web.answer_pool import AnswerPool, acked_by_web, default_processes
from bot.web.body_limit import BodyLimit
from bot.web.metrics_access import metrics_routes
from bot.web.slack_payloads import payload_problem
from bot.web.slack_request import SlackRequest
from commands import Capability
from runtime.logs import log_as
from runtime.process import Runtime, open_runtime
from slackkit.incoming import RECEIVED
from slackkit.metrics import Metrics

__all__ = [
    "MAX_BODY_BYTES",
    "answer_pool_for",
    "create_web_app",
    "web_app_from_environment",
]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
_SIGNATURE_MAX_AGE = 60 * 5  # slack_sdk's SignatureVerifier refuses older timestamps too


def create_web_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    capabilities: Sequence[Capability] = CAPABILITIES,
    metrics: Metrics | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    answer_pool: AnswerPool | None = None,
) -> Starlette:
    """The Starlette app for ``runtime``: the Bolt app (see ``assemble`` for ``client`` and
    ``capabilities``) behind the routes above, the capabilities' routes, and ``extra_routes``.
    With ``answer_pool`` the requests it can take are answered there (started with the app,
    stopped after it)."""
    slack = runtime.settings.slack
    metrics = metrics or Metrics()
    executor = ThreadPoolExecutor(slack.listener_threads, thread_name_prefix="greenroom-listener")
    app, setup = assemble(
        runtime, client=client, executor=executor, metrics=metrics, capabilities=capabilities
    )
    assert slack.signing_secret is not None
    verifier = SignatureVerifier(slack.signing_secret.get_secret_value())

    async def events(request: Request) -> Response:
        started = time.monotonic()
        if not _fresh(verifier, request):  # refused before its body is read
            return _rejected(metrics, "unsigned", 401)
        body = await request.body()  # at most MAX_BODY_BYTES: see BodyLimit
        if not _signed(verifier, body, request):
            return _rejected(metrics, "unsigned", 401)
        try:
            bolt_request = SlackRequest(
                body=body.decode(),
                headers=request.headers,
                context={RECEIVED: started},
                query=request.url.query,
            )
        except Exception as error:  # a signed body that is not Slack's shape
            log.info("malformed Slack request: %s", type(error).__name__)
            return _rejected(metrics, "malformed", 400)
        payload = bolt_request.body
        if problem := payload_problem(payload):
            log.info("malformed Slack request: %s", problem)
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
        bolt_request = SlackRequest(
            body=(await request.body()).decode(errors="replace"),
            headers=request.headers,
            query=request.url.query,
        )
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
        *metrics_routes(metrics, runtime.settings.web),
    ]
    for route_factory in setup.routes:
        routes.extend(route_factory(runtime))
    routes.extend(extra_routes)
    # Bodies are bounded first, whichever host (app or docs-only) the request is for.
    middleware = [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)]
    middleware += [m for factory in setup.middleware for m in factory(runtime)]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


def web_app_from_environment() -> Starlette:
    """uvicorn's app factory for ``--workers N``: settings from GREENROOM_CONFIG and the env."""
    runtime = open_runtime(None)
    log_as("web", runtime.settings)
    return create_web_app(runtime, answer_pool=answer_pool_for(runtime))


def answer_pool_for(
    runtime: Runtime, capabilities: Sequence[Capability] = CAPABILITIES
) -> AnswerPool | None:
    """The answer pool ``slack.answer_processes`` asks for (None for 0: answer in-process)."""
    processes = runtime.settings.slack.answer_processes
    if processes == 0:
        return None
    return AnswerPool(runtime.settings, processes or default_processes(), capabilities)


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


def _fresh(verifier: SignatureVerifier, request: Request) -> bool:
    """Whether the request carries a signature and a timestamp Slack could have sent now."""
    if not request.headers.get("x-slack-signature"):
        return False
    try:
        stamp = int(request.headers.get("x-slack-request-timestamp", ""))
    except ValueError:
        return False
    return abs(verifier.clock.now() - stamp) <= _SIGNATURE_MAX_AGE


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
