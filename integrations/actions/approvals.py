"""Requests for an action, waiting for an owner's Approve or Deny: stored, decided exactly
once (a conditional update, so two owners clicking at once decide it once), and expired."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, select, update

from catalog import EntityRef, parse_ref
from catalog.database import as_utc, writer
from integrations.actions.model import Actor, Plan, Target
from integrations.actions.tables import action_requests

__all__ = [
    "ActionRequest",
    "decide_request",
    "due_requests",
    "load_request",
    "pending_for",
    "save_request",
]


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A request as stored."""

    id: str
    action: str
    entity: EntityRef
    target: Target
    params: Mapping[str, str]
    summary: str
    requester: Actor
    owner: EntityRef | None
    status: str
    created_at: datetime
    expires_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    outcome: str | None = None
    channel: str | None = None
    message_ts: str | None = None

    def expired(self, now: datetime) -> bool:
        return self.status == "pending" and self.expires_at <= now


def save_request(
    engine: Engine,
    plan: Plan,
    entity: EntityRef,
    requester: Actor,
    owner: EntityRef | None,
    *,
    params: Mapping[str, str],
    ttl: timedelta,
) -> ActionRequest:
    """Store a new pending request (its params unredacted: they are needed to act later)."""
    now = datetime.now(UTC)
    row = {
        "id": uuid.uuid4().hex[:16],
        "action": plan.action,
        "entity_ref": str(entity),
        "target": plan.target.to_json(),
        "params": dict(params),
        "summary": plan.summary,
        "requester_slack_id": requester.slack_user_id,
        "requester_team_id": requester.team_id,
        "requester_ref": str(requester.person) if requester.person else None,
        "requester_name": requester.label[:200],
        "owner_ref": str(owner) if owner else None,
        "status": "pending",
        "created_at": now,
        "expires_at": now + ttl,
    }
    with writer(engine).begin() as conn:
        conn.execute(insert(action_requests).values(**row))
    return _request(row)


def load_request(engine: Engine, request_id: str) -> ActionRequest | None:
    with engine.connect() as conn:
        row = (
            conn.execute(select(action_requests).where(action_requests.c.id == request_id[:32]))
            .mappings()
            .first()
        )
    return _request(dict(row)) if row else None


def note_message(engine: Engine, request_id: str, channel: str, ts: str) -> None:
    """Where the request was posted, so its message can be updated when decided."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(action_requests)
            .where(action_requests.c.id == request_id)
            .values(channel=channel[:80], message_ts=ts[:40])
        )


def decide_request(engine: Engine, request_id: str, status: str, by: str, *, now: datetime) -> bool:
    """Pending -> ``status``, once: False when someone else decided it first or it expired."""
    where = and_(action_requests.c.id == request_id, action_requests.c.status == "pending")
    if status != "expired":
        where = and_(where, action_requests.c.expires_at > now)
    with writer(engine).begin() as conn:
        result = conn.execute(
            update(action_requests)
            .where(where)
            .values(status=status, decided_by_slack_id=by[:40], decided_at=now)
        )
    return result.rowcount == 1


def finish_request(engine: Engine, request_id: str, status: str, outcome: str) -> None:
    """The outcome of an approved request's action."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(action_requests)
            .where(action_requests.c.id == request_id)
            .values(status=status, outcome=outcome[:2000])
        )


def pending_for(
    engine: Engine, owners: Sequence[EntityRef], now: datetime, *, limit: int = 20
) -> list[ActionRequest]:
    """Requests waiting for a decision by these owners, oldest first."""
    if not owners:
        return []
    query = (
        select(action_requests)
        .where(
            action_requests.c.status == "pending",
            action_requests.c.expires_at > now,
            action_requests.c.owner_ref.in_(sorted({str(o) for o in owners})),
        )
        .order_by(action_requests.c.created_at)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [_request(dict(r)) for r in conn.execute(query).mappings().all()]


def due_requests(engine: Engine, now: datetime, *, limit: int = 500) -> list[ActionRequest]:
    """Pending requests past their expiry."""
    query = (
        select(action_requests)
        .where(action_requests.c.status == "pending", action_requests.c.expires_at <= now)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [_request(dict(r)) for r in conn.execute(query).mappings().all()]


def _request(row: Mapping[str, Any]) -> ActionRequest:
    requester = Actor(
        slack_user_id=row["requester_slack_id"],
        person=parse_ref(row["requester_ref"]) if row.get("requester_ref") else None,
        name=row["requester_name"],
        team_id=row["requester_team_id"],
    )
    decided = row.get("decided_at")
    return ActionRequest(
        id=row["id"],
        action=row["action"],
        entity=parse_ref(row["entity_ref"]),
        target=Target.from_json(row["target"]),
        params=dict(row["params"] or {}),
        summary=row["summary"],
        requester=requester,
        owner=parse_ref(row["owner_ref"]) if row.get("owner_ref") else None,
        status=row["status"],
        created_at=as_utc(row["created_at"]),
        expires_at=as_utc(row["expires_at"]),
        decided_by=row.get("decided_by_slack_id"),
        decided_at=as_utc(decided) if decided else None,
        outcome=row.get("outcome"),
        channel=row.get("channel"),
        message_ts=row.get("message_ts"),
    )
