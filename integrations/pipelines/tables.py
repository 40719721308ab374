"""The pipelines sweep's state: the latest badge per pipeline (Home tab, team pages) and its
open problems (each told once when it appears and once when it clears: integrations/incidents)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["pipeline_health", "pipeline_problems"]

REF = String(400)

pipeline_health = Table(
    "pipeline_health",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column(
        "state", String(16), nullable=False, comment="failing, late, degraded, unknown, healthy"
    ),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("last_success", DateTime(timezone=True), nullable=True),
    Column("headline", Text, nullable=False, comment="worst finding, or why unknown"),
    Column("late", JSON, nullable=False, comment="[[dataset ref, seconds late], ...]"),
    Column("errors", JSON, nullable=False, comment="[[source, reason], ...]"),
)

pipeline_problems = Table(
    "pipeline_problems",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column("key", String(64), primary_key=True, comment="sha256 of the finding's key"),
    Column("source", String(120), nullable=False, comment="airflow prod, kubernetes x, freshness"),
    Column("severity", String(16), nullable=False),
    Column("finding", JSON, nullable=False, comment="the finding as last seen"),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("misses", Integer, nullable=False, comment="sweeps in a row it was not seen"),
)
