"""Opening a process's runtime: commands that only read never start an empty database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from catalog import ConfigError
from runtime.process import open_runtime


def test_a_question_where_there_is_no_config_and_no_database_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GREENROOM_CONFIG", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["ask", "/greenroom owner payments-api"])
    assert result.exit_code == 1
    assert "ConfigError" in result.output and "No catalog database at" in result.output
    assert f"no greenroom.yaml in {tmp_path}" in " ".join(result.output.split())
    assert "`greenroom sync` creates it" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []  # no empty greenroom.db


def test_a_configured_database_not_synced_yet_is_named_with_its_config(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("database_url: sqlite:///data/gr.db\n")
    with pytest.raises(ConfigError) as raised:
        open_runtime(config, create=False)
    message = raised.value.user_message
    assert str(tmp_path / "data" / "gr.db") in message and f"settings from {config}" in message
    assert not (tmp_path / "data").exists()


def test_commands_that_fill_the_database_create_it(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("database_url: sqlite:///gr.db\n")
    result = CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gr.db").is_file()
    open_runtime(config, create=False).engine.dispose()  # and then readers open it
