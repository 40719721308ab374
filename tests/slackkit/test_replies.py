"""Paging a reply into Slack messages, and the state buttons carry."""

from __future__ import annotations

import functools

import pytest

from slackkit import blocks as bk
from slackkit.grammar import UsageError
from slackkit.replies import LazyLines, Reply, ReplyState, render_reply


def test_every_page_fits_fifty_blocks_and_three_thousand_characters() -> None:
    reply = Reply(
        "t", tuple(bk.section(f"head {i}") for i in range(60)), tuple("x" * 900 for _ in range(100))
    )
    for page in range(6):
        message = render_reply(reply, ReplyState("find x", page), page_size=20)
        assert len(message["blocks"]) <= 50
        for block in message["blocks"]:
            assert len(block.get("text", {}).get("text", "")) <= 3000


def test_a_page_past_the_end_shows_the_last_page() -> None:
    reply = Reply("t", lines=tuple(f"line {i}" for i in range(25)))
    message = render_reply(reply, ReplyState("find x", 9), page_size=20)
    assert "Showing 21-25 of 25" in str(message["blocks"])


def test_lazy_lines_page_like_a_tuple_and_format_only_the_page_sent() -> None:
    made: list[int] = []

    def line(n: int) -> str:
        made.append(n)
        return f"• line {n}"

    lazy = LazyLines([functools.partial(line, n) for n in range(1000)])
    eager = tuple(f"• line {n}" for n in range(1000))
    state = ReplyState("impact hub", page=3)
    shown = render_reply(Reply("t", lines=lazy), state, page_size=20)
    assert shown == render_reply(Reply("t", lines=eager), state, page_size=20)
    assert "Showing 61-80 of 1000" in str(shown)
    assert sorted(made) == list(range(60, 80))


def test_state_round_trips_and_refuses_junk() -> None:
    state = ReplyState("deps checkout --reverse", 2)
    assert ReplyState.decode(state.encode()) == state
    assert ReplyState("x" * 3000).encode() is None
    for junk in (None, "", "{", '{"c": 1}', '{"c": "x", "p": -1}', "[]"):
        with pytest.raises(UsageError):
            ReplyState.decode(junk)


def test_a_command_too_long_for_a_button_gets_no_buttons() -> None:
    reply = Reply("t", lines=tuple(f"line {i}" for i in range(30)))
    message = render_reply(reply, ReplyState("find " + "y" * 2500), page_size=20)
    assert all(b["type"] != "actions" for b in message["blocks"])
