"""One log record per answered Slack request: who asked (Slack team and user ids, never
tokens or text), which subcommand, how it ended and how long it took, under a request id.

The id is the ``X-Request-Id`` an ingress put on the request (so its access log and ours
line up), else a short hash of Slack's signature (the same in the web process that acked and
the answering process that answered), else a fresh one (Socket Mode, whose requests carry
neither). A Bolt middleware puts it in the context; :func:`log_answer` writes the record.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence

from slack_bolt import BoltContext, BoltRequest, BoltResponse

__all__ = ["REQUEST_ID", "assign_request_id", "log_answer"]

#: Context key holding the request id.
REQUEST_ID = "greenroom_request_id"

log = logging.getLogger("greenroom.requests")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def assign_request_id(
    context: BoltContext, request: BoltRequest, next_: Callable[[], BoltResponse]
) -> BoltResponse:
    """Bolt middleware: ``context[REQUEST_ID]`` for the listeners (and their lazy parts)."""
    if REQUEST_ID not in context:
        context[REQUEST_ID] = request_id(request.headers)
    return next_()


def request_id(headers: Mapping[str, Sequence[str]]) -> str:
    """The id for a request with these headers (lower-case names, as Bolt keeps them)."""
    given = (headers.get("x-request-id") or [""])[0]
    if _SANE_ID.match(given):
        return given
    signature = (headers.get("x-slack-signature") or [""])[0]
    if signature:
        return hashlib.sha256(signature.encode()).hexdigest()[:16]
    return uuid.uuid4().hex[:16]


def log_answer(
    *,
    request_id: str | None,
    team_id: str,
    user_id: str,
    command: str,
    outcome: str,
    received: float | None,
    delivered: bool,
) -> None:
    """The request's record: ``answered <command>: <outcome> in <n> ms`` with those fields."""
    latency_ms = round((time.monotonic() - received) * 1000) if received is not None else None
    took = f" in {latency_ms} ms" if latency_ms is not None else ""
    state = "" if delivered else " (Slack refused the reply)"
    log.info(
        "answered %s: %s%s%s",
        command,
        outcome,
        took,
        state,
        extra={
            "request_id": request_id,
            "team_id": team_id,
            "user_id": user_id,
            "command": command,
            "outcome": outcome,
            "latency_ms": latency_ms,
            "delivered": delivered,
        },
    )
