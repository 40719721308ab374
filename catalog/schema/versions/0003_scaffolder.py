"""The scaffolder: scaffold runs and registered locations.

Revision ID: 0003_scaffolder
Revises: 0002_kubernetes
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scaffolder"
down_revision = "0002_kubernetes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scaffold_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("template", sa.String(63), nullable=False),
        sa.Column("name", sa.String(63), nullable=False, comment="the requested repository name"),
        sa.Column(
            "claimed_name",
            sa.String(63),
            comment="set while the run holds the name; the unique constraint lets one run win",
        ),
        sa.Column("requested_by", sa.String(400), nullable=False, comment="user ref"),
        sa.Column("requested_by_email", sa.String(320), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False, comment="slack, cli"),
        sa.Column(
            "submitted_values",
            sa.JSON(),
            nullable=False,
            comment="submitted values, secrets masked",
        ),
        sa.Column("status", sa.String(16), nullable=False, comment="running, succeeded, failed"),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("repository_url", sa.Text()),
        sa.Column("entity_ref", sa.String(400)),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_scaffold_runs"),
        sa.UniqueConstraint("claimed_name", name="uq_scaffold_runs_claimed_name"),
    )
    op.create_index("ix_scaffold_runs_started_at", "scaffold_runs", ["started_at"])
    op.create_table(
        "registered_locations",
        sa.Column(
            "name", sa.String(255), nullable=False, comment="unique key; prefixes the file path"
        ),
        sa.Column(
            "url", sa.Text(), nullable=False, comment="git clone URL, never with credentials"
        ),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column(
            "path",
            sa.String(1024),
            nullable=False,
            comment="catalog file inside the repository",
        ),
        sa.Column("web_url", sa.Text()),
        sa.Column(
            "provider", sa.String(63), nullable=False, comment="git, or a repositories provider"
        ),
        sa.Column(
            "annotations",
            sa.JSON(),
            nullable=False,
            comment="added to the entities read from it",
        ),
        sa.Column("registered_by", sa.String(400), nullable=False),
        sa.Column("run_id", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_registered_locations"),
    )


def downgrade() -> None:
    op.drop_table("registered_locations")
    op.drop_index("ix_scaffold_runs_started_at", table_name="scaffold_runs")
    op.drop_table("scaffold_runs")
