"""A Location's targets cannot tell a catalog author what exists on greenroom's host.

The author writes Location targets that point out of the source (``../``, absolute paths,
symlinks, globs) at one file that exists and one that does not: what the sync report says
must be the same for both, and must not show the host's paths. The error stays useful: it is
on the Location's file and line, and names the target as written.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sources import LocationSource, Problem
from catalog.sync import SyncReport, sync_catalog

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: %s}
spec: {type: service, lifecycle: production, owner: team-a}
"""


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A folder outside the source with one catalog file in it (think /etc)."""
    outside = tmp_path / "host-secrets"
    outside.mkdir()
    (outside / "exists.yaml").write_text(COMPONENT % "secret")
    return outside


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "service.yaml").write_text(COMPONENT % "service")
    return root


def locate(engine: Engine, root: Path, targets: list[str], *, optional: bool = False) -> SyncReport:
    presence = "\n  presence: optional" if optional else ""
    listed = "".join(f"\n    - {t!r}" for t in targets)
    (root / "catalog-info.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: backstage.io/v1alpha1
            kind: Location
            metadata: {name: root}
            spec:
              targets: [./service.yaml]
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Location
            metadata: {name: probe}
            spec:"""
        )
        + presence
        + "\n  targets:"
        + listed
        + "\n"
    )
    return sync_catalog(engine, [LocationSource("repo", root / "catalog-info.yaml")])


def said(report: SyncReport, target: str) -> list[str]:
    """What the report says about ``target``, with the target itself blanked out."""
    problems: list[Problem] = [p for s in report.sources for p in s.problems]
    return [str(p).replace(target, "<target>") for p in problems if target in p.message]


def assert_same_answer(report: SyncReport, exists: str, missing: str, tmp_path: Path) -> None:
    assert said(report, exists) == said(report, missing)
    for problem in (p for s in report.sources for p in s.problems):
        assert str(tmp_path) not in str(problem)


def test_a_target_outside_the_source_reads_the_same_whether_it_exists_or_not(
    engine: Engine, catalog: Catalog, source: Path, host: Path, tmp_path: Path
) -> None:
    exists, missing = "../host-secrets/exists.yaml", "../host-secrets/missing.yaml"
    report = locate(engine, source, [exists, missing])

    assert_same_answer(report, exists, missing, tmp_path)
    assert said(report, exists) == [
        "catalog-info.yaml:7: Location probe: target <target> does not exist in this source "
        "(targets are files inside it)"
    ]
    assert catalog.get("component:secret") is None
    assert catalog.get("component:service") is not None  # the honest target still loads


def test_an_absolute_target_reads_the_same_whether_it_exists_or_not(
    engine: Engine, catalog: Catalog, source: Path, host: Path, tmp_path: Path
) -> None:
    exists, missing = str(host / "exists.yaml"), str(host / "missing.yaml")
    report = locate(engine, source, [exists, missing])

    assert said(report, exists) == said(report, missing)
    assert said(report, exists)
    assert catalog.get("component:secret") is None


def test_a_symlink_out_of_the_source_reads_the_same_whether_its_target_exists_or_not(
    engine: Engine, catalog: Catalog, source: Path, host: Path, tmp_path: Path
) -> None:
    (source / "link-exists.yaml").symlink_to(host / "exists.yaml")
    (source / "link-missing.yaml").symlink_to(host / "missing.yaml")
    (source / "link-dir").symlink_to(host)
    targets = ["./link-exists.yaml", "./link-missing.yaml", "./link-dir/exists.yaml"]
    report = locate(engine, source, [*targets, "./nothing-here.yaml"])

    for target in targets:
        assert said(report, target) == said(report, "./nothing-here.yaml")
    assert_same_answer(report, targets[0], targets[1], tmp_path)
    assert catalog.get("component:secret") is None


def test_optional_targets_outside_the_source_read_the_same_whether_they_exist_or_not(
    engine: Engine, catalog: Catalog, source: Path, host: Path, tmp_path: Path
) -> None:
    exists, missing = "../host-secrets/exists.yaml", "../host-secrets/missing.yaml"
    report = locate(engine, source, [exists, missing], optional=True)

    assert_same_answer(report, exists, missing, tmp_path)
    assert said(report, exists)  # leaving the source is an error, optional or not
    assert catalog.get("component:secret") is None


def test_globs_reaching_out_of_the_source_match_nothing_whatever_is_there(
    engine: Engine, catalog: Catalog, source: Path, host: Path, tmp_path: Path
) -> None:
    (source / "link-dir").symlink_to(host)
    (source / "empty-dir").mkdir()
    outside = ["../host-secrets/*.yaml", "../host-secrets/nothing-*.yaml"]
    linked = ["./link-dir/*.yaml", "./empty-dir/*.yaml", "./**/exists.yaml", "./**/nothing.yaml"]
    report = locate(engine, source, [*outside, *linked])

    assert said(report, "../host-secrets/*.yaml") == said(report, "../host-secrets/nothing-*.yaml")
    assert said(report, "./link-dir/*.yaml") == said(report, "./empty-dir/*.yaml") == []
    assert said(report, "./**/exists.yaml") == said(report, "./**/nothing.yaml") == []
    assert catalog.get("component:secret") is None


def test_a_missing_target_inside_the_source_is_reported_on_its_location(
    engine: Engine, catalog: Catalog, source: Path
) -> None:
    report = locate(engine, source, ["./typo.yaml", "./service.yaml"])

    assert [str(p) for s in report.sources for p in s.errors] == [
        "catalog-info.yaml:7: Location probe: target ./typo.yaml does not exist in this source "
        "(targets are files inside it)"
    ]
    assert catalog.get("component:service") is not None
