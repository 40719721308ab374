"""The buttons every reply carries, and mentions in channels."""

from __future__ import annotations

from tests.scenarios.workspace import ALICE, Workspace


def test_share_in_channel_posts_the_answer_for_everyone_and_removes_the_private_one(
    workspace: Workspace,
) -> None:
    reply = workspace.ask("owner payments-api")
    sent = workspace.click(reply, "Share in channel")
    shared = workspace.reply(sent)
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert "Payments team" in workspace.text(shared)
    assert "Shared by <@U0ALICE>" in str(shared["blocks"])
    assert workspace.buttons(shared) == []
    assert workspace.reply(sent, count=2) == {"delete_original": True}


def test_a_shared_page_of_a_long_list_stays_on_that_page(workspace: Workspace) -> None:
    first = workspace.ask("deps component:search --reverse")
    second = workspace.reply(workspace.click(first, "Show more"))
    shared = workspace.reply(workspace.click(second, "Share in channel"))
    assert "Showing 21-30 of 30" in workspace.text(shared)


def test_a_click_delivered_twice_is_answered_once(workspace: Workspace) -> None:
    reply = workspace.ask("owner payments-api")
    sent = workspace.click(reply, "Share in channel")
    workspace.reply(sent, count=2)
    again = workspace.post(sent.request)
    assert again.status_code == 200
    workspace.wait_metric("greenroom_slack_duplicates_total", 1)
    assert len(workspace.replies_to(sent)) == 2


def test_a_button_with_a_value_greenroom_did_not_make_is_refused_politely(
    workspace: Workspace,
) -> None:
    message = {
        "blocks": [
            {
                "type": "actions",
                "block_id": "greenroom.reply",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "greenroom.page",
                        "text": {"type": "plain_text", "text": "Show more"},
                        "value": "{not json",
                    }
                ],
            }
        ]
    }
    reply = workspace.reply(workspace.click(message, "Show more"))
    assert "older version" in reply["text"]


def test_mention_answers_privately_in_the_channel_and_thread(workspace: Workspace) -> None:
    sent = workspace.mention("owner payments-api", channel="C0TEAM", thread_ts="1700000000.000100")
    assert sent.response.status_code == 200
    call = workspace.slack.wait_for("chat.postEphemeral")[0]
    assert call.args["channel"] == "C0TEAM" and call.args["user"] == ALICE
    assert call.args["thread_ts"] == "1700000000.000100"
    assert "Payments team" in workspace.text(call.args)


def test_mention_without_a_question_gets_help(workspace: Workspace) -> None:
    workspace.mention("")
    call = workspace.slack.wait_for("chat.postEphemeral")[0]
    assert "What greenroom can answer" in workspace.text(call.args)


def test_mention_that_slack_retries_is_answered_once(workspace: Workspace) -> None:
    event = {
        "type": "app_mention",
        "user": ALICE,
        "text": "<@U0GREENROOM> whoami",
        "channel": "C0GENERAL",
        "ts": "1700000000.000200",
    }
    first = workspace.requests.event(event, event_id="Ev0RETRIED")
    retry = workspace.requests.event(event, event_id="Ev0RETRIED", retry_num=1)
    assert workspace.post(first).status_code == 200
    assert workspace.post(retry).status_code == 200
    workspace.slack.wait_for("chat.postEphemeral")
    workspace.wait_metric("greenroom_slack_duplicates_total", 1)
    assert len(workspace.slack.calls("chat.postEphemeral")) == 1
