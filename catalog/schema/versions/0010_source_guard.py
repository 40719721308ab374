"""Removals held for an admin: a sync that would remove too much of a source, and sources no
longer in greenroom.yaml, with who confirmed and how each hold ended. Every file is read again
once by the next sync (new relation rules; Backstage's bookkeeping is no longer compared).

Revision ID: 0010_source_guard
Revises: 0009_slack_email_misses
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_source_guard"
down_revision = "0009_slack_email_misses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False, comment="removals or source_removed"),
        sa.Column(
            "stored", sa.Integer(), nullable=False, comment="the source's entities when held"
        ),
        sa.Column("removing", sa.Integer(), nullable=False),
        sa.Column("adding", sa.Integer(), nullable=False),
        sa.Column("updating", sa.Integer(), nullable=False),
        sa.Column(
            "refs", sa.JSON(), comment="the refs the held sync would remove (reason removals)"
        ),
        sa.Column("run_id", sa.Integer(), comment="the sync run that last saw it"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "due_at", sa.DateTime(timezone=True), comment="removed then without a confirmation"
        ),
        sa.Column("confirmed_by", sa.String(255)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolution", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_source_holds"),
    )
    op.create_index(
        "ix_source_holds_open",
        "source_holds",
        ["source"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    _status_comment("running, ok, partial, held, failed, abandoned")
    # Kinds without a schema of their own (and AiResource) now emit relations, and Backstage's
    # bookkeeping no longer counts as a change: the next sync reads every file again once and
    # rewrites the entities whose rows now differ.
    op.execute("UPDATE source_files SET content_hash = ''")
    op.execute(
        "UPDATE entities SET content_hash = '' WHERE kind NOT IN "
        "('component', 'api', 'resource', 'system', 'domain', 'group', 'user', 'location', "
        "'template')"
    )


def downgrade() -> None:
    _status_comment("running, ok, partial, failed")
    op.drop_index("ix_source_holds_open", table_name="source_holds")
    op.drop_table("source_holds")


def _status_comment(comment: str) -> None:
    # SQLite keeps no column comments (and cannot alter a column)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "sync_runs", "status", existing_type=sa.String(16), nullable=False, comment=comment
        )
