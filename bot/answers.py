"""From typed text to a sent reply: route to the subcommand, turn errors into answers, send.

Every path that answers a question (slash command, mention, button, console) goes through
:func:`answer` then :func:`deliver`, so errors look the same everywhere:

- EntityNotFound / AmbiguousEntity -> "did you mean" buttons that run the corrected command;
- any other GreenroomError (UsageError included) -> its message and the subcommand's usage;
- a Slack Web API error -> "Slack returned an error", logged;
- anything else is a bug -> "something went wrong on our side", logged with the traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.request_log import log_answer
from catalog import AmbiguousEntity, EntityNotFound, GreenroomError
from catalog.database import database_unavailable
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.grammar import clean_text
from slackkit.incoming import Incoming
from slackkit.modals import ModalView
from slackkit.replies import (
    RUN_ACTION,
    Reply,
    ReplyState,
    render_reply,
)
from slackkit.router import Ask, Via
from slackkit.users import Caller

__all__ = [
    "UNAVAILABLE",
    "Answer",
    "Ephemeral",
    "ReplyTarget",
    "ResponseUrl",
    "answer",
    "database_away",
    "deliver",
]

#: What people are told while the database is not answering.
UNAVAILABLE = (
    ":hourglass_flowing_sand: The catalog is briefly unavailable (its database is not "
    "answering). Please ask again in a minute."
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A subcommand's reply (None: it answered by itself), with what metrics need."""

    command: str
    outcome: str
    state: ReplyState
    reply: Reply | None


def answer(
    deps: Deps,
    raw_text: str,
    *,
    caller: Caller,
    client: WebClient,
    channel_id: str | None = None,
    trigger_id: str | None = None,
    page: int = 0,
    via: Via = "command",
    modal: ModalView | None = None,
    thread_ts: str | None = None,
) -> Answer:
    """Run the subcommand that ``raw_text`` (Slack's escaped text) names (``modal``: the
    loading modal already opened for it, see slackkit/modals.py)."""
    name = "help"
    try:
        text = clean_text(raw_text, strip_leading_mention=via == "mention")
        first, _, rest = text.partition(" ")
        name = first.lower() or "help"
        sub = deps.router.get(name)
        if sub is None:
            return _unknown(deps, first, rest, caller=caller, client=client)
        name = sub.name
        ask = Ask(
            name, rest.strip(), caller, client, channel_id, trigger_id, page, via, modal, thread_ts
        )
        state = ReplyState(ask.command, page)
        try:
            return Answer(name, "ok", state, sub.handler(ask))
        except (EntityNotFound, AmbiguousEntity) as error:
            return Answer(name, "not_found", state, _did_you_mean(ask, error))
        except GreenroomError as error:
            usage = f"Usage: {bk.code(deps.settings.slack.command + ' ' + sub.usage)}"
            reply = Reply(
                error.user_message,
                (bk.section(bk.escape(error.user_message)), bk.context(usage)),
                shareable=False,
            )
            return Answer(name, "user_error", state, reply)
    except GreenroomError as error:
        return Answer(name, "user_error", ReplyState(name), Reply.simple(error.user_message))
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        log.warning("Slack API error while answering %r: %s", name, code)
        text = f"Slack returned an error while I was answering ({code}). Please try again."
        return Answer(name, "slack_error", ReplyState(name), Reply.simple(text))
    except Exception as error:
        if database_unavailable(error):
            log.warning("Answering %r: the database is not answering: %s", name, error)
            return Answer(name, "unavailable", ReplyState(name), Reply.simple(UNAVAILABLE))
        log.exception("Answering %r failed", name)
        text = "Something went wrong on our side while answering; it has been logged."
        return Answer(name, "error", ReplyState(name), Reply.simple(text))


