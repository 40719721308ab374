"""``greenroom migrations ...`` on the example company, through click's runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main

Invoke = Callable[..., Result]


@pytest.fixture
def run(database_url: str, examples_dir: Path) -> Invoke:
    def invoke(*args: str, config: Path | None = None) -> Result:
        options = ["--config", str(config or examples_dir / "greenroom.yaml")]
        options += ["--database-url", database_url]
        return CliRunner().invoke(main, [*options, *args], catch_exceptions=False)

    assert invoke("sync").exit_code == 0
    return invoke


def test_evaluate_then_list_show_mine_and_chart(run: Invoke, tmp_path: Path) -> None:
    evaluated = run("migrations", "evaluate")
    assert evaluated.exit_code == 0, evaluated.output
    assert "python-3-12: 9/22 done (41%)" in evaluated.output
    listed = run("migrations", "list")
    assert "Every service has TechDocs" in listed.output and "15/24" in listed.output
    shown = json.loads(run("migrations", "show", "python-3-12", "--by", "squad", "--json").output)
    assert shown["progress"]["done"] == 9
    assert shown["leaderboard"]["level"] == "squad"
    assert shown["leaderboard"]["rows"][0]["display_name"] == "Storefront squad"
    mine = run("migrations", "mine", "python-3-12", "--user", "maria.gonzalez@globex.example")
    assert "component:payments-api [fail]" in mine.output
    assert "Dockerfile uses a python:3.12 base image" in mine.output
    chart = tmp_path / "python.png"
    assert run("migrations", "chart", "python-3-12", "-o", str(chart)).exit_code == 0
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_unknown_ids_users_and_levels_are_clear_errors(run: Invoke) -> None:
    missing = run("migrations", "show", "python3")
    assert missing.exit_code == 1
    assert "MigrationNotFound: No migration with id 'python3'" in missing.output
    level = run("migrations", "show", "techdocs", "--by", "guild")
    assert "UnknownLevel: No groups at level 'guild'" in level.output
    nobody = run("migrations", "mine", "techdocs", "--user", "nobody@globex.example")
    assert nobody.exit_code == 1 and "EntityNotFound" in nobody.output


def test_invalid_definitions_are_printed_and_fail_the_command(
    run: Invoke, tmp_path: Path, examples_dir: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: broken\ntitle: B\nowner: x\nchecks: []\n")
    (folder / "ok.yaml").write_text(
        "id: ok\ntitle: OK\nowner: x\nchecks:\n  - {type: annotation-exists, key: a}\n"
    )
    config = tmp_path / "greenroom.yaml"
    config.write_text(f"migrations:\n  path: {folder}\n  snapshot_retention_days: 30\n")
    result = run("migrations", "evaluate", config=config)
    assert result.exit_code == 1
    assert 'broken.yaml:4: migration "broken": checks:' in result.output
    assert "ok: 0/32 done" in result.output  # every Component, the 3 data pipelines too


def test_show_names_the_entities_no_tribe_counts(run: Invoke) -> None:
    assert run("migrations", "evaluate").exit_code == 0

    shown = run("migrations", "show", "python-3-12")
    board = json.loads(run("migrations", "show", "python-3-12", "--json").output)["leaderboard"]

    assert "Not counted in any tribe (1 of 22):" in shown.output
    assert "component:loyalty-service: its owner group:ghost-squad is not in the catalog" in (
        shown.output
    )
    counted = sum(row["total"] for row in board["rows"])
    assert counted + len(board["unplaced"]) == board["total"]
