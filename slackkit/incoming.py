"""One Slack delivery as listeners see it: claimed once across replicas, and its sender resolved
once, with one rule for which team a Slack user id belongs to.

The shell's middleware (``bot/middleware.py``) puts an :class:`Incoming` in every request's
context before any listener runs, and does no I/O there: the claim (a database insert) and the
caller (a cache read, maybe ``users.info``) happen on first use, which listeners put after the
ack. A listener that answers later asks::

    def answer(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        delivery = incoming(context)
        if not delivery.first_time():
            return                                   # a retry or a double click
        caller = delivery.caller(client)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from slackkit.deliveries import DeliveryLog, delivery_key
from slackkit.metrics import Metrics
from slackkit.users import Caller, UserResolver

__all__ = ["RECEIVED", "Incoming", "ack_now", "attach", "identity_team", "incoming", "sender_id"]

#: Context key the web layer (and the console) sets to ``time.monotonic()`` on receipt.
RECEIVED = "greenroom_received"
_INCOMING = "greenroom_incoming"


def ack_now(ack: Ack) -> None:
    """Acknowledge with an empty 200: the answer follows via response_url or the Web API."""
    ack()


def identity_team(body: Mapping[str, Any], context: BoltContext) -> str:
    """Where a Slack user id is unique: the Enterprise Grid organisation when there is one (its
    user ids are the same in every workspace of it), else the workspace."""
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, Mapping) else None
    return str(context.enterprise_id or context.team_id or team_id or body.get("team_id") or "")


def sender_id(body: Mapping[str, Any], context: BoltContext) -> str:
    """The Slack user who sent ``body``: a command's ``user_id``, an interaction's ``user.id``,
    an event's ``event.user``."""
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("id"):
        return str(user["id"])
    event = body.get("event")
    if isinstance(event, Mapping) and isinstance(event.get("user"), str):
        return str(event["user"])
    return str(body.get("user_id") or context.user_id or "")


class Incoming:
    """This delivery: whether it is the first time it arrived, and who sent it."""

    def __init__(
        self,
        body: Mapping[str, Any],
        context: BoltContext,
        *,
        deliveries: DeliveryLog,
        users: UserResolver,
        metrics: Metrics,
    ) -> None:
        self.key = delivery_key(dict(body))
        self.team_id = identity_team(body, context)
        self.user_id = sender_id(body, context)
        self._deliveries, self._users, self._metrics = deliveries, users, metrics
        self._lock = threading.Lock()
        self._first: bool | None = None
        self._caller: Caller | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Incoming:
        # Bolt copies the context for lazy listeners: they must share this delivery's claim.
        return self

    def first_time(self) -> bool:
        """True for the first delivery of this request anywhere; duplicates are counted."""
        with self._lock:
            if self._first is None:
                self._first = self._deliveries.claim(self.key)
                if not self._first:
                    self._metrics.duplicates.inc()
            return self._first

    def caller(self, client: WebClient) -> Caller:
        """The sender, mapped to the catalog (resolved once per delivery)."""
        with self._lock:
            if self._caller is None:
                self._caller = self._users.resolve(client, self.team_id, self.user_id)
            return self._caller


def incoming(context: BoltContext) -> Incoming:
    """The delivery the middleware attached to this request."""
    found = context.get(_INCOMING)
    if not isinstance(found, Incoming):
        raise RuntimeError("the greenroom middleware did not run for this request")
    return found


def attach(context: BoltContext, delivery: Incoming) -> None:
    """For the middleware: put ``delivery`` on the request."""
    context[_INCOMING] = delivery
