"""Bad requests, hostile text, duplicates, Slack failures and a slow database."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import Engine, event

from bot.loopback.signed_requests import FORM, JSON
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, Workspace

FULLWIDTH_PAYMENTS_API = "".join(chr(ord(c) + 0xFEE0) for c in "payments-api")
_TOKENS = re.compile(r"<[!@#][^>]*>|<https?:[^>]*>")


def _tokens(payload: Any) -> set[str]:
    """Every mention / link token Slack would act on: in mrkdwn objects and message ``text``
    (plain_text objects are never parsed for mentions)."""
    found: set[str] = set()
    if isinstance(payload, dict):
        if payload.get("type") != "plain_text":
            text = payload.get("text")
            if isinstance(text, str):
                found.update(_TOKENS.findall(text))
        for value in payload.values():
            found |= _tokens(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= _tokens(item)
    return found


# Tokens greenroom itself builds for the ACME catalog (from ids and URLs, never from text).
_OURS = {"<@U0ALICE>", "<@U0BOB>", "<#C0PAYMENTS>", "<https://wiki.acme.example/payments|Wiki>"}


def _valid_block_kit(payload: dict[str, Any]) -> None:
    """slack_sdk's own Block Kit models accept every block (they enforce Slack's limits)."""
    assert len(payload["blocks"]) <= 50
    for block in payload["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()


# -- requests that are not Slack's -------------------------------------------------------
def test_unsigned_and_wrongly_signed_requests_get_401(workspace: Workspace) -> None:
    request = workspace.requests.slash_command("whoami", user_id=ALICE, response_url="http://x/")
    unsigned = {k: v for k, v in request.headers.items() if k != "x-slack-signature"}
    assert (
        workspace.http.post("/slack/events", content=request.body, headers=unsigned).status_code
        == 401
    )
    forged = request.headers | {"x-slack-signature": "v0=" + "0" * 64}
    assert (
        workspace.http.post("/slack/events", content=request.body, headers=forged).status_code
        == 401
    )
    tampered = request.body.replace(b"whoami", b"help!!")
    assert (
        workspace.http.post("/slack/events", content=tampered, headers=request.headers).status_code
        == 401
    )
    assert workspace.slack.calls() == []


def test_stale_or_garbled_timestamps_get_401(workspace: Workspace) -> None:
    body = b"command=%2Fgreenroom&text=help"
    stale = workspace.requests.sign(body, content_type=FORM, timestamp=int(time.time()) - 600)
    assert workspace.post(stale).status_code == 401
    garbled = stale.headers | {"x-slack-request-timestamp": "yesterday"}
    assert workspace.http.post("/slack/events", content=body, headers=garbled).status_code == 401


def test_signed_but_malformed_bodies_get_400(workspace: Workspace) -> None:
    for body, kind in (
        (b"{not json", JSON),
        (b"[1, 2, 3]", JSON),
        (b"payload=%7Bnot+json", FORM),
    ):
        assert workspace.post(workspace.requests.sign(body, content_type=kind)).status_code == 400
    assert workspace.slack.calls() == []


def test_bytes_that_are_not_utf8_cannot_be_verified(workspace: Workspace) -> None:
    body = b"text=\xff\xfe"
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    headers = {
        "content-type": FORM,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
    }
    assert workspace.http.post("/slack/events", content=body, headers=headers).status_code == 401


def test_oversized_bodies_get_413(workspace: Workspace) -> None:
    body = b"text=" + b"a" * (1024 * 1024 + 1)
    assert workspace.post(workspace.requests.sign(body, content_type=FORM)).status_code == 413


def test_url_verification_echoes_the_challenge(workspace: Workspace) -> None:
    response = workspace.post(workspace.requests.url_verification("c-123"))
    assert response.status_code == 200 and response.json() == {"challenge": "c-123"}


def test_a_slash_command_the_app_does_not_own_is_not_handled(workspace: Workspace) -> None:
    sent = workspace.command("owner payments-api", command="/other")
    assert sent.response.status_code == 404
    time.sleep(0.2)
    assert workspace.slack.calls("response_url") == []


# -- hostile or odd text -----------------------------------------------------------------
def test_catalog_text_never_pings_or_links(workspace: Workspace) -> None:
    reply = workspace.ask("owner sneaky")
    assert _tokens(reply) <= _OURS
    assert "<" not in reply["text"]  # the notification text is escaped too
    text = workspace.text(reply)
    assert "<!channel> *alert*" in text and "Ping <!here> & <@U123ABC>" in text
    assert "<!everyone> (https://evil.example|<!channel>)" in text
    _valid_block_kit(reply)


def test_catalog_text_stays_inert_in_lists_and_on_the_home_tab(workspace: Workspace) -> None:
    for question in ("team payments", "find sneaky", "impact money"):
        assert _tokens(workspace.ask(question)) <= _OURS
    assert _tokens(workspace.open_home(ALICE)) <= _OURS


def test_names_that_look_like_slack_syntax_are_echoed_inert(workspace: Workspace) -> None:
    for typed in ("<!channel>", "<@U0BOB>", "<https://evil.example|x>", "*bold* & `code`"):
        reply = workspace.ask(f"owner {typed}")
        assert _tokens(reply) == set(), typed
        assert "could not find" in workspace.text(reply)
    # Mentions typed into the command arrive as Slack tokens (should_escape): still inert.
    raw = workspace.requests.slash_command(
        "owner <@U0BOB|bob> <!channel>",
        user_id=ALICE,
        response_url=workspace.slack.response_url("raw"),
    )
    assert workspace.post(raw).status_code == 200
    reply = dict(workspace.slack.wait_for("response_url", key="raw")[0].args)
    assert _tokens(reply) == set() and "could not find" in workspace.text(reply)


def test_very_long_text_is_refused_with_a_reason(workspace: Workspace) -> None:
    reply = workspace.ask("owner " + "x" * 5000)
    assert "ask in under 1000 characters" in workspace.text(reply)
    _valid_block_kit(reply)
    reply = workspace.ask("find " + "payments " * 100)
    _valid_block_kit(reply)


def test_odd_unicode_is_understood_or_answered_cleanly(workspace: Workspace) -> None:
    assert "Payments team" in workspace.text(workspace.ask("owner " + FULLWIDTH_PAYMENTS_API))
    assert "Payments team" in workspace.text(workspace.ask("owner pay\u200bments-api"))
    for typed in (
        "💥🔥",
        "\u202epayments",
        "pay\x00ments-api",
        "ペイメント",
        "e\u0301\u0301\u0301",
    ):
        reply = workspace.ask(f"owner {typed}")
        assert "could not find" in workspace.text(reply) or "Payments team" in workspace.text(reply)
        _valid_block_kit(reply)


# -- duplicates and Slack failures -------------------------------------------------------
def test_a_slash_command_delivered_twice_is_answered_once(workspace: Workspace) -> None:
    sent = workspace.command("whoami")
    workspace.reply(sent)
    assert workspace.post(sent.request).status_code == 200
    workspace.wait_metric("greenroom_slack_duplicates_total", 1)
    assert len(workspace.replies_to(sent)) == 1


def test_rate_limited_reply_is_retried_after_retry_after(workspace: Workspace) -> None:
    workspace.slack.rate_limit("response_url", retry_after=1)
    sent = workspace.command("owner payments-api")
    reply = workspace.reply(sent)
    assert "Payments team" in workspace.text(reply)
    statuses = [c.status for c in workspace.replies_to(sent)]
    assert statuses == [429, 200]


def test_rate_limited_web_api_call_is_retried(workspace: Workspace) -> None:
    workspace.slack.rate_limit("chat.postEphemeral", retry_after=1)
    workspace.mention("whoami")
    workspace.slack.wait_for("chat.postEphemeral")
    assert [c.status for c in workspace.slack.calls("chat.postEphemeral")] == [429, 200]


def test_a_reply_slack_keeps_refusing_is_counted_not_lost_silently(workspace: Workspace) -> None:
    workspace.slack.fail("response_url", status=500, times=None)
    sent = workspace.command("whoami")
    assert sent.response.status_code == 200
    workspace.wait_metric("greenroom_slack_send_failures_total", 1, via="ResponseUrl")
    assert [c.status for c in workspace.replies_to(sent)] == [500, 500, 500]


def test_ack_is_fast_while_the_database_is_stalled(workspace: Workspace, engine: Engine) -> None:
    workspace.ask("whoami")  # warm up: auth.test and the caller cache
    released = threading.Event()

    def stall(*args: object) -> None:
        released.wait(20)

    event.listen(engine, "before_cursor_execute", stall)
    try:
        sent = workspace.command("owner payments-api")
        assert sent.response.status_code == 200
        assert sent.seconds < 1.0
        assert workspace.replies_to(sent) == []  # the answer waits for the database...
        released.set()
        reply = workspace.reply(sent)  # ...and arrives once it is back
        assert "Payments team" in workspace.text(reply)
    finally:
        released.set()
        event.remove(engine, "before_cursor_execute", stall)
