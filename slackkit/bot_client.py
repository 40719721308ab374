"""The Web API clients the worker uses (health alerts, digests, nudges, the member list): the
bot token from ``SLACK_BOT_TOKEN``, or in OAuth mode those of the workspaces greenroom is
installed in (posting jobs need exactly one)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import select

from catalog import ConfigError
from runtime.process import Runtime
from slackkit.slack_client import build_client

__all__ = ["bot_client", "no_slack", "workspace_clients"]


def bot_client(runtime: Runtime, *, purpose: str) -> WebClient:
    """A client with the bot token; ``ConfigError`` naming ``purpose`` (e.g. "The health
    sweep") when greenroom has no way to post, so the job fails before doing any work."""
    clients = workspace_clients(runtime)
    if not clients and runtime.settings.slack.mode == "single":
        raise no_slack(f"{purpose} posts to Slack")
    if len(clients) != 1:
        raise ConfigError(
            f"{purpose} posts to one workspace; greenroom is installed in "
            f"{len(clients)}. Install it in exactly one, or use SLACK_BOT_TOKEN."
        )
    return clients[0][1]


def no_slack(what: str) -> ConfigError:
    """The error for ``what`` (e.g. "The health sweep posts to Slack") without a token."""
    return ConfigError(
        f"{what}: set SLACK_BOT_TOKEN (or install the app with SLACK_CLIENT_ID + "
        "SLACK_CLIENT_SECRET)."
    )


def workspace_clients(runtime: Runtime) -> list[tuple[str | None, WebClient]]:
    """A client per installed workspace (OAuth mode) with its team id; with
    ``SLACK_BOT_TOKEN``, that token's client and None (its team is whatever ``auth.test``
    says); none without a token. ``ConfigError`` for an installation without a bot token."""
    slack = runtime.settings.slack
    if slack.mode == "single":
        if slack.bot_token is None:
            return []
        return [(None, build_client(slack, token=slack.bot_token.get_secret_value()))]
    assert slack.client_id is not None
    store = SQLAlchemyInstallationStore(client_id=slack.client_id, engine=runtime.engine)
    with runtime.engine.connect() as conn:
        columns = store.bots.c
        workspaces = conn.execute(
            select(columns.enterprise_id, columns.team_id)
            .where(columns.client_id == slack.client_id)
            .distinct()
        ).all()
    clients: list[tuple[str | None, WebClient]] = []
    for enterprise_id, team_id in workspaces:
        bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise ConfigError("The installed workspace has no bot token; reinstall the app.")
        clients.append((team_id, build_client(slack, token=bot.bot_token)))
    return clients
