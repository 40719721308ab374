"""The loopback Slack Web API answers slack_sdk's real clients the way Slack does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.loopback.slack import LoopbackSlack
from slackkit.slack_client import retry_handlers


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example", name="Alice")
        yield slack


@pytest.fixture
def client(slack: LoopbackSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=retry_handlers())


def test_users_are_found_by_id_and_email(slack: LoopbackSlack, client: WebClient) -> None:
    assert client.users_info(user="U0ALICE")["user"]["profile"]["email"] == "alice@acme.example"
    assert client.users_lookupByEmail(email="ALICE@acme.example")["user"]["id"] == "U0ALICE"
    with pytest.raises(SlackApiError) as missing:
        client.users_lookupByEmail(email="nobody@acme.example")
    assert missing.value.response["error"] == "users_not_found"
    with pytest.raises(SlackApiError) as unknown:
        client.users_info(user="U0NOBODY")
    assert unknown.value.response["error"] == "user_not_found"


def test_messages_are_posted_updated_and_logged(slack: LoopbackSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0GENERAL", text="hello", blocks=[])
    client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="edited")
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="C0GENERAL", ts="1.2", text="x")
    assert [c.method for c in slack.calls()] == ["chat.postMessage", "chat.update", "chat.update"]
    assert slack.calls("chat.postMessage")[0].args["text"] == "hello"


def test_block_kit_limits_are_enforced(client: WebClient) -> None:
    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C0GENERAL", text="x", blocks=too_many)
    long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postEphemeral(channel="C0GENERAL", user="U0ALICE", text="x", blocks=long_text)


def test_bad_tokens_and_unknown_methods_are_refused(slack: LoopbackSlack) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=slack.api_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        wrong.auth_test()
    with pytest.raises(SlackApiError, match="unknown_method"):
        WebClient(token=slack.bot_token, base_url=slack.api_url).api_call("admin.everything")


def test_rate_limits_are_retried_after_retry_after(slack: LoopbackSlack, client: WebClient) -> None:
    slack.rate_limit("auth.test", retry_after=1)
    assert client.auth_test()["user_id"] == slack.bot_user_id
    calls = slack.calls("auth.test")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0


def test_injected_errors_and_server_errors(slack: LoopbackSlack, client: WebClient) -> None:
    slack.fail("auth.test", error="invalid_auth")
    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.auth_test()
    slack.fail("auth.test", status=500, times=3)
    with pytest.raises(SlackApiError):
        client.auth_test()
    assert [c.status for c in slack.calls("auth.test")] == [200, 500, 500, 500]
    assert client.auth_test()["ok"]


def test_slow_answers_time_clients_out(slack: LoopbackSlack) -> None:
    slack.slow("auth.test", 1.5)
    impatient = WebClient(token=slack.bot_token, base_url=slack.api_url, timeout=1)
    with pytest.raises(TimeoutError):
        impatient.auth_test()


def test_files_upload_v2_goes_through_the_external_upload_flow(
    slack: LoopbackSlack, client: WebClient
) -> None:
    result = client.files_upload_v2(channel="C0GENERAL", content=b"chart-bytes", filename="c.png")
    file_id = result["files"][0]["id"]
    assert slack.uploads[file_id] == b"chart-bytes"
    methods = [c.method for c in slack.calls()]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_views_and_the_home_tab(slack: LoopbackSlack, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    opened = client.views_open(trigger_id="1.2.3", view=view)["view"]
    client.views_update(view_id=opened["id"], view=view)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        client.views_open(trigger_id="", view=view)
    client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": []})
    assert slack.home_views["U0ALICE"]["type"] == "home"
    assert client.conversations_open(users="U0ALICE")["channel"]["id"].startswith("D")


def test_response_url_sink_records_posts_and_faults(slack: LoopbackSlack) -> None:
    url = slack.response_url("r1")
    assert WebhookClient(url).send_dict({"text": "hi"}).status_code == 200
    slack.fail("response_url", status=500)
    assert WebhookClient(url).send_dict({"text": "again"}).status_code == 500
    assert WebhookClient(url).send_dict({"blocks": []}).status_code == 400  # no_text
    assert [c.args.get("text") for c in slack.wait_for("response_url", key="r1")] == ["hi"]


def test_wait_for_says_what_arrived_when_it_times_out(
    slack: LoopbackSlack, client: WebClient
) -> None:
    client.auth_test()
    with pytest.raises(TimeoutError, match=r"auth.test:200"):
        slack.wait_for("chat.postMessage", timeout=0.1)


def test_oauth_codes_become_bot_tokens_once(slack: LoopbackSlack) -> None:
    code = slack.oauth_code(team_id="T0NEW")
    anonymous = WebClient(base_url=slack.api_url)
    token = anonymous.oauth_v2_access(client_id="c", client_secret="s", code=code)["access_token"]
    assert WebClient(token=token, base_url=slack.api_url).auth_test()["team_id"] == "T0NEW"
    with pytest.raises(SlackApiError, match="invalid_code"):
        anonymous.oauth_v2_access(client_id="c", client_secret="s", code=code)


def test_modals_follow_slacks_rules(slack: LoopbackSlack, client: WebClient) -> None:
    title = {"type": "plain_text", "text": "T"}
    view = {"type": "modal", "title": title, "blocks": []}
    opened = client.views_open(trigger_id="9.9.9", view=view)["view"]
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        client.views_open(trigger_id="9.9.9", view=view)
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
    with pytest.raises(SlackApiError, match="hash_conflict"):
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
    text_input = {"type": "plain_text_input", "action_id": "v"}
    wrong = [
        view | {"title": {"type": "plain_text", "text": "x" * 25}},
        view | {"private_metadata": "x" * 3001},
        view | {"blocks": [{"type": "input", "label": title, "element": text_input}]},
        view
        | {
            "submit": title,
            "blocks": [
                {
                    "type": "input",
                    "label": title,
                    "element": {
                        "type": "static_select",
                        "action_id": "v",
                        "options": [{"text": title, "value": str(i)} for i in range(101)],
                    },
                }
            ],
        },
    ]
    for bad in wrong:
        with pytest.raises(SlackApiError, match="invalid_arguments"):
            client.views_update(view_id=opened["id"], view=bad)
    slack.close_view(opened["id"])
    with pytest.raises(SlackApiError, match="not_found"):
        client.views_update(view_id=opened["id"], view=view)


def test_image_blocks_must_name_an_uploaded_image_in_slack_file(
    slack: LoopbackSlack, client: WebClient
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    image_id = client.files_upload_v2(content=png, filename="c.png")["files"][0]["id"]
    text_id = client.files_upload_v2(content=b"plain words", filename="t.txt")["files"][0]["id"]
    permalink = slack.files[image_id]["permalink"]

    def image(source: dict[str, str]) -> list[dict[str, object]]:
        return [{"type": "image", "slack_file": source, "alt_text": "a chart"}]

    home = {"type": "home", "blocks": image({"id": image_id})}
    client.views_publish(user_id="U0ALICE", view=home)
    client.chat_postMessage(channel="C0GENERAL", text="c", blocks=image({"url": permalink}))
    refused = [
        {"id": "F0NEVER"},
        {"id": text_id},
        {"id": image_id, "url": permalink},
        {"url": "https://example.com/c.png"},
    ]
    for source in refused:
        with pytest.raises(SlackApiError, match="invalid slack file") as caught:
            client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": image(source)})
        assert caught.value.response["error"] == "invalid_blocks"
    no_alt = [{"type": "image", "slack_file": {"id": image_id}}]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C0GENERAL", text="c", blocks=no_alt)
    assert slack.files[image_id]["mimetype"] == "image/png"
    assert not slack.files[image_id]["is_public"]
