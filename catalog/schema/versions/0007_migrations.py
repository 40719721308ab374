"""Tech migrations: results per entity, daily snapshots per group, last nudge per team.

Revision ID: 0007_migrations
Revises: 0006_worker
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_migrations"
down_revision = "0006_worker"
branch_labels = None
depends_on = None

REF = sa.String(400)
MIGRATION_ID = sa.String(63)


def upgrade() -> None:
    op.create_table(
        "migration_results",
        sa.Column("migration_id", MIGRATION_ID, nullable=False),
        sa.Column("entity_ref", REF, nullable=False),
        sa.Column("owner_ref", REF, comment="the entity's owner when it was evaluated"),
        sa.Column("status", sa.String(8), nullable=False, comment="pass, fail or error"),
        sa.Column(
            "failures",
            sa.Text(),
            nullable=False,
            comment="JSON list of the checks that did not pass",
        ),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="status last changed",
        ),
        sa.PrimaryKeyConstraint("migration_id", "entity_ref", name="pk_migration_results"),
    )
    op.create_index(
        "ix_migration_results_migration_id_owner_ref",
        "migration_results",
        ["migration_id", "owner_ref"],
    )
    op.create_table(
        "migration_snapshots",
        sa.Column("migration_id", MIGRATION_ID, nullable=False),
        sa.Column(
            "group_ref", REF, nullable=False, comment="a group, or * for the whole migration"
        ),
        sa.Column("day", sa.Date(), nullable=False, comment="UTC day of the evaluation"),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("migration_id", "group_ref", "day", name="pk_migration_snapshots"),
    )
    op.create_index(
        "ix_migration_snapshots_migration_id_day", "migration_snapshots", ["migration_id", "day"]
    )
    op.create_table(
        "migration_nudges",
        sa.Column("migration_id", MIGRATION_ID, nullable=False),
        sa.Column("group_ref", REF, nullable=False),
        sa.Column("last_nudged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("migration_id", "group_ref", name="pk_migration_nudges"),
    )


def downgrade() -> None:
    for table in ("migration_nudges", "migration_snapshots", "migration_results"):
        op.drop_table(table)
