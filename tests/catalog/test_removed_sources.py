"""A source removed from greenroom.yaml: its entities stay, orphaned and announced, until an
admin confirms, the grace period ends, or the source (or a renamed one) takes them back. The
same for every source type. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from catalog import Catalog
from catalog.holds import confirm_hold
from catalog.sources import BackstageApiSource, CatalogSource, DirectorySource, LocationSource
from catalog.sync import SyncOptions, SyncReport, sync_catalog
from catalog.tables import source_files
from tests.catalog.test_removal_guard import services
from tests.fakes.backstage_api import FakeBackstage, serve_backstage


def configured(engine: Engine, sources: list[CatalogSource], **options: Any) -> SyncReport:
    """A sync of greenroom.yaml's sources: exactly these are configured."""
    names = frozenset(s.name for s in sources)
    return sync_catalog(engine, sources, SyncOptions(configured=names, **options))


@pytest.fixture
def two(engine: Engine, tmp_path: Path) -> tuple[DirectorySource, DirectorySource]:
    services(tmp_path / "keep", 3, prefix="keep")
    services(tmp_path / "old", 4, prefix="old")
    kept, old = DirectorySource("keep", tmp_path / "keep"), DirectorySource("old", tmp_path / "old")
    configured(engine, [kept, old])
    return kept, old


def test_a_removed_source_keeps_its_entities_and_is_announced(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, _ = two
    report = configured(engine, [kept])
    [notice] = report.removed_sources
    assert (notice.source, notice.reason, notice.stored, notice.resolution) == (
        "old",
        "source_removed",
        4,
        None,
    )
    assert notice.due is not None
    assert len(list(catalog.entities())) == 7
    assert report.status == "ok" and report.exit_code == 0
    again = configured(engine, [kept])
    assert again.removed_sources[0].hold_id == notice.hold_id


def test_after_the_grace_period_the_entities_are_removed(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, _ = two
    report = configured(engine, [kept], removed_source_grace=timedelta(0))
    [notice] = report.removed_sources
    assert notice.resolution == "removed: the grace period ended without a confirmation"
    assert {e.ref.name for e in catalog.entities()} == {"keep-00", "keep-01", "keep-02"}
    with engine.connect() as conn:
        assert set(conn.execute(select(source_files.c.source)).scalars()) == {"keep"}
    assert configured(engine, [kept]).removed_sources == []


@pytest.mark.parametrize("how", ["confirmed", "allowed"])
def test_an_admin_removes_them_before_the_grace_period_ends(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource], how: str
) -> None:
    kept, _ = two
    configured(engine, [kept])
    if how == "confirmed":
        confirm_hold(engine, "old", by="slack:U0ALICE")
        report = configured(engine, [kept])
        expected = "removed: confirmed by slack:U0ALICE"
    else:
        report = configured(engine, [kept], allow_removals=frozenset({"old"}), allowed_by="cli:x")
        expected = "removed: allowed by cli:x"
    assert report.removed_sources[0].resolution == expected
    assert len(list(catalog.entities())) == 3


def test_a_hold_whose_entities_were_all_taken_over_ends(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, old = two
    configured(engine, [kept])
    report = configured(engine, [kept, DirectorySource("legacy", old.path)])
    assert [n.resolution for n in report.removed_sources] == ["no entities left"]
    assert len(report.sources[1].adopted) == 4


def test_a_source_put_back_keeps_everything(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, old = two
    configured(engine, [kept])
    report = configured(engine, [kept, old], removed_source_grace=timedelta(0))
    assert [n.resolution for n in report.removed_sources] == ["back in the configuration"]
    assert all(not s.changed for s in report.sources)
    assert len(list(catalog.entities())) == 7


def test_a_renamed_source_takes_the_entities_over_with_their_uids(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, old = two
    uids = {e.ref.name: e.uid for e in catalog.entities()}
    renamed = DirectorySource("legacy", old.path)
    report = configured(engine, [kept, renamed])
    legacy = report.sources[1]
    assert (legacy.added, legacy.conflicts, len(legacy.adopted)) == ([], [], 4)
    assert report.removed_sources == []  # nothing left to hold
    assert {e.ref.name: e.uid for e in catalog.entities()} == uids
    with engine.connect() as conn:
        assert set(conn.execute(select(source_files.c.source)).scalars()) == {"keep", "legacy"}
    assert {e.source for e in catalog.entities() if e.ref.name.startswith("old")} == {"legacy"}


def test_an_ad_hoc_sync_leaves_other_sources_alone(
    engine: Engine, catalog: Catalog, two: tuple[DirectorySource, DirectorySource]
) -> None:
    kept, _ = two
    report = sync_catalog(engine, [kept], SyncOptions(removed_source_grace=timedelta(0)))
    assert report.removed_sources == []
    assert len(list(catalog.entities())) == 7


def test_every_source_type_is_treated_the_same(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path / "folder", 2, prefix="folder")
    (tmp_path / "loc").mkdir()
    (tmp_path / "loc/all.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n"
        "spec: {targets: [./svc.yaml]}\n"
    )
    (tmp_path / "loc/svc.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: located}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n"
    )
    item = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": "from-backstage", "uid": "u1", "etag": "e1"},
        "spec": {"type": "team", "children": []},
        "relations": [],
    }
    with serve_backstage(FakeBackstage([item])) as fake:
        sources: list[CatalogSource] = [
            DirectorySource("folder", tmp_path / "folder"),
            LocationSource("location", tmp_path / "loc/all.yaml"),
            BackstageApiSource("backstage", fake.url),
        ]
        assert configured(engine, sources).status == "ok"
    report = configured(engine, [])
    assert sorted((n.source, n.stored, n.resolution) for n in report.removed_sources) == [
        ("backstage", 1, None),
        ("folder", 2, None),
        ("location", 2, None),
    ]
    removed = configured(engine, [], removed_source_grace=timedelta(0))
    assert {n.resolution for n in removed.removed_sources} == {
        "removed: the grace period ended without a confirmation"
    }
    assert list(catalog.entities()) == []
