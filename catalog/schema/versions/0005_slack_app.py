"""The Slack app: the Slack user cache, answered deliveries, and slack_sdk's OAuth tables.

The OAuth tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) copy the
columns of slack_sdk's ``SQLAlchemyInstallationStore`` / ``SQLAlchemyOAuthStateStore``, which
read and write them; tests/test_schema.py fails if the two ever drift apart.

Revision ID: 0005_slack_app
Revises: 0004_techdocs
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_slack_app"
down_revision = "0004_techdocs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_users",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column(
            "email", sa.String(320), comment="lowercased; null when Slack has none for the user"
        ),
        sa.Column(
            "user_ref", sa.String(400), comment="catalog User it maps to, at catalog_generation"
        ),
        sa.Column("mapped_by", sa.String(16), comment="annotation or email; null when unmapped"),
        sa.Column("catalog_generation", sa.BigInteger(), nullable=False),
        sa.Column(
            "checked_at", sa.DateTime(timezone=True), nullable=False, comment="asked Slack at"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name="pk_slack_users"),
    )
    op.create_index("ix_slack_users_team_id_email", "slack_users", ["team_id", "email"])
    op.create_table(
        "slack_deliveries",
        sa.Column(
            "key", sa.String(255), nullable=False, comment="event id, trigger id or body hash"
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_slack_deliveries"),
    )
    op.create_index("ix_slack_deliveries_received_at", "slack_deliveries", ["received_at"])
    op.create_table(
        "slack_installations",
        *_app_columns(),
        sa.Column("enterprise_url", sa.String(200)),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("user_token", sa.String(200)),
        sa.Column("user_scopes", sa.String(1000)),
        sa.Column("user_refresh_token", sa.String(200)),
        sa.Column("user_token_expires_at", sa.DateTime()),
        sa.Column("incoming_webhook_url", sa.String(200)),
        sa.Column("incoming_webhook_channel", sa.String(200)),
        sa.Column("incoming_webhook_channel_id", sa.String(200)),
        sa.Column("incoming_webhook_configuration_url", sa.String(200)),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sa.String(32)),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slack_installations"),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table(
        "slack_bots",
        *_app_columns(),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slack_bots"),
    )
    op.create_index(
        "slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"]
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slack_oauth_states"),
    )


def _app_columns() -> list[sa.Column[object]]:
    """The leading columns slack_installations and slack_bots share."""
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]


def downgrade() -> None:
    for table in (
        "slack_oauth_states",
        "slack_bots",
        "slack_installations",
        "slack_deliveries",
        "slack_users",
    ):
        op.drop_table(table)
