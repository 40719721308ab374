"""Repository checks on real files: exists, absent, globs, regexes, limits, no folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from catalog import Catalog
from catalog.tech_migrations import FileLimits

from .company import ApiSource, component, sync_folder
from .conftest import verdicts

PY312 = {
    "type": "file-matches",
    "path": "pyproject.toml",
    "pattern": r'requires-python\s*=\s*">=3\.12"',
}
DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def test_python_312_checks_read_pyproject_and_dockerfile(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    found = verdicts(catalog, make_migration([PY312, DOCKER312]))
    assert found["payments-api"] == ("pass", [])
    assert found["checkout"] == ("fail", [r"Dockerfile does not match /^FROM python:3\.12/"])
    assert found["legacy-search"] == (
        "fail",
        [
            r'pyproject.toml does not match /requires-python\s*=\s*">=3\.12"/',
            "no file Dockerfile",
        ],
    )


def test_files_changed_on_disk_change_the_verdict(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    assert verdicts(catalog, migration)["checkout"][0] == "fail"
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    assert verdicts(catalog, migration)["checkout"] == ("pass", [])


def test_file_exists_and_absent_with_globs(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    docs = company / "repos" / "search" / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Search\n")
    (company / "repos" / "ledger" / "setup.py").write_text("import setuptools\n")
    migration = make_migration(
        [
            {"type": "file-exists", "path": "docs/*.md"},
            {"type": "file-absent", "path": "setup.py"},
        ]
    )
    found = verdicts(catalog, migration)
    assert found["search"] == ("pass", [])
    assert found["ledger"] == ("fail", ["no file docs/*.md", "setup.py exists and should not"])


def test_file_not_matches_names_the_line(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration(
        [{"type": "file-not-matches", "path": "Dockerfile", "pattern": r"python:3\.11"}]
    )
    found = verdicts(catalog, migration)
    assert found["ledger"] == ("fail", [r"Dockerfile line 1 matches /python:3\.11/"])
    assert found["payments-api"] == ("pass", [])
    assert found["gateway"] == ("pass", [])


def test_symlinks_out_of_the_folder_are_not_followed(
    catalog: Catalog, company: Path, make_migration: Any, tmp_path: Path
) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("FROM python:3.12\n")
    target = company / "repos" / "ledger" / "Dockerfile"
    target.unlink()
    os.symlink(secret, target)
    found = verdicts(catalog, make_migration([DOCKER312]))
    assert found["ledger"] == ("fail", ["no file Dockerfile"])


def test_only_the_first_bytes_of_a_file_are_read(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    big = company / "repos" / "ledger" / "Dockerfile"
    big.write_text("# padding\n" * 2000 + "FROM python:3.12\n")
    migration = make_migration([DOCKER312])
    assert verdicts(catalog, migration)["ledger"][0] == "pass"
    found = verdicts(catalog, migration, limits=FileLimits(max_bytes=4096))
    assert found["ledger"][0] == "fail"


def test_a_pathological_regex_becomes_an_error_not_a_hang(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    (company / "repos" / "ledger" / "Dockerfile").write_text("a" * 5000 + "!")
    migration = make_migration(
        [{"type": "file-matches", "path": "Dockerfile", "pattern": "^(a|aa)+$"}],
        scope={"types": ["service"], "owners": ["payments-core"], "systems": ["payments"]},
    )
    found = verdicts(catalog, migration, limits=FileLimits(regex_timeout=0.2))
    status, [reason] = found["ledger"]
    assert status == "error"
    assert reason == "Dockerfile: the pattern took over 0.2 s on this text"


def test_entities_without_a_folder_are_errors(
    engine: Engine, catalog: Catalog, tmp_path: Path, make_migration: Any
) -> None:
    sync_folder(engine, tmp_path, ApiSource("backstage", [component("remote", "payments-core")]))
    found = verdicts(
        catalog, make_migration([PY312, {"type": "spec-equals", "field": "type", "value": "x"}])
    )
    assert found["remote"] == (
        "fail",
        ["repository not available", 'spec.type is "service"; expected "x"'],
    )
    only_files = verdicts(catalog, make_migration([PY312]))
    assert only_files["remote"] == ("error", ["repository not available"])
