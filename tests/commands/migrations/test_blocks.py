"""How tech migrations read in Slack, for the parts the scenario tests cannot reach cheaply:
a digest over 2,000 groups fits one message, a 2,000-group board pages within Block Kit,
definition text stays inert, bars and percentages never overstate, and ``upload_chart``
reports Slack's and the network's failures instead of raising."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.block_text import render_text
from bot.loopback.methods import message_problem
from bot.loopback.slack import LoopbackSlack
from catalog import parse_ref
from catalog.tech_migrations import (
    GroupProgress,
    Leaderboard,
    MigrationDefinition,
    MigrationDigest,
    MigrationProgress,
)
from commands.migrations.blocks import (
    digest_blocks,
    digest_text,
    leaderboard_reply,
    percent_text,
    progress_bar,
    upload_chart,
)
from slackkit.replies import ReplyState, render_reply

TODAY = date(2026, 11, 20)
HOSTILE = "<!channel> *x* <@U0ALICE> <https://evil.example|click> & more"
_TOKENS = re.compile(r"<[!@#][^>]*>|<https?:[^>]*>")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def definition(title: str = "Upgrade to Python 3.12") -> MigrationDefinition:
    return MigrationDefinition.model_validate(
        {
            "id": "python-3-12",
            "title": title,
            "description": HOSTILE,
            "owner": "developer-experience",
            "deadline": "2027-03-31",
            "checks": [{"type": "annotation-exists", "key": "a"}],
        }
    )


def progress(title: str = "Upgrade to Python 3.12") -> MigrationProgress:
    return MigrationProgress(
        migration_id="python-3-12",
        title=title,
        owner="group:default/developer-experience",
        deadline=date(2027, 3, 31),
        done=25_000,
        total=40_000,
        errors=3,
        evaluated_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
        days_left=(date(2027, 3, 31) - TODAY).days,
        per_week=1.5,
        projected_finish=date(2027, 2, 1),
        on_track=True,
        history=(),
    )


def board(groups: int, *, name: str = "squad") -> Leaderboard:
    rows = tuple(
        GroupProgress(
            parse_ref(f"group:squad-{i:04d}"),
            f"{name} {i:04d}",
            done=20 - i % 21,
            total=20,
            errors=0,
            rank=i + 1,
            change=1.5 if i % 2 else None,
            done_change=1,
        )
        for i in range(groups)
    )
    return Leaderboard(
        migration_id="python-3-12",
        level="squad",
        day=TODAY,
        compared_to=date(2026, 11, 13),
        done=25_000,
        total=40_000,
        rows=rows,
        done_change=420,
    )


def digest(groups: int = 2_000, *, title: str = "Upgrade to Python 3.12") -> MigrationDigest:
    return MigrationDigest(
        migration_id="python-3-12",
        title=title,
        description=HOSTILE,
        owner="group:default/developer-experience",
        deadline=date(2027, 3, 31),
        progress=progress(title),
        board=board(groups, name=HOSTILE if title == HOSTILE else "squad"),
        since=date(2026, 11, 13),
        chart_png=b"",
    )


def test_a_digest_over_2000_groups_is_one_valid_message_with_the_change_and_deadline() -> None:
    blocks = digest_blocks(digest(), command="/greenroom")

    assert len(blocks) <= 8
    assert message_problem({"text": "x", "blocks": blocks}) is None
    assert all(Block.parse(b) is not None for b in blocks)
    text = render_text({"blocks": blocks})
    assert "Tech migration: Upgrade to Python 3.12" in text
    assert "*62%* · 25000/40000 done · +420 done since the last digest, 2026-11-13" in text
    assert "deadline 2027-03-31 (131 days left)" in text
    assert "on track (est. 2027-02-01)" in text
    assert "*By squad* (change since 2026-11-13)" in text
    assert "… and 1985 more" in text  # the top 15 are listed
    assert ":second_place_medal: *squad 0001* · `█████████░` 95% · 19/20 · +1.5 pts" in text
    assert "`/greenroom migrations python-3-12 mine`" in text
    assert (
        digest_text(digest())
        == "Upgrade to Python 3.12: 62% done (25000/40000), +420 since 2026-11-13"
    )


def test_a_digest_keeps_definition_and_catalog_text_inert() -> None:
    blocks = digest_blocks(digest(20, title=HOSTILE), command="/greenroom")

    mrkdwn = [
        obj["text"]
        for block in blocks
        for obj in [block.get("text") or {}, *block.get("elements", [])]
        if obj.get("type") == "mrkdwn"
    ]
    assert mrkdwn and not any(_TOKENS.search(t) for t in mrkdwn)
    assert HOSTILE in render_text({"blocks": blocks})


def test_a_2000_group_board_pages_within_block_kit() -> None:
    reply = leaderboard_reply(
        definition(), progress(), board(2_000), today=TODAY, command="/greenroom"
    )

    assert len(reply.lines) == 2_001
    for page in (0, 57, 100):
        message = render_reply(reply, ReplyState("migrations python-3-12", page), page_size=20)
        assert message_problem(message) is None
        assert all(Block.parse(b) is not None for b in message["blocks"])
    last = render_text(render_reply(reply, ReplyState("x", 100), page_size=20))
    assert "Showing 2001-2001 of 2001" in last and "squad 1999" in last


@pytest.mark.parametrize(
    ("done", "total", "bar", "shown"),
    [
        (0, 10, "░░░░░░░░░░", "0%"),
        (1, 1000, "█░░░░░░░░░", "1%"),
        (999, 1000, "█████████░", "99%"),
        (10, 10, "██████████", "100%"),
        (9, 22, "████░░░░░░", "41%"),
    ],
)
def test_bars_and_percentages_never_overstate(done: int, total: int, bar: str, shown: str) -> None:
    percent = 100.0 * done / total
    assert (progress_bar(percent), percent_text(percent)) == (bar, shown)


def test_upload_chart_posts_through_the_three_steps_and_reports_failures() -> None:
    with LoopbackSlack() as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)

        assert upload_chart(client, channel="C0GENERAL", png=PNG, title="Py: by tribe") is None
        assert [c.method for c in slack.calls()] == [
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal",
        ]
        assert list(slack.uploads.values()) == [PNG]
        assert slack.calls("files.getUploadURLExternal")[0].args["filename"] == "py-by-tribe.png"

        slack.fail("files.completeUploadExternal", error="not_in_channel")
        assert "I am not a member of this conversation" in str(
            upload_chart(client, channel="C0OTHER", png=PNG, title="t")
        )
        slack.fail("files.getUploadURLExternal", error="missing_scope")
        assert "files:write" in str(upload_chart(client, channel="C0GENERAL", png=PNG, title="t"))
        slack.fail("upload", status=500)
        assert "the upload failed" in str(
            upload_chart(client, channel="C0GENERAL", png=PNG, title="t")
        )
        assert upload_chart(client, channel="C0GENERAL", png=b"", title="t") == (
            "there was no chart image to post"
        )
    unreachable = WebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/", timeout=2)
    assert "could not be uploaded" in str(
        upload_chart(unreachable, channel="C0GENERAL", png=PNG, title="t")
    )
