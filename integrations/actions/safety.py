"""One action per workload at a time, claimed in the database (so two clicks, or two web
replicas, do it once), a cooldown per workload, and a per-person rate limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from catalog.database import as_utc, writer
from integrations.actions.audit import count_actions, last_action_at
from integrations.actions.config import ActionsSettings
from integrations.actions.errors import ActionBusy, ActionRefused
from integrations.actions.model import Actor, Target
from integrations.actions.tables import action_claims

__all__ = ["check_limits", "claim"]


def check_limits(engine: Engine, settings: ActionsSettings, actor: Actor, target: Target) -> None:
    """ActionBusy while the workload cools down; ActionRefused past the person's rate limit."""
    now = datetime.now(UTC)
    last = last_action_at(engine, target)
    cooldown = timedelta(seconds=settings.cooldown_seconds)
    if last is not None and now - last < cooldown:
        wait = int((last + cooldown - now).total_seconds()) + 1
        raise ActionBusy(
            f"{target.kind} {target.name} was just changed; it cools down for {wait} s more "
            "so that its effect can be seen first."
        )
    since = now - timedelta(minutes=settings.rate_window_minutes)
    if count_actions(engine, actor.slack_user_id, since=since) >= settings.rate_limit:
        raise ActionRefused(
            f"You have started {settings.rate_limit} actions in the last "
            f"{settings.rate_window_minutes} minutes, the most allowed; try again later."
        )


@contextmanager
def claim(
    engine: Engine, target: Target, action: str, actor: Actor, *, hold: timedelta
) -> Iterator[str]:
    """Hold the workload for one action; ActionBusy when another holds it. A claim older than
    ``hold`` (a crashed process) is taken over."""
    claim_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    row = {
        "target_key": target.key,
        "claim_id": claim_id,
        "action": action,
        "actor_slack_id": actor.slack_user_id,
        "claimed_at": now,
        "expires_at": now + hold,
    }
    for _ in range(2):
        try:
            with writer(engine).begin() as conn:
                conn.execute(insert(action_claims).values(**row))
            break
        except IntegrityError:
            with writer(engine).begin() as conn:
                held = (
                    conn.execute(
                        select(action_claims).where(action_claims.c.target_key == target.key)
                    )
                    .mappings()
                    .first()
                )
                if held is None:
                    continue
                if as_utc(held["expires_at"]) < now:  # its process died: take it over
                    conn.execute(
                        delete(action_claims).where(
                            and_(
                                action_claims.c.target_key == target.key,
                                action_claims.c.claim_id == held["claim_id"],
                            )
                        )
                    )
                    continue
            raise ActionBusy(
                f"Another {held['action']} of {target.kind} {target.name} is running right now; "
                "it was not started twice. Its outcome is posted when it ends."
            ) from None
    else:
        raise ActionBusy(f"{target.kind} {target.name} is busy; try again in a moment.")
    try:
        yield claim_id
    finally:
        with writer(engine).begin() as conn:
            conn.execute(
                delete(action_claims).where(
                    and_(
                        action_claims.c.target_key == target.key,
                        action_claims.c.claim_id == claim_id,
                    )
                )
            )
