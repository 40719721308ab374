"""Boundary: what reaches a channel. "Share in channel" asks again and posts only a real
answer; when the answer has become an error, the channel sees nothing and the clicker is told
privately."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.capabilities import CAPABILITIES
from catalog import GreenroomError
from commands import Setup
from slackkit.replies import Reply
from slackkit.router import Ask
from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import Workspace

#: How the ``flaky`` subcommand answers next: "ok", "user_error" or "bug".
NEXT = {"answer": "ok"}


def flaky_feature(setup: Setup) -> None:
    """``flaky``: a good answer, then whatever :data:`NEXT` says."""
    assert setup.slack is not None
    deps = setup.slack.deps

    def flaky(ask: Ask) -> Reply:
        if NEXT["answer"] == "user_error":
            raise GreenroomError("The thing you asked about is gone now.")
        if NEXT["answer"] == "bug":
            raise RuntimeError("boom")
        return Reply.simple("Flaky is owned by the payments team.", shareable=True)

    deps.router.add("flaky", flaky, summary="Answers, then fails", usage="flaky")


def _channel_posts(workspace: Workspace) -> list[dict[str, object]]:
    return [
        dict(c.args)
        for c in workspace.slack.calls("response_url")
        if c.args.get("response_type") == "in_channel"
    ]


def test_sharing_an_answer_whose_entity_is_gone_posts_nothing_in_the_channel(
    serve_greenroom: Callable[..., Workspace], write_catalog: Callable[[str], None]
) -> None:
    write_catalog(ACME)
    workspace = serve_greenroom()
    reply = workspace.ask("owner payments-api")
    assert "Share in channel" in workspace.buttons(reply)
    write_catalog(ACME.replace("name: payments-api", "name: payments-api-v2"))

    sent = workspace.click(reply, "Share in channel")

    told = workspace.reply(sent)
    assert told["response_type"] == "ephemeral"
    assert "Not shared" in workspace.text(told)
    assert "could not find" in workspace.text(told)
    assert _channel_posts(workspace) == []
    assert {"delete_original": True} not in [c.args for c in workspace.replies_to(sent)]


@pytest.mark.parametrize(
    ("now", "says"),
    [("user_error", "is gone now"), ("bug", "Something went wrong on our side")],
)
def test_sharing_an_answer_that_now_fails_tells_only_the_clicker(
    serve_greenroom: Callable[..., Workspace], acme: None, now: str, says: str
) -> None:
    workspace = serve_greenroom((*CAPABILITIES, flaky_feature))
    NEXT["answer"] = "ok"
    reply = workspace.ask("flaky")
    NEXT["answer"] = now
    try:
        sent = workspace.click(reply, "Share in channel")
        told = workspace.reply(sent)
    finally:
        NEXT["answer"] = "ok"
    assert told["response_type"] == "ephemeral"
    assert "Not shared" in workspace.text(told) and says in workspace.text(told)
    assert _channel_posts(workspace) == []


def test_sharing_a_real_answer_still_posts_it(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom((*CAPABILITIES, flaky_feature))
    NEXT["answer"] = "ok"
    shared = workspace.reply(workspace.click(workspace.ask("flaky"), "Share in channel"))
    assert shared["response_type"] == "in_channel"
    assert "owned by the payments team" in workspace.text(shared)
