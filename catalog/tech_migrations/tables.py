"""Tech-migration tables: the latest result per entity, daily snapshots per group, and when
each team was last nudged."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["ALL_GROUPS", "migration_nudges", "migration_results", "migration_snapshots"]

REF = String(400)
MIGRATION_ID = String(63)

#: ``group_ref`` of the snapshot row that counts every entity in scope (owned or not).
ALL_GROUPS = "*"

migration_results = Table(
    "migration_results",
    metadata,
    Column("migration_id", MIGRATION_ID, primary_key=True),
    Column("entity_ref", REF, primary_key=True),
    Column("owner_ref", REF, comment="the entity's owner when it was evaluated"),
    Column("status", String(8), nullable=False, comment="pass, fail or error"),
    Column("failures", Text, nullable=False, comment="JSON list of the checks that did not pass"),
    Column("changed_at", DateTime(timezone=True), nullable=False, comment="status last changed"),
    Index("ix_migration_results_migration_id_owner_ref", "migration_id", "owner_ref"),
)

migration_snapshots = Table(
    "migration_snapshots",
    metadata,
    Column("migration_id", MIGRATION_ID, primary_key=True),
    Column("group_ref", REF, primary_key=True, comment="a group, or * for the whole migration"),
    Column("day", Date, primary_key=True, comment="UTC day of the evaluation"),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Index("ix_migration_snapshots_migration_id_day", "migration_id", "day"),
)

migration_nudges = Table(
    "migration_nudges",
    metadata,
    Column("migration_id", MIGRATION_ID, primary_key=True),
    Column("group_ref", REF, primary_key=True),
    Column("last_nudged_at", DateTime(timezone=True), nullable=False),
)
