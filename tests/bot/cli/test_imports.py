"""A command imports what it uses and nothing heavy besides: ``greenroom --version`` must not
pay for SQLAlchemy, numpy or the Kubernetes client (issue 17: it took 1.8 s when it did).

Each command runs in a fresh interpreter, as the ``greenroom`` script runs it, and reports
the top-level packages it loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import COMMANDS, main

#: Packages that cost tens to hundreds of milliseconds to import.
HEAVY = frozenset(
    {
        "alembic",
        "apscheduler",
        "cookiecutter",
        "git",
        "httpx",
        "jinja2",
        "kubernetes",
        "matplotlib",
        "mkdocs",
        "numpy",
        "pydantic",
        "pydantic_settings",
        "rapidfuzz",
        "rich",
        "slack_bolt",
        "slack_sdk",
        "sqlalchemy",
        "starlette",
        "uvicorn",
        "yaml",
    }
)
#: What a catalog query needs: settings, the database and the terminal.
QUERY = frozenset({"pydantic", "pydantic_settings", "rich", "sqlalchemy", "yaml", "rapidfuzz"})

_PROBE = """
import json, sys
from bot.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> list[str]:
    """Options naming the example company, synced into a SQLite database of its own."""
    database = tmp_path_factory.mktemp("cli-imports") / "globex.db"
    options = ["--config", str(examples_dir / "greenroom.yaml")]
    options += ["--database-url", f"sqlite:///{database}"]
    result = CliRunner().invoke(main, [*options, "sync", "--json"])
    assert result.exit_code == 0, result.output
    return options


def _loaded(args: list[str], cwd: Path) -> set[str]:
    """Top-level packages a fresh ``greenroom ARGS`` imported (safe path: as the script)."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    assert _loaded(args, tmp_path) & HEAVY == set()


@pytest.mark.parametrize(
    ("query", "also"),
    [
        (["catalog", "owner", "payments-api", "--json"], set()),
        # a walk reads the "needs" edges into numpy arrays (catalog/graph.py)
        (["catalog", "deps", "checkout", "--depth", "3", "--json"], {"numpy"}),
        (["catalog", "search", "refund"], set()),
    ],
)
def test_a_catalog_query_imports_only_settings_database_and_terminal(
    query: list[str], also: set[str], synced: list[str], tmp_path: Path
) -> None:
    assert _loaded([*synced, *query], tmp_path) & HEAVY <= QUERY | also


def test_help_lists_each_command_with_its_own_summary() -> None:
    group = main
    ctx = main.make_context("greenroom", ["--help"], resilient_parsing=True)
    for name, (_, summary) in COMMANDS.items():
        command = group.get_command(ctx, name)
        assert command is not None, name
        assert (command.help or "").split("\n\n")[0].replace("\n", " ") == summary, name
