"""Evaluation: results stored, snapshots per group and day, idempotent within a day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import Engine, select

from catalog.tech_migrations import evaluate_migration, evaluate_migrations
from catalog.tech_migrations.tables import ALL_GROUPS, migration_results, migration_snapshots

from .conftest import NO_CUSTOM

DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def snapshots(engine: Engine, day: date) -> dict[str, tuple[int, int, int]]:
    table = migration_snapshots
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.group_ref, table.c.done, table.c.total, table.c.errors).where(
                table.c.day == day
            )
        )
        return {r.group_ref: (r.done, r.total, r.errors) for r in rows}


def results(engine: Engine) -> dict[str, tuple[str, str | None, list[Any]]]:
    table = migration_results
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.entity_ref, table.c.status, table.c.owner_ref, table.c.failures)
        )
        return {r.entity_ref: (r.status, r.owner_ref, json.loads(r.failures)) for r in rows}


def test_results_are_stored_with_reasons(
    engine: Engine, company: Path, make_migration: Any
) -> None:
    report = evaluate_migration(engine, make_migration([DOCKER312]), custom=NO_CUSTOM)
    assert (report.total, report.done, report.failing, report.errors) == (7, 2, 5, 0)
    stored = results(engine)
    assert stored["component:default/payments-api"] == ("pass", "group:default/payments-core", [])
    assert stored["component:default/checkout"] == (
        "fail",
        "group:default/checkout-squad",
        [
            {
                "check": r"Dockerfile matches /^FROM python:3\.12/",
                "status": "fail",
                "reason": r"Dockerfile does not match /^FROM python:3\.12/",
            }
        ],
    )


def test_snapshots_roll_up_through_the_three_levels(
    engine: Engine, company: Path, make_migration: Any
) -> None:
    with time_machine.travel(datetime(2027, 1, 4, 9, tzinfo=UTC), tick=False):
        evaluate_migration(engine, make_migration([DOCKER312]), custom=NO_CUSTOM)
    counts = snapshots(engine, date(2027, 1, 4))
    assert counts["group:default/payments-core"] == (1, 2, 0)
    assert counts["group:default/checkout-squad"] == (0, 1, 0)
    # search, legacy-search, and toolbox (owned by dave, a member of search-squad)
    assert counts["group:default/search-squad"] == (1, 3, 0)
    assert counts["group:default/payments-tribe"] == (1, 2, 0)
    assert counts["group:default/shopping-tribe"] == (1, 4, 0)
    # gateway's owner (ghost-team) is not in the catalog: it counts only for the migration
    assert counts["group:default/acme"] == (2, 6, 0)
    assert counts[ALL_GROUPS] == (2, 7, 0)
    assert counts["group:default/ghost-team"] == (0, 1, 0)


def test_evaluating_again_the_same_day_replaces_that_days_snapshot(
    engine: Engine, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312])
    with time_machine.travel(datetime(2027, 1, 4, 9, tzinfo=UTC), tick=False):
        first = evaluate_migration(engine, migration, custom=NO_CUSTOM)
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    with time_machine.travel(datetime(2027, 1, 4, 17, tzinfo=UTC), tick=False):
        second = evaluate_migration(engine, migration, custom=NO_CUSTOM)
        again = evaluate_migration(engine, migration, custom=NO_CUSTOM)
    assert (first.changed, second.changed, again.changed) == (7, 1, 0)
    counts = snapshots(engine, date(2027, 1, 4))
    assert counts[ALL_GROUPS] == (3, 7, 0)
    assert counts["group:default/checkout-squad"] == (1, 1, 0)
    table = migration_snapshots
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.group_ref).where(table.c.group_ref == ALL_GROUPS)).all()
    assert len(rows) == 1


def test_entities_leaving_the_scope_lose_their_result(
    engine: Engine, company: Path, make_migration: Any
) -> None:
    evaluate_migration(engine, make_migration([DOCKER312]), custom=NO_CUSTOM)
    narrower = make_migration(
        [DOCKER312], scope={"types": ["service"], "owners": ["payments-core"]}
    )
    report = evaluate_migrations(engine, [narrower], custom=NO_CUSTOM)[0]
    assert report.total == 2
    assert set(results(engine)) == {
        "component:default/payments-api",
        "component:default/ledger",
    }


def test_old_snapshots_are_pruned_after_the_retention(
    engine: Engine, company: Path, make_migration: Any
) -> None:
    from datetime import timedelta

    migration = make_migration([DOCKER312])
    with time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False):
        evaluate_migration(engine, migration, custom=NO_CUSTOM)
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=UTC), tick=False):
        evaluate_migration(engine, migration, custom=NO_CUSTOM, retention=timedelta(days=14))
    assert snapshots(engine, date(2027, 1, 1)) == {}
    assert snapshots(engine, date(2027, 1, 20))[ALL_GROUPS] == (2, 7, 0)


def test_the_worker_evaluates_every_configured_migration(
    engine: Engine, company: Path, tmp_path: Path
) -> None:
    from catalog.tech_migrations import MigrationsSettings, evaluate_configured

    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "docker.yaml").write_text(
        "id: docker\ntitle: D\nowner: x\nscope: {types: [service]}\nchecks:\n"
        "  - {type: file-matches, path: Dockerfile, pattern: '^FROM python:3\\.12'}\n"
    )
    (folder / "broken.yaml").write_text("id: broken\ntitle: B\nowner: x\nchecks: []\n")
    settings = MigrationsSettings(path=Path("defs"), max_file_bytes=4096)
    run = evaluate_configured(engine, settings, base_dir=tmp_path)
    assert [(r.migration_id, r.done, r.total) for r in run.reports] == [("docker", 2, 7)]
    assert [p.migration for p in run.problems] == ["broken"]
