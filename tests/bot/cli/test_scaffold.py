"""``greenroom scaffold``: the same pipeline from the command line, through the real runtime
(settings file, migrations, and a sync that keeps what was registered)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main

COMPANY = Path(__file__).resolve().parents[2] / "integrations/scaffolder/fixtures/catalog"
ADA = "ada.lovelace@globex.example"

Greenroom = Callable[..., Result]


@pytest.fixture
def greenroom(tmp_path: Path, sqlite_template: Path) -> Greenroom:
    """The CLI on its own config and SQLite database (the database parts are tested on both
    dialects in tests/integrations/scaffolder)."""
    database = tmp_path / "greenroom.db"
    shutil.copy(sqlite_template, database)
    database_url = f"sqlite:///{database}"
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        f"""
data_dir: data
catalog:
  sources:
    - name: company
      type: directory
      path: {COMPANY}
      rules: [{{allow: [User, Group]}}]
scaffolder:
  remote_url_template: "file://{{data_dir}}/git/{{name}}.git"
"""
    )

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(
            main, ["--config", str(config), "--database-url", database_url, *args]
        )

    assert invoke("sync").exit_code == 0
    return invoke


def test_a_template_runs_from_the_command_line_and_survives_the_next_sync(
    greenroom: Greenroom, tmp_path: Path
) -> None:
    listed = greenroom("scaffold", "list")
    assert "python-library" in listed.output and "Python library" in listed.output
    shown = greenroom("scaffold", "show", "python-library", "--as", ADA)
    assert "include_cli" in shown.output and "boolean" in shown.output

    created = greenroom(
        "scaffold",
        "python-library",
        "--set",
        "name=ledger",
        "--set",
        "description=Keeps the books.",
        "--set",
        "include_cli=yes",
        "--as",
        ADA,
    )
    assert created.exit_code == 0, created.output
    bare = tmp_path / "data" / "git" / "ledger.git"
    assert f"repository: file://{bare}" in created.output
    assert "catalog:    component:default/ledger" in created.output

    assert greenroom("sync").exit_code == 0
    entity = json.loads(greenroom("catalog", "get", "ledger", "--json").output)
    assert entity["metadata"]["description"] == "Keeps the books."
    assert entity["spec"]["owner"] == "group:developer-experience"
    runs = json.loads(greenroom("scaffold", "runs", "--json").output)
    assert [(r["name"], r["status"], r["trigger"]) for r in runs] == [
        ("ledger", "succeeded", "cli")
    ]


def test_wrong_values_are_listed_per_field(greenroom: Greenroom) -> None:
    result = greenroom("scaffold", "python-library", "--set", "name=../../etc", "--as", ADA)
    assert result.exit_code == 1
    assert "name: Use 2 to 63 characters" in result.stderr
    assert "description: Description is required." in result.stderr


def test_someone_in_no_team_is_refused(greenroom: Greenroom) -> None:
    result = greenroom(
        "scaffold", "python-library", "--set", "name=ledger", "--as", "alan.turing@globex.example"
    )
    assert result.exit_code == 1
    assert "NotAuthorized: You are not a member of any team in the catalog" in result.stderr
