"""KPI charts on team pages and the Home tab (issue 18): the Slack file of each team's chart,
one per team and readings fingerprint, so a page view never uploads twice.

Revision ID: 0016_kpi_charts
Revises: 0015_perf
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_kpi_charts"
down_revision = "0015_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_charts",
        sa.Column("group_ref", sa.String(400), nullable=False),
        sa.Column(
            "fingerprint", sa.String(64), nullable=False, comment="sha256 of the readings drawn"
        ),
        sa.Column("state", sa.String(8), nullable=False, comment="drawing, ready or failed"),
        sa.Column("file_id", sa.String(32), comment="the Slack file of the PNG, once ready"),
        sa.Column("problem", sa.String(255), comment="why the upload failed (Slack's error code)"),
        sa.Column(
            "at", sa.DateTime(timezone=True), nullable=False, comment="claimed or finished at"
        ),
        sa.PrimaryKeyConstraint("group_ref", "fingerprint", name="pk_kpi_charts"),
    )


def downgrade() -> None:
    op.drop_table("kpi_charts")
