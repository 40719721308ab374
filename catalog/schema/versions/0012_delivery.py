"""Delivery: pull requests, deployments, running images (issue 21): the last good answer per
subject and view, so a rate-limited host is answered from it with its age.

Revision ID: 0012_delivery
Revises: 0011_kpis
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_delivery"
down_revision = "0011_kpis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_snapshots",
        sa.Column(
            "subject",
            sa.String(600),
            nullable=False,
            comment="entity ref, or repository#number",
        ),
        sa.Column("view", sa.String(16), nullable=False, comment="prs, deploys, pr"),
        sa.Column("payload", sa.JSON(), nullable=False, comment="the answer as JSON"),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "view", name="pk_delivery_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("delivery_snapshots")
