"""The removal guard: a sync that would remove too much of a source holds it (nothing of it
changes) until an admin confirms or the source recovers. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import shutil
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from catalog import Catalog
from catalog.holds import confirm_hold, list_open_holds
from catalog.removal_guard import RemovalGuard
from catalog.sources import DirectorySource
from catalog.sync import SyncOptions, SyncReport, sync_catalog
from catalog.sync_report import EXIT_HELD
from catalog.tables import source_holds, sync_runs

COMPONENT = textwrap.dedent(
    """\
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {{name: {name}}}
    spec: {{type: service, lifecycle: {lifecycle}, owner: team-a}}
    """
)


def services(root: Path, count: int, *, lifecycle: str = "production", prefix: str = "svc") -> None:
    for i in range(count):
        folder = root / f"svc-{i:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = COMPONENT.format(name=f"{prefix}-{i:02d}", lifecycle=lifecycle)
        (folder / "catalog-info.yaml").write_text(text)


def drop(root: Path, *indexes: int) -> None:
    for i in indexes:
        shutil.rmtree(root / f"svc-{i:02d}")


def sync(engine: Engine, root: Path, **options: object) -> SyncReport:
    return sync_catalog(engine, [DirectorySource("services", root)], SyncOptions(**options))  # type: ignore[arg-type]


def count(catalog: Catalog) -> int:
    return len(list(catalog.entities()))


@pytest.mark.parametrize(
    ("removing", "stored", "held"),
    [
        (11, 57, False),  # 19%
        (12, 57, True),  # 21%, and more than 10
        (57, 57, True),
        (10, 10, False),  # a small source empties freely
        (11, 11, True),
        (15, 100, False),
        (0, 0, False),
    ],
)
def test_the_default_guard_holds_above_a_fifth_and_ten_entities(
    removing: int, stored: int, held: bool
) -> None:
    assert RemovalGuard().holds(removing, stored) is held


def test_a_guard_with_share_one_never_holds() -> None:
    assert not RemovalGuard(share=1).holds(10_000, 10_000)


def test_a_sync_that_would_remove_most_of_a_source_keeps_it_and_says_why(
    engine: Engine, catalog: Catalog, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(2, 30))
    with caplog.at_level(logging.WARNING, logger="catalog.sync"):
        report = sync(engine, tmp_path)
    held = report.sources[0]
    assert (held.status, held.removed, report.status, report.exit_code) == (
        "held",
        [],
        "held",
        EXIT_HELD,
    )
    assert held.hold is not None
    assert (held.hold.removing, held.hold.stored, held.hold.reason) == (28, 30, "removals")
    assert held.hold.examples[0] == "component:default/svc-02"
    assert count(catalog) == 30
    assert "catalog source 'services' held: this sync would remove 28 of its 30" in caplog.text
    assert "--allow-removals services" in caplog.text
    with engine.connect() as conn:
        assert conn.execute(select(sync_runs.c.status)).scalars().all()[-1] == "held"
        [hold] = list_open_holds(conn)
    assert hold.refs[:2] == ("component:default/svc-02", "component:default/svc-03")


def test_a_held_source_takes_no_additions_or_updates_either(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(5, 30))
    services(tmp_path, 2, lifecycle="deprecated")
    (tmp_path / "new").mkdir()
    (tmp_path / "new/catalog-info.yaml").write_text(
        COMPONENT.format(name="brand-new", lifecycle="experimental")
    )
    report = sync(engine, tmp_path)
    assert report.sources[0].hold is not None
    assert (report.sources[0].hold.adding, report.sources[0].hold.updating) == (1, 2)
    assert catalog.get("component:brand-new") is None
    assert catalog.get("component:svc-00").entity.spec["lifecycle"] == "production"  # type: ignore[union-attr]


def test_the_same_removals_keep_the_same_hold_and_its_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(10, 30))
    first = sync(engine, tmp_path).sources[0].hold
    second = sync(engine, tmp_path).sources[0].hold
    assert first is not None and second is not None
    assert second.hold_id == first.hold_id and second.since == first.since
    drop(tmp_path, 9)
    third = sync(engine, tmp_path).sources[0].hold
    assert third is not None and third.hold_id != first.hold_id and third.removing == 21
    with engine.connect() as conn:
        rows = conn.execute(select(source_holds.c.id, source_holds.c.resolution)).all()
    assert [r.resolution for r in rows] == ["replaced by a newer hold with other removals", None]


def test_a_source_that_recovers_ends_its_hold_without_removing_anything(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    moved = tmp_path.parent / f"{tmp_path.name}-away"
    shutil.move(tmp_path / "svc-03", moved)
    drop(tmp_path, *[i for i in range(30) if i != 3])
    assert sync(engine, tmp_path).sources[0].status == "held"
    services(tmp_path, 30)
    report = sync(engine, tmp_path)
    back = report.sources[0]
    assert (back.status, back.removed, back.updated, back.added) == ("ok", [], [], [])
    assert back.hold is not None and back.hold.resolution is not None
    assert back.hold.resolution.startswith("the source recovered")
    assert count(catalog) == 30
    with engine.connect() as conn:
        assert list_open_holds(conn) == []


def test_an_admins_confirmation_lets_the_next_sync_remove_what_was_held(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(1, 30))
    held = sync(engine, tmp_path).sources[0].hold
    assert held is not None
    confirm_hold(engine, "services", by="slack:U0ALICE", hold_id=held.hold_id)
    report = sync(engine, tmp_path)
    assert len(report.sources[0].removed) == 29
    assert report.sources[0].hold is not None
    assert report.sources[0].hold.resolution == "removals confirmed by slack:U0ALICE; 29 removed"
    assert count(catalog) == 1


def test_a_confirmation_covers_only_the_removals_it_saw(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path, 60)
    sync(engine, tmp_path)
    drop(tmp_path, *range(30, 60))
    held = sync(engine, tmp_path).sources[0].hold
    assert held is not None
    confirm_hold(engine, "services", by="slack:U0ALICE")
    drop(tmp_path, *range(0, 30))  # and now the rest vanished too
    report = sync(engine, tmp_path)
    assert report.sources[0].status == "held"
    assert report.sources[0].hold is not None
    assert report.sources[0].hold.removing == 60
    assert report.sources[0].hold.confirmed_by is None
    assert count(catalog) == 60


def test_allowing_removals_for_a_run_removes_them_at_once(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(0, 20))
    sync(engine, tmp_path)
    report = sync(engine, tmp_path, allow_removals=frozenset({"services"}), allowed_by="cli:ops")
    assert len(report.sources[0].removed) == 20
    assert report.sources[0].hold is not None
    assert report.sources[0].hold.resolution == "removals allowed by cli:ops; 20 removed"
    assert count(catalog) == 10


def test_removals_within_the_guard_and_small_sources_change_freely(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    services(tmp_path / "big", 60)
    services(tmp_path / "tiny", 3, prefix="tiny")
    sources = [DirectorySource("big", tmp_path / "big"), DirectorySource("tiny", tmp_path / "tiny")]
    sync_catalog(engine, sources)
    drop(tmp_path / "big", *range(0, 11))
    shutil.rmtree(tmp_path / "tiny")
    (tmp_path / "tiny").mkdir()
    report = sync_catalog(engine, sources)
    assert [s.status for s in report.sources] == ["ok", "ok"]
    assert [len(s.removed) for s in report.sources] == [11, 3]
    assert report.exit_code == 0


def test_a_source_may_have_its_own_guard(engine: Engine, tmp_path: Path) -> None:
    services(tmp_path, 30)
    sync(engine, tmp_path)
    drop(tmp_path, *range(0, 5))
    strict = {"services": RemovalGuard(share=0.1, floor=2)}
    assert sync(engine, tmp_path, source_guards=strict).sources[0].status == "held"
    assert sync(engine, tmp_path).sources[0].status == "ok"
