"""docs/configuration.md is generated from the settings models: it lists every key and
environment variable, stays in step with the models, and picks up new settings by itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, Field

from bot.cli.config_reference import reference_markdown
from bot.cli.main import main
from runtime.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[3]
PAGE = REPO / "docs" / "configuration.md"
ROW = re.compile(
    r"^\| `(?P<key>[^`]+)` \| (?P<type>.*?) \| (?P<default>.*?) \| (?P<env>.*?) \| (?P<doc>.*) \|$"
)


def generated() -> str:
    result = CliRunner().invoke(main, ["config", "reference"])
    assert result.exit_code == 0, result.output
    return result.output


def rows(page: str) -> dict[str, re.Match[str]]:
    return {m["key"]: m for line in page.splitlines() if (m := ROW.match(line))}


def test_the_committed_page_matches_the_settings_models() -> None:
    assert PAGE.read_text(encoding="utf-8") == generated(), (
        "docs/configuration.md is out of date: run "
        "`greenroom config reference > docs/configuration.md`"
    )


def test_every_key_has_a_type_a_default_and_a_description() -> None:
    keys = rows(generated())
    assert {"database_url", "log_format", "catalog.interval_minutes", "slack.command"} <= set(keys)
    assert "catalog.sources[].url" in keys and "worker.schedules.<id>.when" in keys
    undocumented = sorted(key for key, row in keys.items() if not row["doc"].strip())
    assert undocumented == [], "add Field(description=...) to these settings"
    assert all(row["type"] and row["default"] for row in keys.values())


def test_secrets_are_listed_as_environment_variables_never_as_keys() -> None:
    page = generated()
    assert "slack.bot_token" not in rows(page)
    assert "catalog.sources[].token" not in rows(page)
    for variable in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        assert f"| `{variable}` |" in page
    assert "| `PORT` | `greenroom serve --port` |" in page


@pytest.mark.parametrize(
    ("key", "value", "read"),
    [
        ("log_format", "json", lambda s: s.log_format),
        ("worker.max_concurrent_jobs", "5", lambda s: s.worker.max_concurrent_jobs),
        ("repositories.cache.parallel", "7", lambda s: s.repositories.cache.parallel),
    ],
)
def test_the_listed_environment_variable_sets_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, read: object
) -> None:
    variable = rows(generated())[key]["env"].strip("`")
    monkeypatch.setenv(variable, value)
    assert callable(read)
    assert str(read(load_settings(None, environ={}))) == value


def test_a_setting_added_to_a_model_appears_by_itself() -> None:
    class PagerSettings(BaseModel):
        """Who is paged when a service is down."""

        escalation_minutes: int = Field(default=15, ge=1, description="before the next level")

    class ExtendedSettings(Settings):
        pager: PagerSettings = PagerSettings()

    page = reference_markdown(ExtendedSettings, variables=[])
    assert "## pager\n\nWho is paged when a service is down." in page
    row = rows(page)["pager.escalation_minutes"]
    assert (row["type"], row["default"]) == ("integer (≥ 1)", "`15`")
    assert row["env"] == "`GREENROOM_PAGER__ESCALATION_MINUTES`"


def test_config_check_accepts_a_good_file_and_names_what_is_wrong_in_a_bad_one(
    tmp_path: Path,
) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("catalog:\n  sources:\n    - {name: x, type: directory, path: .}\n")
    bad.write_text("worker:\n  timezone: Mars/Olympus\n")

    ok = CliRunner().invoke(main, ["--config", str(good), "config", "check"])
    wrong = CliRunner().invoke(main, ["--config", str(bad), "config", "check"])

    assert ok.exit_code == 0 and ok.output.startswith(f"ok: {good} (1 catalog source(s)")
    assert wrong.exit_code == 1
    assert "worker.timezone: Value error, unknown time zone 'Mars/Olympus'" in wrong.output


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-9999-real-token")
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["slack"]["bot_token"] == "**********"
    assert "xoxb-9999" not in result.output
