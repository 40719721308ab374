"""The scaffolder's tables: every run (``scaffold_runs``), and the catalog files of created
repositories that the catalog keeps reading (``registered_locations``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["registered_locations", "scaffold_runs"]

scaffold_runs = Table(
    "scaffold_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("template", String(63), nullable=False),
    Column("name", String(63), nullable=False, comment="the requested repository name"),
    Column(
        "claimed_name",
        String(63),
        unique=True,
        comment="set while the run holds the name; the unique constraint lets one run win",
    ),
    Column("requested_by", String(400), nullable=False, comment="user ref"),
    Column("requested_by_email", String(320), nullable=False),
    Column("trigger", String(32), nullable=False, comment="slack, cli"),
    Column("submitted_values", JSON, nullable=False, comment="submitted values, secrets masked"),
    Column("status", String(16), nullable=False, comment="running, succeeded, failed"),
    Column("step", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("repository_url", Text),
    Column("entity_ref", String(400)),
    Column("error", Text),
    Index("ix_scaffold_runs_started_at", "started_at"),
)

registered_locations = Table(
    "registered_locations",
    metadata,
    Column("name", String(255), primary_key=True, comment="unique key; prefixes the file path"),
    Column("url", Text, nullable=False, comment="git clone URL, never with credentials"),
    Column("branch", String(255), nullable=False),
    Column("path", String(1024), nullable=False, comment="catalog file inside the repository"),
    Column("web_url", Text),
    Column("provider", String(63), nullable=False, comment="git, or a repositories provider"),
    Column("annotations", JSON, nullable=False, comment="added to the entities read from it"),
    Column("registered_by", String(400), nullable=False),
    Column("run_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
