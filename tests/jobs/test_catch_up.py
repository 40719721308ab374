"""After downtime, the newest missed slot runs once, late, if it is within its grace; every
other missed slot is recorded as skipped; a schedule that never ran has nothing to catch up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jobs import Worker
from jobs.fire_times import EPOCH
from jobs.runs import claim_slot, finish_run
from tests.jobs.conftest import eventually, runs

DAY = timedelta(days=1)


def newest_daily_slot() -> datetime:
    now = datetime.now(UTC)
    return EPOCH + (now - EPOCH) // DAY * DAY


def schedules(log: Path, grace: int) -> dict[str, Any]:
    probe = {"kind": "test.record", "when": "every 1d", "params": {"path": str(log)}}
    return {
        "probe": probe | {"grace_seconds": grace},
        "fresh": probe | {"params": {"path": str(log) + ".fresh"}},
    }


def ran_before_downtime(start_worker: Callable[..., Worker], slot: datetime) -> None:
    """A run three days ago, recorded by a worker that is gone."""
    engine = start_worker().engine
    claim = claim_slot(
        engine,
        schedule_id="probe",
        slot=slot,
        kind="test.record",
        params={},
        trigger="schedule",
        worker_id="old",
        now=slot,
    )
    assert claim.run is not None
    finish_run(engine, claim.run.id, status="succeeded", now=slot)


def test_the_newest_missed_slot_runs_late_within_its_grace(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    newest = newest_daily_slot()
    ran_before_downtime(start_worker, newest - 3 * DAY)
    log = tmp_path / "probe.log"
    worker = start_worker(schedules=schedules(log, grace=2 * 86400))

    late = eventually(lambda: runs(worker.engine, schedule_id="probe", status="succeeded")[1:])
    assert [(r.slot.replace(tzinfo=UTC), r.trigger) for r in late] == [(newest, "catch-up")]
    skipped = runs(worker.engine, schedule_id="probe", status="skipped")
    assert [r.slot.replace(tzinfo=UTC) for r in skipped] == [newest - 2 * DAY, newest - DAY]
    assert all("no worker was running" in r.error for r in skipped)
    assert len(log.read_text().splitlines()) == 1
    assert runs(worker.engine, schedule_id="fresh") == []


def test_missed_slots_beyond_their_grace_are_skipped_not_run(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    newest = newest_daily_slot()
    ran_before_downtime(start_worker, newest - 3 * DAY)
    log = tmp_path / "probe.log"
    worker = start_worker(schedules=schedules(log, grace=0))

    skipped = eventually(
        lambda: [r for r in runs(worker.engine, schedule_id="probe") if r.status == "skipped"][2:]
    )
    assert skipped[0].slot.replace(tzinfo=UTC) == newest
    assert [r.status for r in runs(worker.engine, schedule_id="probe")] == [
        "succeeded",
        "skipped",
        "skipped",
        "skipped",
    ]
    assert not log.exists()
