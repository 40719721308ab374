"""Team KPIs: daily values per entity, gaps with their reason, threshold messages told, and
each group's readings as of the last collection (for fast team pages).

Revision ID: 0011_kpis
Revises: 0010_source_guard
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_kpis"
down_revision = "0010_source_guard"
branch_labels = None
depends_on = None

REF = sa.String(400)
KPI = sa.String(63)


def upgrade() -> None:
    op.create_table(
        "kpi_values",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("kpi", KPI, nullable=False, comment="cost, incidents, security.critical, ..."),
        sa.Column("day", sa.Date(), nullable=False, comment="UTC day the value is for"),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(63), nullable=False, comment="the configured source's name"),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_ref", "kpi", "day", name="pk_kpi_values"),
    )
    op.create_index("ix_kpi_values_kpi_day", "kpi_values", ["kpi", "day", "entity_ref", "value"])
    op.create_table(
        "kpi_gaps",
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("source", sa.String(63), nullable=False),
        sa.Column(
            "reason", sa.Text(), nullable=False, comment="why the source had no value for it"
        ),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_ref", "source", name="pk_kpi_gaps"),
    )
    op.create_table(
        "kpi_alerts",
        sa.Column("group_ref", REF, nullable=False),
        sa.Column("kpi", KPI, nullable=False),
        sa.Column(
            "value", sa.Float(), nullable=False, comment="the value the team was last told about"
        ),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_ref", "kpi", name="pk_kpi_alerts"),
    )
    op.create_table(
        "kpi_readings",
        sa.Column("group_ref", REF, nullable=False),
        sa.Column("kpi", KPI, nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="the last day of the window"),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("current", sa.Float(), comment="the window's value; NULL: no data"),
        sa.Column("previous", sa.Float(), comment="the window before's value; NULL: no data"),
        sa.Column("reporting", sa.Integer(), nullable=False, comment="entities with data"),
        sa.Column(
            "entities",
            sa.Integer(),
            nullable=False,
            comment="entities the group is credited with",
        ),
        sa.Column(
            "worst", sa.JSON(), nullable=False, comment="[[entity ref, current, previous], ...]"
        ),
        sa.Column(
            "series", sa.JSON(), nullable=False, comment="[[day, value], ...] over both windows"
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_ref", "kpi", name="pk_kpi_readings"),
    )


def downgrade() -> None:
    op.drop_table("kpi_readings")
    op.drop_table("kpi_alerts")
    op.drop_table("kpi_gaps")
    op.drop_index("ix_kpi_values_kpi_day", table_name="kpi_values")
    op.drop_table("kpi_values")
