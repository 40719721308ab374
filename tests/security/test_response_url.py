"""Boundary: where greenroom sends answers. A ``response_url`` is only followed to Slack's
own hosts (``slack.response_url_origins``), so a request naming another host never makes
greenroom post an answer, or anything else, there."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from bot.loopback.slack import LoopbackSlack
from runtime.slack_settings import SlackSettings
from tests.scenarios.workspace import ALICE, Workspace

REFUSED = "response_url on Slack's hosts"


@pytest.fixture
def elsewhere() -> Iterator[LoopbackSlack]:
    """Another server that records what is posted to it (not an allowed origin)."""
    with LoopbackSlack() as other:
        yield other


def _wait_for_refusal(caplog: pytest.LogCaptureFixture, count: int = 1) -> None:
    deadline = time.monotonic() + 15
    while sum(REFUSED in r.getMessage() for r in caplog.records) < count:
        assert time.monotonic() < deadline, "the response_url was never refused"
        time.sleep(0.05)


def test_a_command_with_a_foreign_response_url_is_not_answered_there(
    workspace: Workspace, elsewhere: LoopbackSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    request = workspace.requests.slash_command(
        "owner payments-api", user_id=ALICE, response_url=elsewhere.response_url("stolen")
    )
    assert workspace.post(request).status_code == 200
    _wait_for_refusal(caplog)
    assert elsewhere.calls() == []


def test_a_button_click_with_a_foreign_response_url_is_not_answered_there(
    workspace: Workspace, elsewhere: LoopbackSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    reply = workspace.ask("owner payments-api")
    share = next(
        e
        for b in reply["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "greenroom.share"
    )
    action = {"action_id": share["action_id"], "block_id": "b", "value": share["value"]}
    click = workspace.requests.block_actions(
        [action], user_id=ALICE, response_url=elsewhere.response_url("stolen"), message=reply
    )
    assert workspace.post(click).status_code == 200
    _wait_for_refusal(caplog)
    assert elsewhere.calls() == []


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T0/1/abc",
        "https://hooks.slack.com:443/actions/T0/1/abc",
        "https://HOOKS.slack.com/commands/T0/1/abc",
        "https://hooks.slack-gov.com/commands/T0/1/abc",
    ],
)
def test_slacks_own_response_urls_are_followed(url: str) -> None:
    assert SlackSettings().allows_response_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/commands/T0/1/abc",
        "https://hooks.slack.com.evil.example/commands",
        "https://hooks.slack.com@evil.example/commands",
        "https://evil.example/?https://hooks.slack.com/",
        "https://hooks.slack.com:8443/commands",
        "https://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:5432/",
        "file:///etc/passwd",
        "hooks.slack.com/commands",
        "",
    ],
)
def test_other_response_urls_are_refused(url: str) -> None:
    assert not SlackSettings().allows_response_url(url)


def test_an_operator_can_allow_a_loopback_slack_by_its_origin() -> None:
    settings = SlackSettings(response_url_origins=("http://127.0.0.1:8080/",))
    assert settings.allows_response_url("http://127.0.0.1:8080/response/1")
    assert not settings.allows_response_url("http://127.0.0.1:8081/response/1")
    assert not settings.allows_response_url("https://hooks.slack.com/commands/T0/1/abc")
