"""Leaderboards by tribe and squad, ranks, and the change since last week (frozen clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine

from catalog import Catalog
from catalog.tech_migrations import (
    UnknownLevel,
    evaluate_migration,
    leaderboard,
    migration_progress,
)

from .conftest import NO_CUSTOM

DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def evaluate_on(engine: Engine, migration: Any, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        evaluate_migration(engine, migration, custom=NO_CUSTOM)


def rows(board: Any) -> list[tuple[int, str, int, int, float | None]]:
    return [(r.rank, r.ref.name, r.done, r.total, r.change) for r in board.rows]


def test_tribes_by_default_and_squads_on_request(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_on(engine, migration, datetime(2027, 1, 4, 9, tzinfo=UTC))
    tribes = leaderboard(engine, catalog, migration.id, today=date(2027, 1, 4))
    assert tribes.level == "tribe"
    assert rows(tribes) == [(1, "payments-tribe", 1, 2, None), (2, "shopping-tribe", 1, 4, None)]
    assert (tribes.done, tribes.total) == (2, 7)
    squads = leaderboard(engine, catalog, migration.id, level="squad", today=date(2027, 1, 4))
    assert rows(squads) == [
        (1, "payments-core", 1, 2, None),
        (2, "search-squad", 1, 3, None),
        (3, "checkout-squad", 0, 1, None),
    ]
    org = leaderboard(engine, catalog, migration.id, level="organisation", today=date(2027, 1, 4))
    assert rows(org) == [(1, "acme", 2, 6, None)]


def test_levels_fall_back_to_depth_when_no_group_has_the_type(
    engine: Engine, catalog: Catalog, tmp_path: Path, make_migration: Any
) -> None:
    from .company import SERVICES, sync_folder, write_company

    root = write_company(tmp_path / "co")
    text = (root / "catalog-info.yaml").read_text()
    (root / "catalog-info.yaml").write_text(
        text.replace("type: tribe", "type: department").replace("type: squad", "type: team")
    )
    sync_folder(engine, root)
    migration = make_migration([DOCKER312])
    evaluate_on(engine, migration, datetime(2027, 1, 4, tzinfo=UTC))
    board = leaderboard(engine, catalog, migration.id, level="tribe", today=date(2027, 1, 4))
    assert [r.ref.name for r in board.rows] == ["payments-tribe", "shopping-tribe"]
    teams = leaderboard(engine, catalog, migration.id, level="team", today=date(2027, 1, 4))
    assert len(teams.rows) == 3
    with pytest.raises(
        UnknownLevel, match="Group types in the catalog: department, organisation, team"
    ):
        leaderboard(engine, catalog, migration.id, level="guild", today=date(2027, 1, 4))
    assert SERVICES


def test_ties_share_a_rank(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    (company / "repos" / "ledger" / "Dockerfile").write_text("FROM python:3.12\n")
    migration = make_migration(
        [DOCKER312], scope={"types": ["service"], "lifecycles": ["production"], "tags": ["python"]}
    )
    evaluate_on(engine, migration, datetime(2027, 1, 4, tzinfo=UTC))
    board = leaderboard(engine, catalog, migration.id, level="squad", today=date(2027, 1, 4))
    assert [(r.rank, r.ref.name, r.percent) for r in board.rows] == [
        (1, "payments-core", 100.0),
        (1, "checkout-squad", 100.0),
        (3, "search-squad", 50.0),
    ]


def test_change_since_last_week_comes_from_the_snapshots(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_on(engine, migration, datetime(2027, 1, 4, 9, tzinfo=UTC))
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    evaluate_on(engine, migration, datetime(2027, 1, 8, 9, tzinfo=UTC))
    (company / "repos" / "legacy-search" / "Dockerfile").write_text("FROM python:3.12\n")
    evaluate_on(engine, migration, datetime(2027, 1, 11, 9, tzinfo=UTC))
    with time_machine.travel(datetime(2027, 1, 11, 12, tzinfo=UTC), tick=False):
        board = leaderboard(engine, catalog, migration.id)
    assert board.day == date(2027, 1, 11)
    assert board.compared_to == date(2027, 1, 4)
    assert rows(board) == [
        (1, "shopping-tribe", 3, 4, 50.0),
        (2, "payments-tribe", 1, 2, 0.0),
    ]
    assert board.rows[0].done_change == 2
    # since the last digest on the 8th
    since = leaderboard(
        engine, catalog, migration.id, today=date(2027, 1, 11), since=date(2027, 1, 8)
    )
    assert since.compared_to == date(2027, 1, 8)
    assert since.rows[0].change == 25.0


def test_progress_estimates_whether_the_deadline_holds(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312], deadline="2027-02-01")
    evaluate_on(engine, migration, datetime(2027, 1, 4, 9, tzinfo=UTC))
    early = migration_progress(engine, migration, today=date(2027, 1, 4))
    assert (early.done, early.total, early.on_track, early.days_left) == (2, 7, None, 28)
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    evaluate_on(engine, migration, datetime(2027, 1, 11, 9, tzinfo=UTC))
    progress = migration_progress(engine, migration, today=date(2027, 1, 11))
    # one entity in seven per week: ~14.3 points a week, 57 points to go -> 4 more weeks
    assert progress.per_week == pytest.approx(14.29, abs=0.01)
    assert progress.projected_finish == date(2027, 2, 8)
    assert progress.on_track is False
    later = make_migration([DOCKER312], deadline="2027-03-01")
    assert migration_progress(engine, later, today=date(2027, 1, 11)).on_track is True
    assert [p.done for p in progress.history] == [2, 3]


def test_a_finished_migration_is_on_track_and_a_late_one_is_not(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    done = make_migration([{"type": "spec-equals", "field": "type", "value": "service"}])
    evaluate_on(engine, done, datetime(2027, 1, 4, tzinfo=UTC))
    assert migration_progress(engine, done, today=date(2027, 1, 4)).on_track is True
    late = make_migration([DOCKER312], id="late", deadline="2027-01-01")
    evaluate_on(engine, late, datetime(2027, 1, 4, tzinfo=UTC))
    progress = migration_progress(engine, late, today=date(2027, 1, 4))
    assert (progress.on_track, progress.days_left) == (False, -3)


def test_a_leaderboard_names_the_entities_no_row_counts_and_why(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    evaluate_on(engine, migration, datetime(2027, 1, 4, 9, tzinfo=UTC))

    tribes = leaderboard(engine, catalog, migration.id, today=date(2027, 1, 4))

    counted = sum(r.total for r in tribes.rows)
    assert counted + len(tribes.unplaced) == tribes.total
    assert tribes.unplaced and all(
        u.reason.startswith("its owner") or u.reason == "it has no owner" for u in tribes.unplaced
    )
