"""Data pipelines: health and lineage (issue 20).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0013_pipelines
Revises: 0012_delivery
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0013_pipelines"
down_revision = "0012_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
