"""Day-2 actions: requests, claims and the audit trail (issue 19).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0014_actions
Revises: 0013_pipelines
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_actions"
down_revision = "0013_pipelines"
branch_labels = None
depends_on = None

REF = sa.String(400)
SLACK_ID = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "action_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("target", sa.JSON(), nullable=False, comment="{kind, name, cluster, namespace}"),
        sa.Column(
            "params",
            sa.JSON(),
            nullable=False,
            comment="form values (secret-looking ones redacted)",
        ),
        sa.Column(
            "summary", sa.Text(), nullable=False, comment="the dry run's summary when requested"
        ),
        sa.Column("requester_slack_id", SLACK_ID, nullable=False),
        sa.Column("requester_team_id", SLACK_ID, nullable=False),
        sa.Column("requester_ref", REF, nullable=True),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("owner_ref", REF, nullable=True),
        sa.Column(
            "status", sa.String(16), nullable=False, comment="pending approved denied expired"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_slack_id", SLACK_ID, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(80), nullable=True, comment="where the request was posted"),
        sa.Column("message_ts", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_action_requests"),
    )
    op.create_index(
        "ix_action_requests_status_expires", "action_requests", ["status", "expires_at"]
    )
    op.create_table(
        "action_claims",
        sa.Column(
            "target_key", sa.String(400), nullable=False, comment="cluster/namespace/kind/name"
        ),
        sa.Column("claim_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("actor_slack_id", SLACK_ID, nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="a crashed run's claim",
        ),
        sa.PrimaryKeyConstraint("target_key", name="pk_action_claims"),
    )
    op.create_table(
        "action_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "event",
            sa.String(16),
            nullable=False,
            comment="request approve deny expire dry_run ...",
        ),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("target_key", sa.String(400), nullable=False),
        sa.Column("cluster", sa.String(63), nullable=True),
        sa.Column("namespace", sa.String(63), nullable=True),
        sa.Column("actor_slack_id", SLACK_ID, nullable=False),
        sa.Column("actor_team_id", SLACK_ID, nullable=False),
        sa.Column("actor_ref", REF, nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False, comment="ok failed refused pending"),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("slack_channel", sa.String(80), nullable=True),
        sa.Column("slack_ts", sa.String(40), nullable=True),
        sa.Column("slack_view_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_action_audit"),
    )
    op.create_index("ix_action_audit_entity", "action_audit", ["entity_ref", "at"])
    op.create_index("ix_action_audit_target", "action_audit", ["target_key", "at"])
    op.create_index("ix_action_audit_actor", "action_audit", ["actor_slack_id", "at"])


def downgrade() -> None:
    op.drop_table("action_audit")
    op.drop_table("action_claims")
    op.drop_index("ix_action_requests_status_expires", "action_requests")
    op.drop_table("action_requests")
