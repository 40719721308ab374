"""The web process's own routes: health, readiness, metrics, and the OAuth routes' absence
in single-workspace mode."""

from __future__ import annotations

from sqlalchemy import Engine, event

from tests.scenarios.workspace import Workspace


def test_healthz_answers_without_the_database(workspace: Workspace) -> None:
    assert workspace.http.get("/healthz").text == "ok"


def test_readyz_reports_the_database(workspace: Workspace, engine: Engine) -> None:
    ready = workspace.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"database": "ok"}

    def broken(*args: object) -> None:
        raise RuntimeError("database down")

    event.listen(engine, "before_cursor_execute", broken)
    try:
        down = workspace.http.get("/readyz")
    finally:
        event.remove(engine, "before_cursor_execute", broken)
    assert down.status_code == 503 and down.json() == {"database": "unreachable"}


def test_metrics_count_requests_acks_and_answers_by_subcommand(workspace: Workspace) -> None:
    workspace.ask("owner payments-api")
    workspace.ask("owner nope-nothing")
    workspace.ask("deps web")
    workspace.wait_metric("greenroom_slack_replies_total", 1, command="deps", outcome="ok")
    assert workspace.metric("greenroom_slack_requests_total", kind="command", status="200") == 3
    assert workspace.metric("greenroom_slack_ack_seconds_count", kind="command") == 3
    assert workspace.metric("greenroom_slack_replies_total", command="owner", outcome="ok") == 1
    assert (
        workspace.metric("greenroom_slack_replies_total", command="owner", outcome="not_found") == 1
    )
    assert workspace.metric("greenroom_slack_reply_seconds_count", command="owner") == 2
    workspace.post(workspace.requests.sign(b"{}", content_type="application/json", timestamp=1))
    assert workspace.metric("greenroom_slack_requests_total", kind="unsigned", status="401") == 1


def test_install_routes_say_the_app_uses_a_bot_token(workspace: Workspace) -> None:
    response = workspace.http.get("/slack/install")
    assert response.status_code == 404 and "bot token" in response.text
