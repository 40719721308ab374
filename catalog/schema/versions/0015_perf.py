"""Faster than parsing (issue 22): what the sync keeps to avoid re-reading files.

``source_files.stamp`` holds a file's size, modification and change times, inode and device
as last read (with the rules' fingerprint); a file whose stamp is unchanged is not opened.

Revision ID: 0015_perf
Revises: 0014_actions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_perf"
down_revision = "0014_actions"
branch_labels = None
depends_on = None

_COMMENT = "size, times and inode when read; the same stamp again skips reading the file"


def upgrade() -> None:
    with op.batch_alter_table("source_files") as batch:
        batch.add_column(
            sa.Column(
                "stamp",
                sa.String(128),
                nullable=False,
                server_default="",
                comment=_COMMENT,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("source_files") as batch:
        batch.drop_column("stamp")
