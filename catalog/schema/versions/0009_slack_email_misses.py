"""Catalog people Slack does not know (users.lookupByEmail: users_not_found), shared by every
process, so a restart or another replica does not ask Slack about them again.

Revision ID: 0009_slack_email_misses
Revises: 0008_digest_posts
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_slack_email_misses"
down_revision = "0008_digest_posts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_email_misses",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, comment="lowercased"),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="users_not_found at",
        ),
        sa.PrimaryKeyConstraint("team_id", "email", name="pk_slack_email_misses"),
    )


def downgrade() -> None:
    op.drop_table("slack_email_misses")
