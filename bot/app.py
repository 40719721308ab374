"""The Bolt app: single-workspace (bot token) or multi-workspace (OAuth install), with every
capability of ``bot/capabilities.py`` registered.

Listeners ack first and answer on a listener pool (``slack.listener_threads``) through lazy
listeners; the app runs with ``process_before_response=True`` so the ack of a request never
waits for that pool, only for the ack function itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.capabilities import CAPABILITIES, site_capabilities
from bot.listeners import register_listeners
from bot.manifest import BOT_SCOPES
from bot.request_log import assign_request_id
from catalog.database import writer
from commands import Capability, Setup, SlackSetup
from jobs import JobRegistry
from runtime.process import Runtime
from slackkit.deliveries import DeliveryLog
from slackkit.deps import Deps
from slackkit.home import HomeRegistry
from slackkit.metrics import Metrics
from slackkit.router import SubcommandRouter
from slackkit.slack_client import build_client
from slackkit.users import UserResolver

__all__ = ["assemble", "build_deps", "create_app"]


def build_deps(runtime: Runtime, *, metrics: Metrics | None = None) -> Deps:
    """The shared parts every capability registers with."""
    settings = runtime.settings
    return Deps(
        settings=settings,
        engine=runtime.engine,
        catalog=runtime.catalog,
        users=UserResolver(
            runtime.engine,
            runtime.catalog,
            ttl=timedelta(minutes=settings.slack.user_cache_minutes),
        ),
        router=SubcommandRouter(),
        home=HomeRegistry(),
        deliveries=DeliveryLog(runtime.engine),
        metrics=metrics or Metrics(),
        runtime=runtime,
    )


def create_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    executor: Executor | None = None,
    metrics: Metrics | None = None,
    capabilities: Sequence[Capability] = CAPABILITIES,
    socket_mode: bool = False,
    verified: bool = False,
) -> App:
    """The Bolt app for ``runtime``'s settings; ConfigError when Slack settings are missing."""
    app, _ = assemble(
        runtime,
        client=client,
        executor=executor,
        metrics=metrics,
        capabilities=capabilities,
        socket_mode=socket_mode,
        verified=verified,
    )
    return app


def assemble(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    executor: Executor | None = None,
    metrics: Metrics | None = None,
    capabilities: Sequence[Capability] = CAPABILITIES,
    socket_mode: bool = False,
    verified: bool = False,
) -> tuple[App, Setup]:
    """The Bolt app with every capability registered, and what they registered besides.

    ``client`` replaces the Web API client (the console passes one for its loopback API),
    ``executor`` the listener pool (whoever passes one may wait for it to drain), ``metrics``
    the Prometheus metrics the web layer also serves, ``capabilities`` what to register (the
    site's own, ``worker.job_modules``, are added).
    With ``socket_mode`` no signing secret is needed (Socket Mode requests are not signed);
    ``verified`` requests had their signature checked before they got here (bot/web/answer_pool.py).
    """
    slack = runtime.settings.slack
    slack.require(socket_mode=socket_mode)
    deps = build_deps(runtime, metrics=metrics)
    secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
    common: dict[str, Any] = {
        "name": slack.app_name,
        "signing_secret": secret,
        "request_verification_enabled": not (socket_mode or verified),
        "process_before_response": True,
        "listener_executor": executor
        or ThreadPoolExecutor(slack.listener_threads, thread_name_prefix="greenroom-listener"),
    }
    if slack.mode == "oauth":
        client = client or build_client(slack, token=None)
        app = App(client=client, oauth_settings=_oauth(runtime), **common)
    else:
        # The client carries the bot token; auth.test waits for the first request.
        assert slack.bot_token is not None
        client = client or build_client(slack, token=slack.bot_token.get_secret_value())
        app = App(client=client, token_verification_enabled=False, **common)
    app.use(assign_request_id)
    register_listeners(app, deps)
    setup = Setup(jobs=JobRegistry(), slack=SlackSetup(app, deps))
    for capability in (*capabilities, *site_capabilities(runtime.settings)):
        capability(setup)
    return app, setup


def _oauth(runtime: Runtime) -> OAuthSettings:
    slack = runtime.settings.slack
    assert slack.client_id is not None and slack.client_secret is not None
    engine = writer(runtime.engine)
    settings = OAuthSettings(
        client_id=slack.client_id,
        client_secret=slack.client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=SQLAlchemyInstallationStore(client_id=slack.client_id, engine=engine),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=slack.state_expiration_seconds, engine=engine
        ),
        state_expiration_seconds=slack.state_expiration_seconds,
    )
    # Remember auth.test per bot token instead of calling Slack before every ack.
    settings.authorize.cache_enabled = True  # type: ignore[attr-defined]
    return settings
