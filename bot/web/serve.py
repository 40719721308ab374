"""``greenroom serve``: the web process under uvicorn (HTTP mode), or a Socket Mode client."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from runtime.logs import log_as
from runtime.process import Runtime

if TYPE_CHECKING:
    from bot.web.socket_mode import CheckedSocketModeHandler
    from commands import Capability

__all__ = ["serve_http", "serve_socket_mode", "socket_mode_handler"]

_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def serve_http(
    runtime: Runtime,
    *,
    host: str,
    port: int,
    workers: int = 1,
    config_file: Path | None = None,
    database_url: str | None = None,
) -> None:
    """Serve ``/slack/events`` and the health routes until interrupted."""
    runtime.settings.slack.require()
    log_as("web", runtime.settings)
    _share_metrics_between_processes(runtime.settings.data_path / f"metrics-{port}")
    from bot.web.metrics_access import serve_metrics

    serve_metrics(runtime.settings.web)
    options = {
        "host": host,
        "port": port,
        "log_level": "info",
        "log_config": None,  # uvicorn's records go through runtime/logs.py's handler
        "access_log": False,  # /metrics counts requests; Slack traffic would flood the log
        "proxy_headers": True,
        "timeout_graceful_shutdown": 10,
    }
    if workers <= 1:
        from bot.web.app import answer_pool_for, create_web_app

        app = create_web_app(runtime, answer_pool=answer_pool_for(runtime))
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    # Worker processes build their own app from the same configuration.
    if config_file is not None:
        os.environ["GREENROOM_CONFIG"] = str(config_file.resolve())
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    uvicorn.run(
        "bot.web.app:web_app_from_environment",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )


def _share_metrics_between_processes(folder: Path) -> None:
    """Have prometheus_client keep metrics in files in ``folder`` that every process of this
    server writes (web workers, answering processes), so ``/metrics`` shows them all. Must run
    before prometheus_client is imported. The folder is emptied here, at start (uvicorn ends
    by re-raising its stop signal, so nothing runs at exit); an operator's own
    PROMETHEUS_MULTIPROC_DIR is used as it is."""
    if os.environ.get(_METRICS_DIR):
        return
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before serve set up its metrics")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[_METRICS_DIR] = str(folder)


def socket_mode_handler(
    runtime: Runtime, capabilities: Sequence[Capability] | None = None
) -> CheckedSocketModeHandler:
    """The Bolt app (``capabilities``: every one by default) behind a Socket Mode client
    (an ``xapp-`` app-level token), not yet connected: ``connect()`` opens the WebSocket Slack
    hands out, ``close()`` ends it."""
    from bot.app import create_app
    from bot.capabilities import CAPABILITIES
    from bot.web.socket_mode import CheckedSocketModeHandler

    slack = runtime.settings.slack
    slack.require(socket_mode=True)
    assert slack.app_token is not None
    app = create_app(
        runtime,
        socket_mode=True,
        capabilities=CAPABILITIES if capabilities is None else capabilities,
    )
    return CheckedSocketModeHandler(app, slack.app_token.get_secret_value())


def serve_socket_mode(runtime: Runtime) -> None:
    """Connect to Slack over Socket Mode until interrupted."""
    log_as("web", runtime.settings)
    socket_mode_handler(runtime).start()  # type: ignore[no-untyped-call]
