"""The KPI digest: a channel's scheduled KPI leaderboard (by tribe), posted once per slot
(claimed in ``digest_posts`` like every digest). Channels subscribe with
``/greenroom digest add kpis <schedule>`` (or ``kpis:<kpi>``, e.g. ``kpis:security``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from catalog.database import writer
from commands.kpis.blocks import board_reply
from integrations.kpis import kpi_board, pick_kpi
from runtime.process import Runtime
from slackkit import blocks as bk
from slackkit.tables import digest_posts

__all__ = ["DIGEST_SUBJECT", "post_kpi_digest"]

DIGEST_SUBJECT = "kpis"


def post_kpi_digest(
    runtime: Runtime, client: WebClient, *, channel: str, slot: datetime, kpi: object = None
) -> dict[str, object]:
    """Post the leaderboard of ``kpi`` to ``channel`` for ``slot``, unless already posted."""
    settings = runtime.settings.kpis
    spec = pick_kpi(settings, kpi if isinstance(kpi, str) and kpi else None)
    subscription = f"digest:{channel}:{DIGEST_SUBJECT}" + (f":{kpi}" if kpi else "")
    now = datetime.now(UTC)
    try:
        with writer(runtime.engine).begin() as conn:
            conn.execute(
                insert(digest_posts).values(
                    subscription=subscription, slot=slot, state="posting", claimed_at=now
                )
            )
    except IntegrityError:
        return {"subscription": subscription, "status": "already posted"}
    board = kpi_board(
        runtime.engine,
        runtime.catalog,
        spec,
        today=slot.astimezone(UTC).date() - timedelta(days=1),
        window_days=settings.window_days,
    )
    reply = board_reply(board, command=runtime.settings.slack.command)
    blocks = [*reply.blocks, *(bk.section(c) for c in bk.pack_lines(reply.lines)), *reply.footer]
    try:
        answer = client.chat_postMessage(
            channel=channel, text=bk.escape(reply.text), blocks=blocks[: bk.MAX_MESSAGE_BLOCKS]
        )
    except SlackApiError as error:
        with writer(runtime.engine).begin() as conn:
            conn.execute(
                digest_posts.delete().where(
                    digest_posts.c.subscription == subscription, digest_posts.c.slot == slot
                )
            )
        raise RuntimeError(f"Slack refused the KPI digest: {error.response.get('error')}") from None
    with writer(runtime.engine).begin() as conn:
        conn.execute(
            update(digest_posts)
            .where(digest_posts.c.subscription == subscription, digest_posts.c.slot == slot)
            .values(state="complete", posted_at=datetime.now(UTC), ts=answer.get("ts"))
        )
    return {"subscription": subscription, "status": "posted", "kpi": spec.name}
