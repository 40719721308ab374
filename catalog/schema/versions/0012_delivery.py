"""Delivery: pull requests, deployments, running images (issue 21).

Reserved in the chain so that four capabilities can land in any order.

Revision ID: 0012_delivery
Revises: 0011_kpis
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0012_delivery"
down_revision = "0011_kpis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
