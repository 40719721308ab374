"""Data pipelines: health and lineage (issue 20): the latest badge per pipeline and its open
problems (told once when they appear, once when they clear).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0013_pipelines
Revises: 0012_delivery
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_pipelines"
down_revision = "0012_delivery"
branch_labels = None
depends_on = None

REF = sa.String(400)


def upgrade() -> None:
    op.create_table(
        "pipeline_health",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column(
            "state",
            sa.String(16),
            nullable=False,
            comment="failing, late, degraded, unknown, healthy",
        ),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("headline", sa.Text(), nullable=False, comment="worst finding, or why unknown"),
        sa.Column("late", sa.JSON(), nullable=False, comment="[[dataset ref, seconds late], ...]"),
        sa.Column("errors", sa.JSON(), nullable=False, comment="[[source, reason], ...]"),
        sa.PrimaryKeyConstraint("entity_ref", name="pk_pipeline_health"),
    )
    op.create_table(
        "pipeline_problems",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("key", sa.String(64), nullable=False, comment="sha256 of the finding's key"),
        sa.Column(
            "source",
            sa.String(120),
            nullable=False,
            comment="airflow prod, kubernetes x, freshness",
        ),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("finding", sa.JSON(), nullable=False, comment="the finding as last seen"),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "misses", sa.Integer(), nullable=False, comment="sweeps in a row it was not seen"
        ),
        sa.PrimaryKeyConstraint("entity_ref", "key", name="pk_pipeline_problems"),
    )


def downgrade() -> None:
    op.drop_table("pipeline_problems")
    op.drop_table("pipeline_health")
