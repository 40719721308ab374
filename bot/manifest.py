"""``greenroom manifest``: the Slack app manifest a platform engineer pastes into
https://api.slack.com/apps ("Create New App" -> "From an app manifest")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from catalog import ConfigError
from runtime.slack_settings import SlackSettings

__all__ = ["BOT_EVENTS", "BOT_SCOPES", "build_manifest"]

#: Bot scopes greenroom asks for, and why.
BOT_SCOPES = (
    "app_mentions:read",  # answer "@greenroom owner x" in channels
    "chat:write",  # replies, digests, alerts
    "chat:write.public",  # post digests in public channels the app was not invited to
    "commands",  # the /greenroom slash command
    "files:write",  # charts (migration leaderboards)
    "im:write",  # open DMs for nudges
    "links:read",  # see docs links posted in channels (link_shared)
    "links:write",  # unfurl them
    "users:read",  # users.info
    "users:read.email",  # a Slack user's email, to find their catalog User
)
BOT_EVENTS = ("app_home_opened", "app_mention", "link_shared")


def build_manifest(
    settings: SlackSettings,
    *,
    url: str | None,
    socket_mode: bool = False,
    docs_urls: Sequence[str | None] = (),
) -> dict[str, Any]:
    """The manifest for an app served at ``url`` (HTTP mode) or over Socket Mode.

    Links to the hosts of ``url`` and ``docs_urls`` (``techdocs.base_url``, and
    ``external_base_url`` when set) are unfurled: Slack sends ``link_shared`` only for them."""
    endpoint = None
    if not socket_mode:
        if not url:
            raise ConfigError("Give the public URL of `greenroom serve` (--url), or --socket-mode.")
        endpoint = _base(url) + "/slack/events"
    command: dict[str, Any] = {
        "command": settings.command,
        "description": "Ask the software catalog: owner, deps, team, find, docs, help",
        "usage_hint": "owner payments-api · deps checkout --reverse · team · help",
        "should_escape": True,
    }
    if endpoint:
        command["url"] = endpoint
    manifest: dict[str, Any] = {
        "display_information": {
            "name": settings.app_name,
            "description": "The developer portal that lives in Slack",
            "background_color": "#1f3b2d",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,  # direct messages (scaffold results, nudges)
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": settings.app_name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
    hosts = [urlsplit(u).hostname for u in (url if endpoint else None, *docs_urls) if u]
    if any(hosts):
        manifest["features"]["unfurl_domains"] = list(dict.fromkeys(h for h in hosts if h))
    if endpoint and url:
        manifest["oauth_config"]["redirect_urls"] = [_base(url) + "/slack/oauth_redirect"]
        manifest["settings"]["event_subscriptions"]["request_url"] = endpoint
        manifest["settings"]["interactivity"]["request_url"] = endpoint
        manifest["settings"]["interactivity"]["message_menu_options_url"] = endpoint
    return manifest


def _base(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"--url must be the https:// address Slack can reach greenroom at, found {url!r}"
        )
    return url.rstrip("/")
