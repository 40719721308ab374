"""``greenroom serve --socket-mode``: the same app over Slack's Socket Mode WebSocket, for
workspaces that cannot expose a public URL. Driven by the real ``slack_sdk`` Socket Mode client
against a loopback WebSocket endpoint speaking Slack's envelope format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot.block_text import render_text
from bot.loopback.signed_requests import SignedRequests
from bot.loopback.slack import LoopbackSlack
from bot.web.serve import socket_mode_handler
from catalog.errors import ConfigError
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.fakes.slack_socket_mode import SocketModeEndpoint
from tests.scenarios.workspace import ALICE


def _runtime(
    engine: Engine, database_url: str, slack: LoopbackSlack, tmp_path: Path, **env: str
) -> Runtime:
    environ = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url, **env}
    settings = load_settings(
        None,
        environ=environ,
        database_url=database_url,
        data_dir=tmp_path,
        slack={"response_url_origins": [slack.url]},
    )
    return Runtime(settings, engine)


@pytest.fixture
def connected(
    engine: Engine, database_url: str, slack_api: LoopbackSlack, tmp_path: Path, acme: None
) -> Iterator[SocketModeEndpoint]:
    runtime = _runtime(
        engine, database_url, slack_api, tmp_path, SLACK_APP_TOKEN=slack_api.app_token
    )
    with SocketModeEndpoint(slack_api) as endpoint:
        handler: SocketModeHandler = socket_mode_handler(runtime)
        handler.connect()  # type: ignore[no-untyped-call]
        endpoint.wait_connected()
        yield endpoint
        handler.close()  # type: ignore[no-untyped-call]


def test_a_slash_command_is_acked_on_the_socket_and_answered(
    connected: SocketModeEndpoint, slack_api: LoopbackSlack
) -> None:
    command = SignedRequests("unused", team_id=slack_api.team_id).slash_command(
        "owner payments-api", user_id=ALICE, response_url=slack_api.response_url("sm-1")
    )

    envelope = connected.send("slash_commands", command.payload, accepts_response=True)

    seconds, _ = connected.wait_for_ack(envelope)
    assert seconds < 3.0
    reply = slack_api.wait_for("response_url", key="sm-1")[0]
    assert "payments" in render_text(reply.args)
    assert [c.token for c in slack_api.calls("apps.connections.open")] == [slack_api.app_token]


def test_the_home_tab_is_published_for_an_event_that_came_over_the_socket(
    connected: SocketModeEndpoint, slack_api: LoopbackSlack
) -> None:
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0HOME", "tab": "home"}
    callback = SignedRequests("unused", team_id=slack_api.team_id).event(event)

    envelope = connected.send("events_api", callback.payload)

    connected.wait_for_ack(envelope)
    slack_api.wait_for("views.publish")
    assert "payments" in render_text(slack_api.home_views[ALICE]).lower()


def test_without_an_app_token_it_says_which_variable_to_set(
    engine: Engine, database_url: str, slack_api: LoopbackSlack, tmp_path: Path
) -> None:
    runtime = _runtime(engine, database_url, slack_api, tmp_path)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        socket_mode_handler(runtime)


def test_a_bot_token_cannot_open_a_socket_and_an_app_token_can_do_nothing_else(
    slack_api: LoopbackSlack,
) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    with SocketModeEndpoint(slack_api):
        with pytest.raises(SlackApiError, match="not_allowed_token_type"):
            WebClient(token=slack_api.bot_token, base_url=slack_api.api_url).apps_connections_open(
                app_token=slack_api.bot_token
            )
        with pytest.raises(SlackApiError, match="not_allowed_token_type"):
            WebClient(token=slack_api.app_token, base_url=slack_api.api_url).chat_postMessage(
                channel="C0GENERAL", text="hi"
            )
