"""Digest posts: one claim per subscription and scheduled slot, so a digest is posted once.

Revision ID: 0008_digest_posts
Revises: 0007_migrations
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_digest_posts"
down_revision = "0007_migrations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_posts",
        sa.Column(
            "subscription", sa.String(200), nullable=False, comment="digest:<channel>:<subject>"
        ),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False, comment="the scheduled time"),
        sa.Column("state", sa.String(12), nullable=False, comment="posting, posted, complete"),
        sa.Column("run_id", sa.Integer(), comment="the job run that claimed the slot"),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("ts", sa.String(32), comment="the digest message's ts, once posted"),
        sa.Column(
            "summary", sa.JSON(), comment="what the digest counted, for the next one's change"
        ),
        sa.PrimaryKeyConstraint("subscription", "slot", name="pk_digest_posts"),
    )


def downgrade() -> None:
    op.drop_table("digest_posts")
