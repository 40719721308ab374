"""The Slack app's tables: who a Slack user is (cached), which deliveries were already answered,
which digest posts went out (one claim per subscription and slot), and slack_sdk's OAuth
installation and state tables (declared by slack_sdk's own builders, so its stores and our
migrations agree)."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table

from catalog.database import metadata

__all__ = [
    "digest_posts",
    "slack_bots",
    "slack_deliveries",
    "slack_email_misses",
    "slack_installations",
    "slack_oauth_states",
    "slack_users",
]

slack_users = Table(
    "slack_users",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("email", String(320), comment="lowercased; null when Slack has none for the user"),
    Column("user_ref", String(400), comment="catalog User it maps to, at catalog_generation"),
    Column("mapped_by", String(16), comment="annotation or email; null when unmapped"),
    Column("catalog_generation", BigInteger, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False, comment="asked Slack at"),
    Index("ix_slack_users_team_id_email", "team_id", "email"),
)

slack_email_misses = Table(
    "slack_email_misses",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("email", String(320), primary_key=True, comment="lowercased"),
    Column("checked_at", DateTime(timezone=True), nullable=False, comment="users_not_found at"),
)

slack_deliveries = Table(
    "slack_deliveries",
    metadata,
    Column("key", String(255), primary_key=True, comment="event id, trigger id or body hash"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_slack_deliveries_received_at", "received_at"),
)

digest_posts = Table(
    "digest_posts",
    metadata,
    Column("subscription", String(200), primary_key=True, comment="digest:<channel>:<subject>"),
    Column("slot", DateTime(timezone=True), primary_key=True, comment="the scheduled time"),
    Column("state", String(12), nullable=False, comment="posting, posted, complete"),
    Column("run_id", Integer, comment="the job run that claimed the slot"),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True)),
    Column("ts", String(32), comment="the digest message's ts, once posted"),
    Column("summary", JSON, comment="what the digest counted, for the next one's change"),
)

slack_installations = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
slack_bots = SQLAlchemyInstallationStore.build_bots_table(
    metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SQLAlchemyOAuthStateStore.default_table_name
)
