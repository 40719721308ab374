"""The catalog: entities, relations, source files, sync runs, catalog state.

Revision ID: 0001_catalog
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None

REF = sa.String(400)


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("ref", REF, nullable=False, comment="canonical lowercase kind:namespace/name"),
        sa.Column("kind", sa.String(63), nullable=False),
        sa.Column("namespace", sa.String(63), nullable=False),
        sa.Column("name", sa.String(63), nullable=False, comment="lowercased"),
        sa.Column("title", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("spec_type", sa.String(255)),
        sa.Column("lifecycle", sa.String(255)),
        sa.Column("owner_ref", REF),
        sa.Column(
            "search_text",
            sa.Text(),
            nullable=False,
            comment="lowercased name, title, description, tags",
        ),
        sa.Column(
            "document", sa.Text(), nullable=False, comment="JSON of the entity exactly as written"
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column(
            "location", sa.Text(), nullable=False, comment="file path or URL the entity came from"
        ),
        sa.Column("line", sa.Integer()),
        sa.Column("entity_dir", sa.Text(), comment="folder holding the entity's catalog file"),
        sa.Column("repo_dir", sa.Text(), comment="root of the entity's repository on disk"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name="pk_entities"),
        sa.UniqueConstraint("uid", name="uq_entities_uid"),
    )
    op.create_index("ix_entities_name", "entities", ["name"])
    op.create_index("ix_entities_kind_name", "entities", ["kind", "name"])
    op.create_index("ix_entities_owner_ref", "entities", ["owner_ref"])
    op.create_index("ix_entities_source", "entities", ["source"])
    op.create_index("ix_entities_search", "entities", ["search_text", "ref"])
    op.create_table(
        "relations",
        sa.Column("subject", REF, nullable=False),
        sa.Column(
            "type", sa.String(63), nullable=False, comment="canonical direction, e.g. ownedBy"
        ),
        sa.Column("object", REF, nullable=False),
        sa.Column("origin", REF, nullable=False, comment="the entity whose spec declared it"),
        sa.PrimaryKeyConstraint("subject", "type", "object", "origin", name="pk_relations"),
    )
    op.create_index("ix_relations_object_type", "relations", ["object", "type"])
    op.create_index("ix_relations_origin", "relations", ["origin"])
    op.create_table(
        "source_files",
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False, comment="entities this file yielded"),
        sa.Column(
            "problems", sa.JSON(), nullable=False, comment="errors and warnings from its last read"
        ),
        sa.PrimaryKeyConstraint("source", "path", name="pk_source_files"),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="running, ok, partial, failed"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("report", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_started_at", "sync_runs", ["started_at"])
    op.create_table(
        "catalog_state",
        sa.Column("key", sa.String(63), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_catalog_state"),
    )


def downgrade() -> None:
    for table in ("catalog_state", "sync_runs", "source_files", "relations", "entities"):
        op.drop_table(table)
