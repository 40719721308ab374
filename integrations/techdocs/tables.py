"""TechDocs tables: one build record per entity, and a generation counter that tells every
process when built sites changed (the search index keys its cache on it)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["docs_builds", "docs_state"]

docs_builds = Table(
    "docs_builds",
    metadata,
    Column("entity_ref", String(400), primary_key=True),
    Column("status", String(16), nullable=False, comment="ok, failed, unavailable"),
    Column("source_hash", String(64), comment="fingerprint of the sources last attempted"),
    Column("site_hash", String(64), comment="fingerprint of the sources of the served site"),
    Column("site_name", Text),
    Column("built_at", DateTime(timezone=True), comment="when the served site was built"),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("duration_ms", Integer),
    Column("error", Text, comment="why the last attempt failed, in user terms"),
    Column("nav", JSON, nullable=False, comment="top-level navigation of the served site"),
    Column("warnings", JSON, nullable=False),
    Index("ix_docs_builds_status", "status"),
)

docs_state = Table(
    "docs_state",
    metadata,
    Column("key", String(63), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
