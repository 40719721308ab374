"""Posting one digest exactly once per subscription and scheduled slot.

The worker runs each slot of a schedule once across all replicas (``job_runs``' unique
``(schedule_id, slot)``), but a run that fails after it posted is retried with the same slot.
So the post itself is claimed, in ``digest_posts`` keyed by (subscription, slot):

1. the claim is inserted as ``posting`` (``INSERT ... ON CONFLICT DO NOTHING``: one winner);
2. ``chat.postMessage``; if Slack refuses the message the claim is deleted (nothing was
   posted, a retry may post), else the row becomes ``posted`` with the message's ``ts``;
3. the chart goes into the message's thread, then the row is ``complete``.

A retry resumes where the last attempt stopped: after ``posted`` it only uploads the chart,
after ``complete`` it does nothing. A claim still ``posting`` means an attempt was cut off
while Slack was answering; that slot is not posted again (posting twice is worse than not at
all) and the run says so. The previous posted row is also what "since the last digest" means.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from catalog import GreenroomError
from catalog.database import as_utc, writer
from commands.migrations.blocks import upload_chart
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.tables import digest_posts

__all__ = [
    "DigestContent",
    "DigestNotPosted",
    "DigestOutcome",
    "PreviousDigest",
    "last_posts",
    "previous_digest",
    "publish_digest",
]

log = logging.getLogger(__name__)

POSTING, POSTED, COMPLETE = "posting", "posted", "complete"


class DigestNotPosted(GreenroomError):
    """Slack refused the digest or its chart; the run fails and its retry carries on."""


@dataclass(frozen=True)
class PreviousDigest:
    """The subscription's last digest before this one: when, and what it counted."""

    slot: datetime
    summary: Mapping[str, Any] | None


@dataclass(frozen=True)
class DigestContent:
    """What to post: the message (``text`` is plain, escaped when sent), an optional chart for
    its thread, and counts to keep for the next digest's comparison."""

    text: str
    blocks: list[Block]
    chart_png: bytes = b""
    chart_title: str = ""
    summary: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DigestOutcome:
    """What became of the slot: ``posted`` now, ``chart added`` (an earlier attempt posted the
    message), ``already posted``, or ``unknown`` (an earlier attempt was cut off mid-post)."""

    status: str
    ts: str | None = None
    chart: bool = False

    def summary(self) -> dict[str, Any]:
        """Small JSON for the job's run record."""
        return {"status": self.status, "ts": self.ts, "chart": self.chart}


def previous_digest(engine: Engine, subscription: str, before: datetime) -> PreviousDigest | None:
    """The newest digest of ``subscription`` posted for a slot before ``before``."""
    with engine.connect() as conn:
        row = conn.execute(
            select(digest_posts.c.slot, digest_posts.c.summary)
            .where(
                digest_posts.c.subscription == subscription,
                digest_posts.c.state.in_((POSTED, COMPLETE)),
                digest_posts.c.slot < before,
            )
            .order_by(digest_posts.c.slot.desc())
            .limit(1)
        ).first()
    return PreviousDigest(as_utc(row.slot), row.summary) if row is not None else None


def last_posts(engine: Engine, subscriptions: Collection[str]) -> dict[str, datetime]:
    """When each subscription's newest digest was posted (for ``digest list``)."""
    if not subscriptions:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(digest_posts.c.subscription, func.max(digest_posts.c.posted_at))
            .where(
                digest_posts.c.subscription.in_(sorted(subscriptions)),
                digest_posts.c.posted_at.is_not(None),
            )
            .group_by(digest_posts.c.subscription)
        ).all()
    return {key: as_utc(posted) for key, posted in rows}


def publish_digest(
    client: WebClient,
    engine: Engine,
    *,
    subscription: str,
    channel: str,
    slot: datetime,
    run_id: int,
    build: Callable[[PreviousDigest | None], DigestContent],
) -> DigestOutcome:
    """Post the digest of ``subscription`` for ``slot`` unless it was posted already;
    ``build`` makes the content from the previous digest. Raises ``DigestNotPosted`` when Slack
    refuses the message or the chart (the run's retry picks up from there)."""
    slot = as_utc(slot)
    row = _claim_row(engine, subscription, slot)
    if row is not None and row.state == COMPLETE:
        return DigestOutcome("already posted", row.ts, chart=True)
    if row is not None and row.state == POSTING:
        log.warning(
            "digest %s for %s was being posted by run #%s when it was cut off; not posting "
            "it again",
            subscription,
            slot.isoformat(),
            row.run_id,
        )
        return DigestOutcome("unknown")
    content = build(previous_digest(engine, subscription, slot))
    if row is None:
        if not _claim(engine, subscription, slot, run_id):
            # another attempt claimed it between our look and our claim: its post stands
            return DigestOutcome("already posted")
        ts = _post(client, engine, subscription, channel, slot, content)
    else:
        ts = row.ts
    if content.chart_png:
        problem = upload_chart(
            client, channel=channel, png=content.chart_png, title=content.chart_title, thread_ts=ts
        )
        if problem is not None:
            raise DigestNotPosted(f"The digest was posted, its chart not: {problem}")
    _set(engine, subscription, slot, state=COMPLETE)
    return DigestOutcome("posted" if row is None else "chart added", ts, chart=True)


def _post(
    client: WebClient,
    engine: Engine,
    subscription: str,
    channel: str,
    slot: datetime,
    content: DigestContent,
) -> str:
    try:
        response = client.chat_postMessage(
            channel=channel,
            text=bk.truncate(bk.escape(content.text), 3000),
            blocks=content.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as error:
        # Slack answered and refused: nothing was posted, so a retry may post
        _release(engine, subscription, slot)
        code = str(error.response.get("error") or error.response.status_code)
        raise DigestNotPosted(f"Slack refused the digest for {channel}: {code}") from None
    ts = str(response["ts"])
    _set(
        engine,
        subscription,
        slot,
        state=POSTED,
        ts=ts,
        posted_at=datetime.now(UTC),
        summary=dict(content.summary) if content.summary is not None else None,
    )
    return ts


def _claim_row(engine: Engine, subscription: str, slot: datetime) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            select(digest_posts).where(
                digest_posts.c.subscription == subscription, digest_posts.c.slot == slot
            )
        ).first()


def _claim(engine: Engine, subscription: str, slot: datetime, run_id: int) -> bool:
    values = {
        "subscription": subscription,
        "slot": slot,
        "state": POSTING,
        "run_id": run_id,
        "claimed_at": datetime.now(UTC),
    }
    with writer(engine).begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        inserted = conn.execute(
            dialect.insert(digest_posts)
            .values(values)
            .on_conflict_do_nothing(index_elements=["subscription", "slot"])
            .returning(digest_posts.c.slot)
        ).first()
    return inserted is not None


def _release(engine: Engine, subscription: str, slot: datetime) -> None:
    with writer(engine).begin() as conn:
        conn.execute(
            delete(digest_posts).where(
                digest_posts.c.subscription == subscription,
                digest_posts.c.slot == slot,
                digest_posts.c.state == POSTING,
            )
        )


def _set(engine: Engine, subscription: str, slot: datetime, **values: Any) -> None:
    with writer(engine).begin() as conn:
        conn.execute(
            update(digest_posts)
            .where(digest_posts.c.subscription == subscription, digest_posts.c.slot == slot)
            .values(**values)
        )