def _unknown(deps: Deps, first: str, rest: str, *, caller: Caller, client: WebClient) -> Answer:
    command = deps.settings.slack.command
    intro = bk.section(
        f"I don't know {bk.code(first)}. Here is what I can answer "
        f"(type {bk.code(command + ' help')} any time):"
    )
    buttons = [
        bk.button(f"{name} {rest}".strip(), f"{RUN_ACTION}:{i}", value)
        for i, name in enumerate(deps.router.closest(first))
        if (value := ReplyState(f"{name} {rest}".strip()).encode())
    ]
    head = [intro, bk.actions(buttons, block_id="greenroom.did_you_mean")] if buttons else [intro]
    helper = deps.router.get("help")
    if helper is None:
        return Answer("unknown", "user_error", ReplyState("help"), Reply(first, tuple(head)))
    shown = helper.handler(Ask("help", "", caller, client))
    reply = shown or Reply("help")
    merged = replace(reply, text=f"I don't know {first}", blocks=(*head, *reply.blocks))
    return Answer("unknown", "user_error", ReplyState("help"), merged)


def _did_you_mean(ask: Ask, error: EntityNotFound | AmbiguousEntity) -> Reply:
    if isinstance(error, AmbiguousEntity):
        options, lead = error.candidates, f"{bk.code(error.query)} could mean several things:"
    else:
        options = error.suggestions
        lead = f"I could not find {bk.code(error.query)} in the catalog."
        lead += " Did you mean:" if options else " Try `find` with part of its name."
    buttons = []
    for i, ref in enumerate(options[:5]):
        command = ask.command.replace(error.query, ref, 1) if error.query else ""
        if error.query not in ask.command or not command:
            command = f"{ask.name} {ref}"
        value = ReplyState(command).encode()
        if value:
            buttons.append(bk.button(ref, f"{RUN_ACTION}:{i}", value))
    head = [bk.section(lead)]
    if buttons:
        head.append(bk.actions(buttons, block_id="greenroom.did_you_mean"))
    return Reply(error.user_message, tuple(head), shareable=False)


class ReplyTarget(Protocol):
    """Where an answer goes: the command's response_url, or an ephemeral message."""

    def send(self, message: dict[str, Any], *, replace: bool = False) -> bool: ...


class ResponseUrl:
    """Replies through a ``response_url`` (5 uses within 30 minutes, no channel membership)."""

    def __init__(self, url: str, *, timeout: int, retry_handlers: list[RetryHandler]) -> None:
        self.client = WebhookClient(url, timeout=timeout, retry_handlers=retry_handlers)

    def send(self, message: dict[str, Any], *, replace: bool = False) -> bool:
        """An ephemeral reply (replacing the message a button was on, with ``replace``)."""
        return self._post({**message, "response_type": "ephemeral", "replace_original": replace})

    def share(self, message: dict[str, Any]) -> bool:
        """Post ``message`` for the whole channel, then remove the ephemeral original."""
        shared = self._post({**message, "response_type": "in_channel", "replace_original": False})
        return shared and self._post({"delete_original": True})

    def _post(self, payload: dict[str, Any]) -> bool:
        try:
            response = self.client.send_dict(payload)
            if response.status_code == 400 and (plain := bk.without_slack_files(payload)):
                log.warning("response_url refused the message's image; sending it without")
                response = self.client.send_dict(plain)
        except (SlackClientError, OSError) as error:
            log.warning("response_url failed: %s", type(error).__name__)
            return False
        if response.status_code != 200:
            log.warning("response_url answered %s: %s", response.status_code, response.body[:200])
        return response.status_code == 200


class Ephemeral:
    """Replies as an ephemeral message in a channel (or thread), for mentions."""

    def __init__(self, client: WebClient, channel: str, user: str, thread_ts: str | None) -> None:
        self.client, self.channel, self.user, self.thread_ts = client, channel, user, thread_ts

    def send(self, message: dict[str, Any], *, replace: bool = False) -> bool:
        try:
            try:
                self._post(message)
            except SlackApiError as error:
                plain = bk.without_slack_files(message)
                if error.response.get("error") != "invalid_blocks" or plain is None:
                    raise
                log.warning("chat.postEphemeral refused the message's image; sending it without")
                self._post(plain)
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("chat.postEphemeral failed: %s", _describe(error))
            return False
        return True

    def _post(self, message: dict[str, Any]) -> None:
        self.client.chat_postEphemeral(
            channel=self.channel, user=self.user, thread_ts=self.thread_ts, **message
        )


