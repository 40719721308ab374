"""The Bolt listeners of the umbrella command: the slash command, mentions, the Home tab, and
the buttons every reply carries ("Show more", "Share in channel", "did you mean").

Each listener acks at once (touching neither the database nor Slack) and does the work in a
lazy listener on the listener pool. The lazy part first claims the delivery (the middleware's
``Incoming``), so a retried or duplicated request never answers twice, then resolves the caller
and answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.answers import Ephemeral, ResponseUrl, answer, database_away, deliver
from bot.middleware import install_middleware
from bot.request_log import REQUEST_ID, log_answer
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.incoming import RECEIVED, ack_now, incoming
from slackkit.modals import open_for_command
from slackkit.replies import (
    PAGE_ACTION,
    RUN_ACTION,
    SHARE_ACTION,
    ReplyState,
)
from slackkit.slack_client import retry_handlers

__all__ = ["register_listeners"]

log = logging.getLogger(__name__)


def register_listeners(app: App, deps: Deps) -> None:
    """Wire the umbrella command, mentions, the Home tab and the reply buttons."""
    slack = deps.settings.slack
    install_middleware(app, deps)

    def answer_command(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        target = _response_url(deps, body)
        if target is not None:
            with _database_away(deps, target.send, "command", context):
                _answer_command(body, client, context, target)

    def _answer_command(
        body: dict[str, Any], client: WebClient, context: BoltContext, target: ResponseUrl
    ) -> None:
        delivery = incoming(context)
        if not delivery.first_time():
            return
        # Before anything slow: the trigger of a subcommand that opens a modal lasts 3 s.
        modal = open_for_command(deps.router, client, body)
        caller = delivery.caller(client)
        result = answer(
            deps,
            body.get("text") or "",
            caller=caller,
            client=client,
            channel_id=body.get("channel_id"),
            trigger_id=body.get("trigger_id"),
            modal=modal,
        )
        deliver(
            deps,
            result,
            target,
            caller=caller,
            received=context.get(RECEIVED),
            request_id=context.get(REQUEST_ID),
        )

    def answer_mention(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        event = body.get("event") or {}
        if event.get("bot_id") or not event.get("user"):
            return
        there = Ephemeral(client, event.get("channel", ""), event["user"], event.get("thread_ts"))
        with _database_away(deps, there.send, "mention", context):
            _answer_mention(event, client, context)

    def _answer_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        delivery = incoming(context)
        if not delivery.first_time():
            return
        caller = delivery.caller(client)
        result = answer(
            deps,
            event.get("text") or "",
            caller=caller,
            client=client,
            channel_id=event.get("channel"),
            via="mention",
            thread_ts=event.get("thread_ts"),
        )
        thread = event.get("thread_ts")
        target = Ephemeral(client, event.get("channel", ""), event["user"], thread)
        deliver(
            deps,
            result,
            target,
            caller=caller,
            received=context.get(RECEIVED),
            request_id=context.get(REQUEST_ID),
        )

    def publish_home(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home" or not event.get("user"):
            return

        def publish(message: dict[str, Any]) -> bool:
            view = {"type": "home", "blocks": message.get("blocks") or []}
            try:
                client.views_publish(user_id=event["user"], view=view)
            except (SlackApiError, SlackClientError, OSError):
                return False
            return True

        with _database_away(deps, publish, "home", context):
            _publish_home(event, client, context)

    def _publish_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        delivery = incoming(context)
        if not delivery.first_time():
            return
        caller = delivery.caller(client)
        view = deps.home.build(
            HomeContext(caller, deps.catalog, client),
            app_name=slack.app_name,
            command=slack.command,
        )
        try:
            _publish_view(client, event["user"], view)
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("views.publish failed: %s", error)
            deps.metrics.send_failures.labels("views.publish").inc()
            published = False
        else:
            published = True
        deps.metrics.replies.labels("home", "ok").inc()
        log_answer(
            request_id=context.get(REQUEST_ID),
            team_id=caller.team_id,
            user_id=caller.user_id,
            command="home",
            outcome="ok",
            received=context.get(RECEIVED),
            delivered=published,
        )

    def run_button(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        _on_button(deps, body, client, context, share=False)

    def share_button(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        _on_button(deps, body, client, context, share=True)

    app.command(slack.command)(ack=ack_now, lazy=[answer_command])
    app.event("app_mention")(ack=ack_now, lazy=[answer_mention])
    app.event("app_home_opened")(ack=ack_now, lazy=[publish_home])
    app.action(re.compile(rf"^({re.escape(PAGE_ACTION)}|{re.escape(RUN_ACTION)}(:\d+)?)$"))(
        ack=ack_now, lazy=[run_button]
    )
    app.action(SHARE_ACTION)(ack=ack_now, lazy=[share_button])
    app.event("link_shared")(ack=ack_now, lazy=[deps.link_previews.listener(deps.metrics)])


def _on_button(
    deps: Deps,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    share: bool,
) -> None:
    target = _response_url(deps, body)
    if target is None:
        return
    with _database_away(deps, target.send, "button", context):
        _answer_button(deps, body, client, context, target, share=share)


def _answer_button(
    deps: Deps,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    target: ResponseUrl,
    *,
    share: bool,
) -> None:
    action = (body.get("actions") or [{}])[0]
    delivery = incoming(context)
    if not delivery.first_time():
        return
    caller = delivery.caller(client)
    try:
        state = ReplyState.decode(action.get("value"))
    except UsageError as error:
        target.send({"text": bk.escape(error.user_message)}, replace=False)
        return
    result = answer(
        deps, state.command, caller=caller, client=client, page=state.page, via="button"
    )
    received = context.get(RECEIVED)
    deliver(
        deps,
        result,
        target,
        caller=caller,
        received=received,
        mode="share" if share else "replace",
        request_id=context.get(REQUEST_ID),
    )


def _database_away(
    deps: Deps, send: Callable[[dict[str, Any]], object], command: str, context: BoltContext
) -> AbstractContextManager[None]:
    return database_away(
        deps,
        send,
        command=command,
        delivery=incoming(context),
        received=context.get(RECEIVED),
        request_id=context.get(REQUEST_ID),
    )


def _response_url(deps: Deps, body: dict[str, Any]) -> ResponseUrl | None:
    url = body.get("response_url")
    slack = deps.settings.slack
    if not isinstance(url, str) or not slack.allows_response_url(url):
        # Only Slack's hosts (slack.response_url_origins): a response_url elsewhere would
        # have greenroom post answers to wherever a request said.
        log.warning("request without a response_url on Slack's hosts; not answered")
        return None
    timeout = slack.http_timeout_seconds
    return ResponseUrl(url, timeout=timeout, retry_handlers=retry_handlers())


def _publish_view(client: WebClient, user: str, view: dict[str, Any]) -> None:
    """Publish the Home tab; when Slack refuses an image it cannot show (a chart deleted in
    Slack), publish it without the image rather than leave the tab stale."""
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as error:
        plain = bk.without_slack_files(view)
        if error.response.get("error") != "invalid_blocks" or plain is None:
            raise
        log.warning("views.publish refused the Home tab's image; publishing it without")
        client.views_publish(user_id=user, view=plain)
