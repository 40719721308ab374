"""Team KPIs: daily values per entity (issue 18).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0011_kpis
Revises: 0010_source_guard
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0011_kpis"
down_revision = "0010_source_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
