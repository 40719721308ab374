"""Loading definitions: every check type parses; broken files say file, line, migration, field."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from catalog import ConfigError
from catalog.tech_migrations import (
    CustomChecks,
    InvalidMigration,
    MigrationNotFound,
    load_migrations,
)
from catalog.tech_migrations.catalog_checks import RelationExists
from catalog.tech_migrations.repository_checks import FileMatches

NO_CUSTOM = CustomChecks({})

EVERY_CHECK = """\
id: everything
title: Every check type
description: One of each.
owner: group:platform
deadline: 2027-03-31
scope:
  kinds: [Component, API]
  types: [service]
  lifecycles: [production]
  tags: [python]
  systems: [payments]
  owners: [payments-tribe]
  exclude:
    lifecycles: [deprecated]
    refs: [legacy-billing, api:old-api]
checks:
  - type: annotation-exists
    key: backstage.io/techdocs-ref
  - type: annotation-equals
    key: greenroom.dev/tier
    value: "1"
  - type: annotation-matches
    key: backstage.io/kubernetes-id
    pattern: '^[a-z-]+$'
  - type: spec-equals
    field: lifecycle
    value: production
  - type: spec-matches
    field: profile.email
    pattern: '@acme\\.example$'
  - type: relation-exists
    relation: partOf
    target_kind: System
  - type: file-exists
    path: 'docs/*.md'
  - type: file-absent
    path: setup.py
  - type: file-matches
    title: Python 3.12 in pyproject.toml
    path: pyproject.toml
    pattern: 'requires-python\\s*=\\s*">=3\\.12"'
  - type: file-not-matches
    path: Dockerfile
    pattern: '^FROM python:2'
nudges:
  interval: 2w
  send_to: channel
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_every_check_type_loads_with_its_fields(tmp_path: Path) -> None:
    write(tmp_path, "everything.yaml", EVERY_CHECK)
    loaded = load_migrations(tmp_path, custom=NO_CUSTOM).require_valid()
    migration = loaded.get("everything")
    assert migration.deadline == date(2027, 3, 31)
    assert migration.owner == "group:default/platform"
    assert [c.type for c in migration.checks] == [
        "annotation-exists",
        "annotation-equals",
        "annotation-matches",
        "spec-equals",
        "spec-matches",
        "relation-exists",
        "file-exists",
        "file-absent",
        "file-matches",
        "file-not-matches",
    ]
    assert migration.scope.kinds == ["component", "api"]
    assert migration.scope.systems == ["system:default/payments"]
    assert migration.scope.owners == ["group:default/payments-tribe"]
    assert migration.scope.exclude.refs == [
        "component:default/legacy-billing",
        "api:default/old-api",
    ]
    relation = migration.checks[5]
    assert isinstance(relation, RelationExists) and relation.target_kind == "system"
    pyproject = migration.checks[8]
    assert isinstance(pyproject, FileMatches)
    assert pyproject.label == "Python 3.12 in pyproject.toml"
    assert migration.nudges is not None and migration.nudges.every == timedelta(weeks=2)
    assert loaded.origins["everything"] == (str(tmp_path / "everything.yaml"), 1)


def test_scope_defaults_to_components_and_nudges_are_off(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.yml",
        "id: docs\ntitle: Docs\nowner: platform\nchecks:\n"
        "  - {type: annotation-exists, key: backstage.io/techdocs-ref}\n",
    )
    migration = load_migrations(tmp_path, custom=NO_CUSTOM).get("DOCS")
    assert migration.scope.kinds == ["component"]
    assert migration.nudges is None
    assert migration.deadline is None


