"""A no-change re-sync answered from the source's manifest gives exactly the report and catalog
the full path gives; every change that could alter them takes the full path."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from catalog import Catalog
from catalog.removal_guard import RemovalGuard
from catalog.rules import CatalogRule, CatalogRules
from catalog.sources import CatalogSource, DirectorySource, GitSource, LocationSource
from catalog.sync import SourceReport, SyncOptions, SyncReport, sync_catalog
from catalog.tables import entities, relations, source_manifests


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written before a sync count as settled (by default a file changed in the last
    two seconds is never vouched for, which would make these tests wait)."""
    monkeypatch.setattr("catalog.sources._files._RACY_NS", 0)


def component(name: str, description: str = "first", owner: str = "team-a") -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}, description: {description}}}\n"
        "spec: {type: service, lifecycle: production, "
        f"owner: {owner}, dependsOn: [resource:db]}}\n"
    )


def location(*targets: str) -> str:
    listed = ", ".join(f'"{t}"' for t in targets)
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\n"
        f"metadata: {{name: root}}\nspec: {{targets: [{listed}]}}\n"
    )


GROUP = textwrap.dedent(
    """\
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata: {name: team-a}
    spec: {type: team, children: []}
    """
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A Location with globs over services, a group, a warning, a broken file, a missing
    target and a ref in conflict inside the source."""
    root = tmp_path / "catalog"
    write(
        root / "catalog-info.yaml",
        location("./org/*.yaml", "./services/*/catalog-info.yaml", "./missing.yaml"),
    )
    write(root / "org" / "team-a.yaml", GROUP)
    for name in ("billing", "search", "ledger"):
        write(root / "services" / name / "catalog-info.yaml", component(name))
    write(root / "services" / "twin" / "catalog-info.yaml", component("billing", "twin"))
    write(root / "services" / "broken" / "catalog-info.yaml", "kind: Component\nmetadata: [")
    write(root / "services" / "odd" / "catalog-info.yaml", component("odd", owner="nobody-x"))
    return root


def sources_of(tree: Path, other: Path | None = None) -> list[CatalogSource]:
    found: list[CatalogSource] = [LocationSource("main", tree / "catalog-info.yaml")]
    if other is not None:
        found.append(DirectorySource("other", other))
    return found


def sync(engine: Engine, sources: Sequence[CatalogSource], **options: Any) -> list[SourceReport]:
    report: SyncReport = sync_catalog(engine, sources, SyncOptions(**options))
    return [replace(s, seconds=0.0) for s in report.sources]


def manifests(engine: Engine) -> dict[str, datetime]:
    """When each source's manifest was recorded."""
    with engine.connect() as conn:
        rows = conn.execute(select(source_manifests.c.source, source_manifests.c.recorded_at))
        return {row.source: row.recorded_at for row in rows}


def full_path(engine: Engine, sources: Sequence[CatalogSource], **options: Any) -> list[Any]:
    """The same sync with every manifest forgotten first: the full path's answer."""
    with engine.begin() as conn:
        conn.execute(delete(source_manifests))
    return sync(engine, sources, **options)


def dump(engine: Engine) -> tuple[list[Any], list[Any]]:
    with engine.connect() as conn:
        stored = conn.execute(select(entities).order_by(entities.c.ref)).all()
        edges = conn.execute(
            select(relations).order_by(relations.c.subject, relations.c.type, relations.c.object)
        ).all()
    return [tuple(r) for r in stored], [tuple(r) for r in edges]


def test_a_no_change_resync_answers_from_the_manifest_as_the_full_path_would(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write(other / "a" / "catalog-info.yaml", component("search", "claimed elsewhere"))
    write(other / "b" / "catalog-info.yaml", component("payments"))
    sources = sources_of(tree, other)
    first = sync(engine, sources)
    assert first[0].conflicts and first[0].problems  # a case worth comparing
    sync(engine, sources)  # "main" planned before "other" wrote: recorded now
    recorded, before = manifests(engine), dump(engine)
    assert set(recorded) == {"main", "other"}

    answered = sync(engine, sources)

    assert manifests(engine) == recorded  # answered from the manifests, nothing re-recorded
    assert dump(engine) == before
    assert answered == full_path(engine, sources)
    assert dump(engine) == before
    assert answered[0].unchanged == len(first[0].added)  # all that was added, unchanged
    assert answered[0].files == first[0].files and answered[0].errors == first[0].errors


def test_the_first_resync_after_a_full_sync_is_answered_from_the_manifest(
    engine: Engine, tree: Path
) -> None:
    sources = sources_of(tree)
    sync(engine, sources)
    recorded = manifests(engine)

    answered = sync(engine, sources)

    assert manifests(engine) == recorded
    assert answered == full_path(engine, sources)


def settle(engine: Engine, sources: Sequence[CatalogSource], **options: Any) -> None:
    sync(engine, sources, **options)
    sync(engine, sources, **options)
    assert "main" in manifests(engine)


def test_a_rewrite_in_the_same_second_with_the_same_size_is_seen(
    engine: Engine, catalog: Catalog, tree: Path
) -> None:
    sources = sources_of(tree)
    settle(engine, sources)
    path = tree / "services" / "search" / "catalog-info.yaml"
    stat = path.stat()
    write(path, component("search", "secnd"))  # same size; mtime put back below
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    report = sync(engine, sources)

    assert report[0].updated == ["component:default/search"]
    entity = catalog.get("component:search")
    assert entity is not None and entity.entity.metadata.description == "secnd"


@pytest.mark.parametrize(
    "change", ["added", "removed", "renamed", "added_where_none_was", "missing_target_created"]
)
def test_a_file_added_removed_or_renamed_is_seen(
    engine: Engine, catalog: Catalog, tree: Path, change: str
) -> None:
    sources = sources_of(tree)
    settle(engine, sources, allow_removals=frozenset({"main"}))
    services = tree / "services"
    if change == "added":
        write(services / "new" / "catalog-info.yaml", component("new"))
    elif change == "removed":
        (services / "ledger" / "catalog-info.yaml").unlink()
    elif change == "renamed":
        (services / "ledger").rename(services / "ledger-2")
    elif change == "missing_target_created":
        write(tree / "missing.yaml", component("new"))
    else:  # a folder the glob lists but where no file matched yet
        (services / "empty").mkdir()
        sync(engine, sources)
        sync(engine, sources)
        write(services / "empty" / "catalog-info.yaml", component("new"))

    report = sync(engine, sources, allow_removals=frozenset({"main"}))

    refs = {str(e.ref) for e in catalog.entities()}
    if change in {"added", "added_where_none_was", "missing_target_created"}:
        assert report[0].added == ["component:default/new"]
    elif change == "removed":
        assert report[0].removed == ["component:default/ledger"]
        assert "component:default/ledger" not in refs
    else:
        assert report[0].updated == ["component:default/ledger"]
        ledger = catalog.get("component:ledger")
        assert ledger is not None and "ledger-2" in ledger.location
    following = sync(engine, sources, allow_removals=frozenset({"main"}))
    assert following == full_path(engine, sources, allow_removals=frozenset({"main"}))


def test_a_rules_change_takes_the_full_path(engine: Engine, catalog: Catalog, tree: Path) -> None:
    sources = sources_of(tree)
    settle(engine, sources)
    rules = CatalogRules.of([CatalogRule.model_validate({"allow": ["Component", "Location"]})])

    report = sync(engine, sources, rules=rules, allow_removals=frozenset({"main"}))

    assert report[0].removed == ["group:default/team-a"]
    assert catalog.get("group:team-a") is None


def test_a_held_source_stays_held_and_is_not_answered_from_a_manifest(
    engine: Engine, tree: Path
) -> None:
    sources = sources_of(tree)
    settle(engine, sources)
    for name in ("billing", "search", "ledger", "odd"):
        (tree / "services" / name / "catalog-info.yaml").unlink()

    guard = RemovalGuard(share=0.2, floor=1)
    held = sync(engine, sources, guard=guard)
    again = sync(engine, sources, guard=guard)

    assert held[0].status == again[0].status == "held"
    assert "main" not in manifests(engine)


def test_another_source_failing_changes_nothing_of_the_answer(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write(other / "a" / "catalog-info.yaml", component("payments"))
    sources = sources_of(tree, other)
    settle(engine, sources)
    sync(engine, sources)
    recorded = manifests(engine)
    (other / "a" / "catalog-info.yaml").unlink()
    other.joinpath("a").rmdir()
    other.rmdir()

    answered = sync(engine, sources)

    assert answered[1].status == "unavailable"
    assert manifests(engine)["main"] == recorded["main"]
    assert answered == full_path(engine, sources)


def test_a_change_in_another_source_takes_the_full_path(
    engine: Engine, catalog: Catalog, tree: Path, tmp_path: Path
) -> None:
    """The other source gives up a ref this one also claims: this one stores it at once."""
    other = tmp_path / "other"
    write(other / "a" / "catalog-info.yaml", component("search", "theirs"))
    sources = [DirectorySource("other", other), *sources_of(tree)]
    allowed = frozenset({"main", "other"})
    settle(engine, sources, allow_removals=allowed)
    sync(engine, sources, allow_removals=allowed)
    assert [c.ref for c in sync(engine, sources)[1].conflicts] == [
        "component:default/billing",
        "component:default/search",
    ]
    (other / "a" / "catalog-info.yaml").unlink()

    report = sync(engine, sources, allow_removals=allowed)

    assert report[0].removed == report[1].added == ["component:default/search"]
    entity = catalog.get("component:search")
    assert entity is not None and entity.entity.metadata.description == "first"
    following = sync(engine, sources, allow_removals=allowed)
    assert following == full_path(engine, sources, allow_removals=allowed)


def test_files_changed_just_before_the_sync_are_never_vouched_for(
    engine: Engine, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.sources._files._RACY_NS", 2_000_000_000)
    sync(engine, sources_of(tree))
    assert manifests(engine) == {}


def git(*args: str, cwd: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "HOME": str(cwd)}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env=env | {"PATH": "/usr/bin:/bin"},
    )


def test_a_git_source_at_the_same_commit_is_answered_from_its_manifest(
    engine: Engine, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.sources._files._RACY_NS", 2_000_000_000)  # checkouts are new
    work = tmp_path / "work"
    write(work / "svc" / "catalog-info.yaml", component("svc"))
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    source = GitSource("git", str(work), cache_dir=tmp_path / "cache", branch="main")
    sync(engine, [source])
    recorded = manifests(engine)
    assert "git" in recorded

    answered = sync(engine, [source])
    assert manifests(engine) == recorded
    assert answered == full_path(engine, [source])

    write(work / "svc" / "catalog-info.yaml", component("svc", "second"))
    git("commit", "-q", "-am", "second", cwd=work)
    report = sync(engine, [source])
    assert report[0].updated == ["component:default/svc"]
    entity = catalog.get("component:svc")
    assert entity is not None and entity.entity.metadata.description == "second"


def test_a_file_read_by_a_placeholder_is_followed(
    engine: Engine, catalog: Catalog, tree: Path
) -> None:
    """The Location file is parsed on every run and reads another file: no manifest can vouch
    for that file, so an edit of it is seen as the full path sees it."""
    root = tree / "catalog-info.yaml"
    text = root.read_text().replace(
        "metadata: {name: root}", "metadata: {name: root, description: {$text: ./about.txt}}"
    )
    write(root, text)
    write(tree / "about.txt", "old words")
    sources = sources_of(tree)
    sync(engine, sources)
    sync(engine, sources)
    assert "main" not in manifests(engine)
    write(tree / "about.txt", "new words")

    report = sync(engine, sources)

    assert report[0].updated == ["location:default/root"]
    entity = catalog.get("location:root")
    assert entity is not None and entity.entity.metadata.description == "new words"
