"""The catalog's tables: entities (full document + indexed columns), relations, the files each
source read last time (for no-change re-syncs), sync runs, removals held for an admin, and a
generation counter that tells every process when its caches are stale."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)

from catalog.database import metadata

__all__ = [
    "catalog_state",
    "entities",
    "relations",
    "source_files",
    "source_holds",
    "source_manifests",
    "sync_runs",
]

REF = String(400)

entities = Table(
    "entities",
    metadata,
    Column("ref", REF, primary_key=True, comment="canonical lowercase kind:namespace/name"),
    Column("kind", String(63), nullable=False),
    Column("namespace", String(63), nullable=False),
    Column("name", String(63), nullable=False, comment="lowercased"),
    Column("title", Text),
    Column("description", Text),
    Column("spec_type", String(255)),
    Column("lifecycle", String(255)),
    Column("owner_ref", REF),
    Column(
        "search_text", Text, nullable=False, comment="lowercased name, title, description, tags"
    ),
    Column("document", Text, nullable=False, comment="JSON of the entity exactly as written"),
    Column("content_hash", String(64), nullable=False),
    Column("uid", String(36), nullable=False, unique=True),
    Column("etag", String(64), nullable=False),
    Column("source", String(255), nullable=False),
    Column("location", Text, nullable=False, comment="file path or URL the entity came from"),
    Column("line", Integer),
    Column("entity_dir", Text, comment="folder holding the entity's catalog file"),
    Column("repo_dir", Text, comment="root of the entity's repository on disk"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_entities_name", "name"),
    Index("ix_entities_kind_name", "kind", "name"),
    Index("ix_entities_owner_ref", "owner_ref"),
    Index("ix_entities_source", "source"),
    # covering: a substring search scans this small index instead of the wide table
    Index("ix_entities_search", "search_text", "ref"),
)

relations = Table(
    "relations",
    metadata,
    Column("subject", REF, primary_key=True),
    Column("type", String(63), primary_key=True, comment="canonical direction, e.g. ownedBy"),
    Column("object", REF, primary_key=True),
    Column("origin", REF, primary_key=True, comment="the entity whose spec declared it"),
    Index("ix_relations_object_type", "object", "type"),
    Index("ix_relations_origin", "origin"),
)

source_files = Table(
    "source_files",
    metadata,
    Column("source", String(255), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("refs", JSON, nullable=False, comment="entities this file yielded"),
    Column("problems", JSON, nullable=False, comment="errors and warnings from its last read"),
    Column(
        "stamp",
        String(128),
        nullable=False,
        server_default="",
        comment="size, times and inode when read; the same stamp again skips reading the file",
    ),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trigger", String(32), nullable=False),
    Column(
        "status",
        String(16),
        nullable=False,
        comment="running, ok, partial, held, failed, abandoned",
    ),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("report", JSON),
    Index("ix_sync_runs_started_at", "started_at"),
)

source_holds = Table(
    "source_holds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(255), nullable=False),
    Column("reason", String(32), nullable=False, comment="removals or source_removed"),
    Column("stored", Integer, nullable=False, comment="the source's entities when held"),
    Column("removing", Integer, nullable=False),
    Column("adding", Integer, nullable=False),
    Column("updating", Integer, nullable=False),
    Column("refs", JSON, comment="the refs the held sync would remove (reason removals)"),
    Column("run_id", Integer, comment="the sync run that last saw it"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), comment="removed then without a confirmation"),
    Column("confirmed_by", String(255)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text),
    # at most one open hold per source
    Index(
        "ix_source_holds_open",
        "source",
        unique=True,
        sqlite_where=text("resolved_at IS NULL"),
        postgresql_where=text("resolved_at IS NULL"),
    ),
)

catalog_state = Table(
    "catalog_state",
    metadata,
    Column("key", String(63), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

source_manifests = Table(
    "source_manifests",
    metadata,
    Column("source", String(255), primary_key=True),
    Column("context", String(64), nullable=False, comment="rules, limits, adoptable sources, code"),
    Column("digest", String(64), nullable=False, comment="the files' stamps, or the git commit"),
    Column("paths", LargeBinary, nullable=False, comment="zlib: the paths the digest covers"),
    Column("generation", BigInteger, nullable=False, comment="the catalog's, when recorded"),
    Column(
        "report",
        Text,
        nullable=False,
        comment="JSON: the report of a sync that finds all as it was",
    ),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