def test_a_bad_regex_names_file_line_migration_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "python.yaml",
        "id: python\ntitle: Python\nowner: platform\nchecks:\n"
        "  - type: file-exists\n    path: pyproject.toml\n"
        "  - type: file-matches\n    path: Dockerfile\n    pattern: '^FROM (python'\n",
    )
    loaded = load_migrations(tmp_path, custom=NO_CUSTOM)
    assert loaded.migrations == ()
    [problem] = loaded.problems
    assert problem.file == str(path)
    assert problem.line == 9
    assert problem.migration == "python"
    assert problem.field == "checks[1].pattern"
    assert "not a valid regular expression" in problem.message
    assert str(problem).startswith(f'{path}:9: migration "python": checks[1].pattern: ')


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("checks:\n  - {type: file-exsts, path: x}\n", "checks[0]", "unknown check type"),
        ("checks:\n  - {path: x}\n", "checks[0]", "needs a type"),
        ("checks:\n  - {type: file-exists}\n", "checks[0].path", "is required"),
        ("checks:\n  - {type: file-exists, path: ../etc/passwd}\n", "checks[0].path", "inside"),
        ("checks:\n  - {type: file-exists, path: /etc/passwd}\n", "checks[0].path", "relative"),
        ("checks: []\n", "checks", "at least 1"),
        ("checks:\n  - {type: file-exists, path: x, colour: red}\n", "checks[0].colour", "known"),
        (
            "deadline: next tuesday\nchecks:\n  - {type: file-exists, path: x}\n",
            "deadline",
            "date",
        ),
        (
            "nudges: {interval: often}\nchecks:\n  - {type: file-exists, path: x}\n",
            "nudges.interval",
            "like 12h, 7d or 2w",
        ),
        (
            "scope: {owners: ['group:']}\nchecks:\n  - {type: file-exists, path: x}\n",
            "scope.owners",
            "empty name",
        ),
    ],
)
def test_invalid_fields_are_reported_by_name(
    tmp_path: Path, body: str, field: str, words: str
) -> None:
    write(tmp_path, "m.yaml", f"id: broken\ntitle: Broken\nowner: platform\n{body}")
    [problem] = load_migrations(tmp_path, custom=NO_CUSTOM).problems
    assert problem.migration == "broken"
    assert problem.field == field
    assert words in problem.message
    assert problem.line is not None and problem.line >= 4


def test_a_bad_id_and_a_missing_title_are_both_reported(tmp_path: Path) -> None:
    write(
        tmp_path, "m.yaml", "id: Python 3!\nowner: x\nchecks:\n  - {type: file-exists, path: x}\n"
    )
    problems = load_migrations(tmp_path, custom=NO_CUSTOM).problems
    assert {(p.field, p.line) for p in problems} == {("id", 1), ("title", 1)}
    assert any("lowercase letters, digits and dashes" in p.message for p in problems)


def test_the_catalog_quality_digest_name_is_not_a_migration_id(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.yaml",
        "id: catalog-quality\ntitle: Q\nowner: x\nchecks:\n  - {type: file-exists, path: x}\n",
    )
    loaded = load_migrations(tmp_path, custom=NO_CUSTOM)
    assert loaded.migrations == ()
    assert [(p.field, p.line) for p in loaded.problems] == [("id", 1)]
    assert "catalog-quality digest" in loaded.problems[0].message


def test_duplicate_ids_across_files_keep_the_first(tmp_path: Path) -> None:
    body = "title: T\nowner: x\nchecks:\n  - {type: file-exists, path: x}\n"
    first = write(tmp_path, "a.yaml", "id: same\n" + body)
    second = write(tmp_path / "more", "b.yaml", "id: other\n" + body + "---\nid: same\n" + body)
    loaded = load_migrations(tmp_path, custom=NO_CUSTOM)
    assert loaded.ids == ["same", "other"]
    [problem] = loaded.problems
    assert problem.file == str(second)
    assert problem.line == 7
    assert problem.field == "id"
    assert f"already defined at {first}:1" in problem.message
    with pytest.raises(InvalidMigration, match="duplicate id"):
        loaded.require_valid()


def test_a_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "id: [unclosed\n")
    write(tmp_path, "list.yaml", "- not a mapping\n")
    write(
        tmp_path,
        "good.yaml",
        "id: good\ntitle: Good\nowner: x\nchecks:\n  - {type: file-exists, path: x}\n",
    )
    loaded = load_migrations(tmp_path, custom=NO_CUSTOM)
    assert loaded.ids == ["good"]
    messages = {Path(p.file).name: p.message for p in loaded.problems}
    assert "YAML syntax error" in messages["bad.yaml"]
    assert "valid dictionary" in messages["list.yaml"]


def test_a_custom_check_that_is_not_installed_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.yaml",
        "id: custom\ntitle: C\nowner: x\nchecks:\n  - type: custom\n    name: no-such-check\n",
    )
    [problem] = load_migrations(tmp_path, custom=NO_CUSTOM).problems
    assert problem.field == "checks[0].name"
    assert problem.line == 6
    assert "no custom check named 'no-such-check' is installed" in problem.message


def test_unknown_ids_list_the_known_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.yaml",
        "id: docs\ntitle: D\nowner: x\nchecks:\n  - {type: file-exists, path: x}\n",
    )
    with pytest.raises(MigrationNotFound, match="Known: docs"):
        load_migrations(tmp_path, custom=NO_CUSTOM).get("python")


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        load_migrations(tmp_path / "nowhere")
    assert load_migrations(None).migrations == ()
