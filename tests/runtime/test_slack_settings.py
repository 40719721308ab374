"""Slack settings: secrets only from the environment, and clear errors when missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import ConfigError
from runtime.settings import load_settings


def test_secrets_and_api_url_come_from_the_environment() -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
    }
    slack = load_settings(None, environ=env).slack
    assert slack.bot_token is not None and slack.bot_token.get_secret_value() == "xoxb-1"
    assert slack.api_url == "http://127.0.0.1:9/api/"
    assert slack.mode == "single"
    assert "xoxb-1" not in repr(slack)
    oauth = load_settings(None, environ={"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"})
    assert oauth.slack.mode == "oauth"


def test_secrets_written_into_greenroom_yaml_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("slack:\n  bot_token: xoxb-leaked\n")
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN in the environment") as error:
        load_settings(config, environ={})
    assert "xoxb-leaked" not in str(error.value)


def test_missing_credentials_name_the_variables_to_set() -> None:
    slack = load_settings(None, environ={}).slack
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN.*SLACK_SIGNING_SECRET"):
        slack.require()
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        load_settings(None, environ={"SLACK_BOT_TOKEN": "x"}).slack.require(socket_mode=True)


def test_command_names_are_validated(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("slack:\n  command: greenroom\n")
    with pytest.raises(ConfigError, match=r"slack\.command"):
        load_settings(config, environ={})
