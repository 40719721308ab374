"""Faster than parsing (issue 22): what the sync and search keep to avoid re-reading.

Reserved in the chain so that it can land after the four capabilities before it.

Revision ID: 0015_perf
Revises: 0014_actions
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0015_perf"
down_revision = "0014_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
