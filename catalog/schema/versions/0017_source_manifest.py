"""No-change re-sync without reading every file's row (issue 22): one manifest per source, the
digest of what its last sync read and the report a sync finding it all unchanged gives.

Revision ID: 0017_source_manifest
Revises: 0016_kpi_charts
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_source_manifest"
down_revision = "0016_kpi_charts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_manifests",
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column(
            "context",
            sa.String(64),
            nullable=False,
            comment="rules, limits, adoptable sources, code",
        ),
        sa.Column(
            "digest", sa.String(64), nullable=False, comment="the files' stamps, or the git commit"
        ),
        sa.Column(
            "paths", sa.LargeBinary(), nullable=False, comment="zlib: the paths the digest covers"
        ),
        sa.Column(
            "generation", sa.BigInteger(), nullable=False, comment="the catalog's, when recorded"
        ),
        sa.Column(
            "report",
            sa.Text(),
            nullable=False,
            comment="JSON: the report of a sync that finds all as it was",
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_source_manifests"),
    )


def downgrade() -> None:
    op.drop_table("source_manifests")
