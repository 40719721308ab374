"""The last good delivery answer per subject (an entity, a pull request) and view, so that a
host that is rate limited or down is answered from it, with its age."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, String, Table

from catalog.database import metadata

__all__ = ["delivery_snapshots"]

delivery_snapshots = Table(
    "delivery_snapshots",
    metadata,
    Column("subject", String(600), primary_key=True, comment="entity ref, or repository#number"),
    Column("view", String(16), primary_key=True, comment="prs, deploys, pr"),
    Column("payload", JSON, nullable=False, comment="the answer as JSON"),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)
