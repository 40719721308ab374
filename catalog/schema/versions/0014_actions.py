"""Day-2 actions: requests, claims and the audit trail (issue 19).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0014_actions
Revises: 0013_pipelines
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0014_actions"
down_revision = "0013_pipelines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
