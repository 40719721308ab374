"""The worker's tables: schedules features create at runtime, every run of every job (the
``UNIQUE(schedule_id, slot)`` claim that makes a scheduled run happen once across replicas,
on-demand requests waiting for a worker, retries waiting for their backoff), and heartbeats."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from catalog.database import metadata

__all__ = ["job_runs", "schedules", "workers"]

schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True, comment="chosen by the feature"),
    Column("kind", String(100), nullable=False),
    Column("expression", String(200), nullable=False, comment="'mon 09:00', 'every 15m', cron"),
    Column("timezone", String(64), comment="IANA zone; NULL = the worker's"),
    Column("params", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_by", String(255)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", String(255), comment="NULL for on-demand runs"),
    Column("slot", DateTime(timezone=True), nullable=False, comment="scheduled or requested time"),
    Column("kind", String(100), nullable=False),
    Column("params", JSON, nullable=False),
    Column("trigger", String(16), nullable=False, comment="schedule, catch-up, request"),
    Column(
        "status",
        String(16),
        nullable=False,
        comment="queued, running, retrying, succeeded, failed, timed_out, abandoned, skipped",
    ),
    Column("attempt", Integer, nullable=False),
    Column("requested_by", String(255)),
    Column("worker_id", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("error", Text),
    Column("result", JSON),
    UniqueConstraint("schedule_id", "slot"),
    Index("ix_job_runs_status", "status"),
    Index("ix_job_runs_kind", "kind"),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    Column("current", JSON, nullable=False, comment="runs in progress: id, kind, started"),
)
