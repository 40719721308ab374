"""Custom checks through a real entry point, from a distribution installed into a temp dir."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog import Catalog
from catalog.tech_migrations import ENTRY_POINT_GROUP, CustomChecks, load_migrations

from .conftest import verdicts

PLUGIN = """
from catalog.tech_migrations import CheckOutcome


def has_readme(subject):
    if subject.repository is None:
        return CheckOutcome.errored("no folder")
    name = subject.options.get("file", "README.md")
    if (subject.repository / name).is_file():
        return True
    return CheckOutcome.failed(f"{name} is missing in {subject.entity.ref.name}")


def broken(subject):
    raise RuntimeError("the check itself is buggy")


def wrong_type(subject):
    return "yes"
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CustomChecks]:
    """A tiny distribution ('acme-checks') with a module and its entry points, on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "acme_checks.py").write_text(PLUGIN)
    info = site / "acme_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "has-readme = acme_checks:has_readme\n"
        "broken = acme_checks:broken\n"
        "wrong-type = acme_checks:wrong_type\n"
        "not-importable = acme_missing_module:check\n"
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield CustomChecks.installed()
    sys.modules.pop("acme_checks", None)


def test_installed_entry_points_are_found(plugin: CustomChecks) -> None:
    assert {"has-readme", "broken", "wrong-type", "not-importable"} <= set(plugin.names())


def test_a_custom_check_runs_with_entity_folder_and_options(
    plugin: CustomChecks, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    (company / "repos" / "search" / "README.md").write_text("# Search\n")
    migration = make_migration([{"type": "custom", "name": "has-readme"}])
    found = verdicts(catalog, migration, custom=plugin)
    assert found["search"] == ("pass", [])
    assert found["ledger"] == ("fail", ["README.md is missing in ledger"])
    options = make_migration(
        [{"type": "custom", "name": "has-readme", "options": {"file": "Dockerfile"}}]
    )
    assert verdicts(catalog, options, custom=plugin)["ledger"] == ("pass", [])


def test_a_failing_custom_check_is_an_error_with_the_reason(
    plugin: CustomChecks, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration(
        [{"type": "custom", "name": "broken"}, {"type": "custom", "name": "wrong-type"}]
    )
    status, reasons = verdicts(catalog, migration, custom=plugin)["search"]
    assert status == "error"
    assert reasons == [
        "custom check broken raised RuntimeError: the check itself is buggy",
        "custom check wrong-type returned str; expected CheckOutcome or bool",
    ]


def test_definitions_naming_an_unimportable_check_do_not_load(
    plugin: CustomChecks, tmp_path: Path
) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "m.yaml").write_text(
        "id: m\ntitle: M\nowner: x\nchecks:\n"
        "  - {type: custom, name: has-readme}\n  - {type: custom, name: not-importable}\n"
    )
    loaded = load_migrations(folder, custom=plugin)
    [problem] = loaded.problems
    assert problem.field == "checks[1].name"
    assert "cannot be imported: ModuleNotFoundError" in problem.message
    (folder / "m.yaml").write_text(
        "id: m\ntitle: M\nowner: x\nchecks:\n  - {type: custom, name: has-readme}\n"
    )
    assert load_migrations(folder).ids == ["m"]
