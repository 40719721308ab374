"""The audit trail: one row per request, approval, denial, expiry, dry run, action and
outcome. A write that fails raises ``AuditWriteFailed`` so the caller stops before acting:
nothing may be done that is not recorded."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from catalog import EntityRef
from catalog.database import as_utc, writer
from integrations.actions.errors import AuditWriteFailed
from integrations.actions.model import Actor, SlackIds, Target, redact
from integrations.actions.tables import action_audit

__all__ = ["EVENTS", "AuditRecord", "count_actions", "last_action_at", "read_audit", "record"]

log = logging.getLogger(__name__)

EVENTS = (
    "request",
    "approve",
    "deny",
    "expire",
    "dry_run",
    "action",
    "outcome",
    "refused",
)
_MESSAGE_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the trail, as stored."""

    id: int
    at: datetime
    event: str
    action: str
    entity_ref: str
    target: str
    actor_slack_id: str
    actor_name: str
    outcome: str
    message: str
    actor_ref: str | None = None
    cluster: str | None = None
    namespace: str | None = None
    request_id: str | None = None
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    slack_channel: str | None = None
    slack_ts: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def record(
    engine: Engine,
    *,
    event: str,
    action: str,
    entity: EntityRef,
    target: Target,
    actor: Actor,
    outcome: str,
    message: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    request_id: str | None = None,
    slack: SlackIds | None = None,
    now: datetime | None = None,
) -> int:
    """Write one record; AuditWriteFailed if the database refuses (the action must stop)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    slack = slack or SlackIds()
    row = {
        "at": now or datetime.now(UTC),
        "event": event,
        "action": action,
        "entity_ref": str(entity),
        "target_key": target.key,
        "cluster": target.cluster,
        "namespace": target.namespace,
        "actor_slack_id": actor.slack_user_id,
        "actor_team_id": actor.team_id,
        "actor_ref": str(actor.person) if actor.person else None,
        "actor_name": actor.label[:200],
        "request_id": request_id,
        "outcome": outcome,
        "message": message[:_MESSAGE_LIMIT],
        "before": dict(before or {}),
        "after": {k: v for k, v in (after or {}).items() if k != "applied"},
        "params": redact(params or {}),
        "slack_channel": slack.channel,
        "slack_ts": slack.message_ts,
        "slack_view_id": slack.view_id,
    }
    try:
        with writer(engine).begin() as conn:
            result = conn.execute(insert(action_audit).values(**row))
            key = result.inserted_primary_key
    except SQLAlchemyError as error:
        log.error("audit write failed (%s): %s", type(error).__name__, event)
        raise AuditWriteFailed(
            "The audit trail could not be written, so nothing was done. Try again later; "
            "the platform team has been told in greenroom's log."
        ) from None
    return int(key[0]) if key else 0


def read_audit(
    engine: Engine,
    *,
    entity: EntityRef | None = None,
    limit: int = 50,
    events: Sequence[str] = (),
) -> list[AuditRecord]:
    """The newest records first, for one entity or all."""
    query = select(action_audit).order_by(action_audit.c.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(action_audit.c.entity_ref == str(entity))
    if events:
        query = query.where(action_audit.c.event.in_(list(events)))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        AuditRecord(
            id=r["id"],
            at=as_utc(r["at"]),
            event=r["event"],
            action=r["action"],
            entity_ref=r["entity_ref"],
            target=r["target_key"],
            actor_slack_id=r["actor_slack_id"],
            actor_name=r["actor_name"],
            outcome=r["outcome"],
            message=r["message"],
            actor_ref=r["actor_ref"],
            cluster=r["cluster"],
            namespace=r["namespace"],
            request_id=r["request_id"],
            before=r["before"] or {},
            after=r["after"] or {},
            params=r["params"] or {},
            slack_channel=r["slack_channel"],
            slack_ts=r["slack_ts"],
        )
        for r in rows
    ]


def last_action_at(engine: Engine, target: Target) -> datetime | None:
    """When the newest action on this workload ended (its ``outcome`` record)."""
    query = select(func.max(action_audit.c.at)).where(
        action_audit.c.target_key == target.key, action_audit.c.event == "outcome"
    )
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    return as_utc(value) if value is not None else None


def count_actions(engine: Engine, slack_user_id: str, *, since: datetime) -> int:
    """How many actions a person started since ``since`` (for the rate limit)."""
    query = select(func.count()).where(
        action_audit.c.actor_slack_id == slack_user_id,
        action_audit.c.event == "action",
        action_audit.c.at >= since,
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)
