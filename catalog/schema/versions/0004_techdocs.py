"""TechDocs: build records per entity and the docs generation counter.

Revision ID: 0004_techdocs
Revises: 0003_scaffolder
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_techdocs"
down_revision = "0003_scaffolder"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "docs_builds",
        sa.Column("entity_ref", sa.String(400), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="ok, failed, unavailable"),
        sa.Column(
            "source_hash", sa.String(64), comment="fingerprint of the sources last attempted"
        ),
        sa.Column(
            "site_hash", sa.String(64), comment="fingerprint of the sources of the served site"
        ),
        sa.Column("site_name", sa.Text()),
        sa.Column("built_at", sa.DateTime(timezone=True), comment="when the served site was built"),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("error", sa.Text(), comment="why the last attempt failed, in user terms"),
        sa.Column(
            "nav", sa.JSON(), nullable=False, comment="top-level navigation of the served site"
        ),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entity_ref", name="pk_docs_builds"),
    )
    op.create_index("ix_docs_builds_status", "docs_builds", ["status"])
    state = op.create_table(
        "docs_state",
        sa.Column("key", sa.String(63), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_docs_state"),
    )
    op.bulk_insert(state, [{"key": "generation", "value": 0}])


def downgrade() -> None:
    op.drop_table("docs_state")
    op.drop_index("ix_docs_builds_status", table_name="docs_builds")
    op.drop_table("docs_builds")