@contextmanager
def database_away(
    deps: Deps,
    send: Callable[[dict[str, Any]], object],
    *,
    command: str,
    delivery: Incoming,
    received: float | None = None,
    request_id: str | None = None,
) -> Iterator[None]:
    """Around the part of a listener that needs the database (claiming the delivery,
    resolving the caller): while it is not answering, the person is told so through
    ``send`` instead of hearing nothing, and the request's record says so."""
    try:
        yield
    except Exception as error:
        if not database_unavailable(error):
            raise
        log.warning("Answering a %s: the database is not answering: %s", command, error)
        deps.metrics.replies.labels(command, "unavailable").inc()
        page_size = deps.settings.slack.page_size
        sent = send(
            render_reply(Reply.simple(UNAVAILABLE), ReplyState(command), page_size=page_size)
        )
        log_answer(
            request_id=request_id,
            team_id=delivery.team_id,
            user_id=delivery.user_id,
            command=command,
            outcome="unavailable",
            received=received,
            delivered=sent is not False,
        )


def deliver(
    deps: Deps,
    result: Answer,
    target: ReplyTarget,
    *,
    caller: Caller,
    received: float | None = None,
    mode: Literal["reply", "replace", "share"] = "reply",
    request_id: str | None = None,
) -> bool:
    """Render ``result`` for ``target``, send it, count it and log it; False when Slack
    refused.

    ``replace`` swaps the message a button was on; ``share`` posts it for the channel.
    """
    metrics = deps.metrics
    metrics.replies.labels(result.command, result.outcome).inc()
    sent = True
    if result.reply is not None:  # None: the subcommand answered by itself (a modal)
        sent = _send(deps, result, target, caller=caller, mode=mode)
        if received is not None:
            metrics.reply_seconds.labels(result.command).observe(time.monotonic() - received)
    log_answer(
        request_id=request_id,
        team_id=caller.team_id,
        user_id=caller.user_id,
        command=result.command,
        outcome=result.outcome,
        received=received,
        delivered=sent,
    )
    return sent


def _send(
    deps: Deps,
    result: Answer,
    target: ReplyTarget,
    *,
    caller: Caller,
    mode: Literal["reply", "replace", "share"],
) -> bool:
    assert result.reply is not None
    page_size = deps.settings.slack.page_size
    if mode == "share" and isinstance(target, ResponseUrl) and _shareable(result):
        message = render_reply(
            result.reply, result.state, page_size=page_size, shared_by=caller.user_id
        )
        sent = target.share(message)
    else:
        notes = () if caller.mapped else (_unmapped_note(caller, deps.settings.slack.command),)
        if mode == "share":
            # Asked again, the answer is an error (or not meant for a channel): the channel
            # sees nothing, the clicker sees why and what it says now.
            notes = (_not_shared_note(result), *notes)
        message = render_reply(result.reply, result.state, page_size=page_size, notes=notes)
        sent = target.send(message, replace=mode == "replace")
    if not sent:
        deps.metrics.send_failures.labels(type(target).__name__).inc()
    return sent


def _shareable(result: Answer) -> bool:
    """Whether ``result`` is an answer to post for a channel: never an error or a refusal."""
    return result.outcome == "ok" and result.reply is not None and result.reply.shareable


def _not_shared_note(result: Answer) -> str:
    return (
        f":warning: Not shared: asked again just now, {bk.code(result.state.command)} "
        "no longer has an answer to share. This is what it says now, for you only."
    )


def _unmapped_note(caller: Caller, command: str) -> str:
    why = f" ({bk.escape(caller.problem)})" if caller.problem else ""
    return (
        f":bust_in_silhouette: I could not match you to a catalog user{why}, so answers are not "
        f"personalised; {bk.code(command + ' whoami')} says why."
    )


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__
