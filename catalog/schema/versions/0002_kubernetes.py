"""Kubernetes health sweep: latest status per entity, open problems per entity.

Revision ID: 0002_kubernetes
Revises: 0001_catalog
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_kubernetes"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None

REF = sa.String(400)


def upgrade() -> None:
    op.create_table(
        "k8s_health",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column(
            "status", sa.String(16), nullable=False, comment="healthy, degraded, failing, unknown"
        ),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("critical", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False, comment="worst finding, or why unknown"),
        sa.Column("failed_clusters", sa.JSON(), nullable=False, comment="[[cluster, reason], ...]"),
        sa.PrimaryKeyConstraint("entity_ref", name="pk_k8s_health"),
    )
    op.create_table(
        "k8s_problems",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("key", sa.String(64), nullable=False, comment="sha256 of the finding's key"),
        sa.Column("cluster", sa.String(63), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("finding", sa.JSON(), nullable=False, comment="the finding as last seen"),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "misses", sa.Integer(), nullable=False, comment="sweeps in a row it was not seen"
        ),
        sa.PrimaryKeyConstraint("entity_ref", "key", name="pk_k8s_problems"),
    )


def downgrade() -> None:
    op.drop_table("k8s_problems")
    op.drop_table("k8s_health")
