"""The worker: schedules, job runs (exactly-once claims), worker heartbeats.

Revision ID: 0006_worker
Revises: 0005_slack_app
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_worker"
down_revision = "0005_slack_app"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False, comment="chosen by the feature"),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column(
            "expression",
            sa.String(200),
            nullable=False,
            comment="'mon 09:00', 'every 15m', cron",
        ),
        sa.Column("timezone", sa.String(64), comment="IANA zone; NULL = the worker's"),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(255)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedules"),
        sa.UniqueConstraint("key", name="uq_schedules_key"),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.String(255), comment="NULL for on-demand runs"),
        sa.Column(
            "slot",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="scheduled or requested time",
        ),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False, comment="schedule, catch-up, request"),
        sa.Column(
            "status",
            sa.String(16),
            nullable=False,
            comment="queued, running, retrying, succeeded, failed, timed_out, abandoned, skipped",
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(255)),
        sa.Column("worker_id", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text()),
        sa.Column("result", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("schedule_id", "slot", name="uq_job_runs_schedule_id_slot"),
    )
    op.create_index("ix_job_runs_status", "job_runs", ["status"])
    op.create_index("ix_job_runs_kind", "job_runs", ["kind"])
    op.create_table(
        "workers",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
        sa.Column(
            "current",
            sa.JSON(),
            nullable=False,
            comment="runs in progress: id, kind, started",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workers"),
    )


def downgrade() -> None:
    for table in ("workers", "job_runs", "schedules"):
        op.drop_table(table)
