"""``greenroom manifest``: a ready app manifest for HTTP or Socket Mode."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from bot.cli.main import main


def test_http_manifest_points_every_url_at_the_events_route() -> None:
    result = CliRunner().invoke(main, ["manifest", "--url", "https://bot.example.com/"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    events = "https://bot.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["command"] == "/greenroom"
    assert manifest["features"]["slash_commands"][0]["url"] == events
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    # People read the app's direct messages (scaffold results) in the read-only Messages tab.
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == events
    assert set(settings["event_subscriptions"]["bot_events"]) >= {"app_home_opened", "app_mention"}
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": events,
        "message_menu_options_url": events,
    }
    assert settings["socket_mode_enabled"] is False
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://bot.example.com/slack/oauth_redirect"
    ]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes >= {
        "commands",
        "chat:write",
        "users:read",
        "users:read.email",
        "im:write",
        "files:write",
    }


def test_socket_mode_manifest_has_no_urls() -> None:
    result = CliRunner().invoke(main, ["manifest", "--socket-mode", "--format", "json"])
    manifest = json.loads(result.output)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]


def test_manifest_follows_the_configured_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "greenroom.yaml"
    config.write_text("slack:\n  command: /portal\n  app_name: Portal\n")
    result = CliRunner().invoke(
        main, ["--config", str(config), "manifest", "--url", "https://p.example"]
    )
    manifest = yaml.safe_load(result.output)
    assert manifest["features"]["slash_commands"][0]["command"] == "/portal"
    assert manifest["display_information"]["name"] == "Portal"


def test_a_url_slack_cannot_call_is_refused() -> None:
    for url in ("http://bot.example.com", "bot.example.com", "https://x.example/?a=1"):
        result = CliRunner().invoke(main, ["manifest", "--url", url])
        assert result.exit_code == 1 and "https://" in result.output
    result = CliRunner().invoke(main, ["manifest"])
    assert result.exit_code == 1 and "--url" in result.output


def test_docs_links_are_unfurled_on_the_docs_hosts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        "techdocs:\n  base_url: https://docs.example.com/docs\n"
        "  external_base_url: https://backstage.example.com/docs\n"
    )
    http = CliRunner().invoke(
        main, ["--config", str(config), "manifest", "--url", "https://bot.example.com"]
    )
    manifest = yaml.safe_load(http.output)
    assert manifest["features"]["unfurl_domains"] == [
        "bot.example.com",
        "docs.example.com",
        "backstage.example.com",
    ]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) >= {"link_shared"}
    assert {"links:read", "links:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    socket = CliRunner().invoke(main, ["--config", str(config), "manifest", "--socket-mode"])
    assert yaml.safe_load(socket.output)["features"]["unfurl_domains"] == [
        "docs.example.com",
        "backstage.example.com",
    ]


def test_docs_served_by_greenroom_itself_unfurl_on_its_own_host() -> None:
    result = CliRunner().invoke(main, ["manifest", "--url", "https://bot.example.com"])
    assert yaml.safe_load(result.output)["features"]["unfurl_domains"] == ["bot.example.com"]
