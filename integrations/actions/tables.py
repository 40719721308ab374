"""Actions' state: requests waiting for an owner, the one claim per workload, and the audit
trail of everything that was asked, decided, previewed, done and seen."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["action_audit", "action_claims", "action_requests"]

REF = String(400)
SLACK_ID = String(40)

action_requests = Table(
    "action_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("action", String(64), nullable=False),
    Column("entity_ref", REF, nullable=False),
    Column("target", JSON, nullable=False, comment="{kind, name, cluster, namespace}"),
    Column("params", JSON, nullable=False, comment="form values (secret-looking ones redacted)"),
    Column("summary", Text, nullable=False, comment="the dry run's summary when requested"),
    Column("requester_slack_id", SLACK_ID, nullable=False),
    Column("requester_team_id", SLACK_ID, nullable=False),
    Column("requester_ref", REF, nullable=True),
    Column("requester_name", String(200), nullable=False),
    Column("owner_ref", REF, nullable=True),
    Column("status", String(16), nullable=False, comment="pending approved denied expired"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("decided_by_slack_id", SLACK_ID, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("outcome", Text, nullable=True),
    Column("channel", String(80), nullable=True, comment="where the request was posted"),
    Column("message_ts", String(40), nullable=True),
    Index("ix_action_requests_status_expires", "status", "expires_at"),
)

action_claims = Table(
    "action_claims",
    metadata,
    Column("target_key", String(400), primary_key=True, comment="cluster/namespace/kind/name"),
    Column("claim_id", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor_slack_id", SLACK_ID, nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, comment="a crashed run's claim"),
)

action_audit = Table(
    "action_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("event", String(16), nullable=False, comment="request approve deny expire dry_run ..."),
    Column("action", String(64), nullable=False),
    Column("entity_ref", REF, nullable=False),
    Column("target_key", String(400), nullable=False),
    Column("cluster", String(63), nullable=True),
    Column("namespace", String(63), nullable=True),
    Column("actor_slack_id", SLACK_ID, nullable=False),
    Column("actor_team_id", SLACK_ID, nullable=False),
    Column("actor_ref", REF, nullable=True),
    Column("actor_name", String(200), nullable=False),
    Column("request_id", String(32), nullable=True),
    Column("outcome", String(16), nullable=False, comment="ok failed refused pending"),
    Column("message", Text, nullable=False),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("params", JSON, nullable=False),
    Column("slack_channel", String(80), nullable=True),
    Column("slack_ts", String(40), nullable=True),
    Column("slack_view_id", String(40), nullable=True),
    Index("ix_action_audit_entity", "entity_ref", "at"),
    Index("ix_action_audit_target", "target_key", "at"),
    Index("ix_action_audit_actor", "actor_slack_id", "at"),
)
