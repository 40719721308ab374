"""A run's modal kept up to date from a worker thread, against the loopback Slack."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.loopback.slack import LoopbackSlack
from commands.scaffold.runner import LiveModal
from slackkit.modals import modal


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as slack:
        yield slack


def view(text: str) -> dict[str, object]:
    return modal(
        "Run", [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], callback_id="run"
    )


def test_a_view_changed_under_a_run_still_shows_the_run(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=view("start"))["view"]
    live = LiveModal(client, opened["id"], hash=opened["hash"])
    slack.replace_view(opened["id"], view("someone else"))
    assert live.show(view("step 1"))
    assert [c.error for c in slack.calls("views.update")] == ["hash_conflict", None]
    assert live.show(view("step 2"))
    assert slack.view(opened["id"])["blocks"][0]["text"]["text"] == "step 2"


def test_a_closed_modal_is_left_alone(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=view("start"))["view"]
    live = LiveModal(client, opened["id"])
    slack.close_view(opened["id"])
    assert not live.show(view("step 1")) and not live.show(view("step 2"))
    assert len(slack.calls("views.update")) == 1


def test_progress_waits_until_slack_has_applied_the_ack(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=view("start"))["view"]
    live = LiveModal(client, opened["id"], quiet_until=time.monotonic() + 0.5)
    assert not live.show(view("step 1")) and not live.show(view("step 2"))
    assert slack.calls("views.update") == []
    [shown] = slack.wait_for("views.update")
    assert shown.at >= live.quiet_until and shown.args["view"]["blocks"][0]["text"]["text"] == (
        "step 2"
    )


def test_the_outcome_waits_for_the_ack_and_nothing_older_follows_it(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=view("start"))["view"]
    live = LiveModal(client, opened["id"], quiet_until=time.monotonic() + 0.3)
    live.show(view("step 1"))
    assert live.show(view("done"), final=True)
    assert time.monotonic() >= live.quiet_until
    time.sleep(0.4)
    assert [c.args["view"]["blocks"][0]["text"]["text"] for c in slack.calls("views.update")] == [
        "done"
    ]
