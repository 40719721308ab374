"""Housekeeping prunes old sync runs and job runs (keeping each schedule's last run), worker
rows, and expired rows of any cache table with an ``expires_at`` column."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, insert, select

from catalog.database import as_utc
from catalog.tables import sync_runs
from jobs.housekeeping import run_housekeeping
from jobs.runs import claim_slot, finish_run, request_run, take_runs
from tests.jobs.conftest import job_context, make_runtime, runs

NOW = datetime.now(UTC)


def housekeeping(database_url: str, tmp_path: Path, **worker: Any) -> dict[str, int]:
    runtime = make_runtime(database_url, tmp_path, **worker)
    context = job_context(runtime, "housekeeping", trigger="request")
    try:
        result = run_housekeeping(context)
    finally:
        runtime.engine.dispose()
    assert result is not None
    deleted: dict[str, int] = result["deleted"]
    return deleted


def add_sync_run(engine: Engine, days_ago: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(sync_runs).values(
                trigger="cli", status="ok", started_at=NOW - timedelta(days=days_ago)
            )
        )


def add_run(engine: Engine, schedule_id: str, days_ago: float) -> None:
    when = NOW - timedelta(days=days_ago)
    claim = claim_slot(
        engine,
        schedule_id=schedule_id,
        slot=when,
        kind="test.record",
        params={},
        trigger="schedule",
        worker_id="w",
        now=when,
    )
    assert claim.run is not None
    finish_run(engine, claim.run.id, status="succeeded", now=when)


def days_since(when: datetime) -> int:
    return round((NOW - as_utc(when)).total_seconds() / 86400)


def sync_run_ages(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        started = conn.execute(select(sync_runs.c.started_at).order_by(sync_runs.c.id)).scalars()
        return [days_since(s) for s in started]


def test_old_sync_runs_go_and_retention_can_be_raised(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    for days in (90, 40, 1):
        add_sync_run(engine, days)
    assert housekeeping(database_url, tmp_path, retention_days={"sync_runs": 60})["sync_runs"] == 1
    assert sync_run_ages(engine) == [40, 1]
    assert housekeeping(database_url, tmp_path)["sync_runs"] == 1
    assert sync_run_ages(engine) == [1]


def test_old_job_runs_go_but_each_schedules_last_run_stays(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    for days in (100, 70, 45):
        add_run(engine, "monthly", days)
    for days in (40, 2):
        add_run(engine, "daily", days)
    old = request_run(engine, "test.record", {}, requested_by="cli", now=NOW - timedelta(days=50))
    take_runs(engine, worker_id="w", kinds={"test.record"}, limit=1, now=NOW)
    finish_run(engine, old, status="succeeded", now=NOW - timedelta(days=50))
    request_run(engine, "test.record", {}, requested_by="cli")  # queued: never pruned

    assert housekeeping(database_url, tmp_path)["job_runs"] == 3
    left = [(r.schedule_id, days_since(r.slot)) for r in runs(engine)]
    assert sorted(left, key=str) == sorted(
        [("monthly", 45), ("daily", 2), (None, 50), (None, 0)], key=str
    )


@pytest.fixture(params=[("expires_at", True), ("expire_at", False)], ids=["aware", "naive"])
def cache_table(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Table]:
    """A cache table (created here, dropped after: other tests compare schemas), with an
    ``expires_at`` timestamp, or slack_sdk's naive UTC ``expire_at``."""
    name, aware = request.param
    table = Table(
        "test_cache",
        MetaData(),
        Column("key", String(20), primary_key=True),
        Column(name, DateTime(timezone=aware), nullable=False),
    )
    table.create(engine, checkfirst=True)
    yield table
    table.drop(engine)


def test_expired_rows_of_any_cache_table_go(
    engine: Engine, database_url: str, tmp_path: Path, cache_table: Table
) -> None:
    expiry = next(c for c in cache_table.columns if c.name != "key")
    now = datetime.now(UTC)  # not NOW: the suite may run this long after importing the module
    soon = now if expiry.type.timezone else now.replace(tzinfo=None)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            insert(cache_table),
            [
                {"key": "gone", expiry.name: soon - timedelta(minutes=1)},
                {"key": "kept", expiry.name: soon + timedelta(minutes=1)},
            ],
        )
    deleted = housekeeping(database_url, tmp_path)
    assert deleted[f"test_cache.{expiry.name}"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(cache_table.c.key)).scalars().all() == ["kept"]


def test_user_mappings_not_checked_for_a_month_go(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    from slackkit.tables import slack_users

    rows = [("U1", 40), ("U2", 2)]
    with engine.begin() as conn:
        conn.execute(
            insert(slack_users),
            [
                {
                    "team_id": "T1",
                    "user_id": user,
                    "catalog_generation": 1,
                    "checked_at": NOW - timedelta(days=days),
                }
                for user, days in rows
            ],
        )
    assert housekeeping(database_url, tmp_path)["slack_users"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(slack_users.c.user_id)).scalars().all() == ["U2"]
