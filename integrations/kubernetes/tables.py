"""The health sweep's state: the latest status per entity (Home badges) and the open problems
per entity (so each is reported once, and resolved once)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["k8s_health", "k8s_problems"]

REF = String(400)

k8s_health = Table(
    "k8s_health",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column("status", String(16), nullable=False, comment="healthy, degraded, failing, unknown"),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("critical", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("headline", Text, nullable=False, comment="worst finding, or why unknown"),
    Column("failed_clusters", JSON, nullable=False, comment="[[cluster, reason], ...]"),
)

k8s_problems = Table(
    "k8s_problems",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column("key", String(64), primary_key=True, comment="sha256 of the finding's key"),
    Column("cluster", String(63), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("finding", JSON, nullable=False, comment="the finding as last seen"),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("misses", Integer, nullable=False, comment="sweeps in a row it was not seen"),
)
