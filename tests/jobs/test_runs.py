"""Claims: each scheduled slot, each request and each retry goes to exactly one worker."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from jobs.runs import (
    claim_slot,
    finish_run,
    get_run,
    last_slots,
    record_skipped,
    request_run,
    retry_later,
    take_runs,
)

SLOT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NOW = SLOT + timedelta(seconds=1)


def claim(engine: Engine, worker: str, slot: datetime = SLOT, **extra: object) -> str:
    return claim_slot(
        engine,
        schedule_id="digest",
        slot=slot,
        kind="test.record",
        params={"channel": "C1"},
        trigger="schedule",
        worker_id=worker,
        now=NOW,
        **extra,
    ).outcome


def test_eight_concurrent_claims_of_one_slot_have_one_winner(engine: Engine) -> None:
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda n: claim(engine, f"w{n}"), range(8)))
    assert sorted(outcomes) == ["claimed"] + ["taken"] * 7


def test_the_same_slot_in_another_zone_spelling_is_still_the_same_slot(engine: Engine) -> None:
    assert claim(engine, "a") == "claimed"
    berlin = SLOT.astimezone(datetime.now().astimezone().tzinfo)
    assert claim(engine, "b", slot=berlin) == "taken"
    assert claim(engine, "c", slot=SLOT + timedelta(minutes=1)) == "claimed"


def test_a_skipped_slot_is_not_run_later_and_a_claimed_one_is_not_skipped(engine: Engine) -> None:
    skip = {
        "schedule_id": "digest",
        "kind": "test.record",
        "params": {},
        "reason": "late",
        "now": NOW,
    }
    assert record_skipped(engine, slot=SLOT, worker_id="a", **skip)
    assert claim(engine, "b") == "taken"
    later = SLOT + timedelta(hours=1)
    assert claim(engine, "b", slot=later) == "claimed"
    assert not record_skipped(engine, slot=later, worker_id="c", **skip)


def test_without_overlap_a_slot_is_skipped_while_the_previous_run_is_running(
    engine: Engine,
) -> None:
    assert claim(engine, "a") == "claimed"
    later = SLOT + timedelta(minutes=1)
    outcome = claim_slot(
        engine,
        schedule_id="digest",
        slot=later,
        kind="test.record",
        params={},
        trigger="schedule",
        worker_id="b",
        now=NOW,
        overlap=False,
    )
    assert outcome.outcome == "skipped"
    assert outcome.reason is not None and "still running" in outcome.reason
    assert last_slots(engine, ["digest"]) == {"digest": later}


def test_a_request_is_taken_by_exactly_one_of_several_workers(engine: Engine) -> None:
    run_id = request_run(engine, "test.record", {"n": 1}, requested_by="U1")
    with ThreadPoolExecutor(6) as pool:
        taken = list(
            pool.map(
                lambda n: take_runs(
                    engine, worker_id=f"w{n}", kinds={"test.record"}, limit=5, now=NOW
                ),
                range(6),
            )
        )
    winners = [runs for runs in taken if runs]
    assert len(winners) == 1
    assert [r.id for r in winners[0]] == [run_id]
    record = get_run(engine, run_id)
    assert record is not None and record.status == "running" and record.requested_by == "U1"


def test_workers_only_take_kinds_they_know(engine: Engine) -> None:
    request_run(engine, "docs.build", {}, requested_by="cli")
    assert take_runs(engine, worker_id="w", kinds={"test.record"}, limit=5, now=NOW) == []


def test_a_retry_waits_for_its_backoff_then_counts_the_attempt(engine: Engine) -> None:
    run_id = request_run(engine, "test.flaky", {}, requested_by="cli", now=NOW)
    [run] = take_runs(engine, worker_id="w", kinds={"test.flaky"}, limit=1, now=NOW)
    retry_later(engine, run.id, error="boom", now=NOW, next_attempt_at=NOW + timedelta(minutes=1))
    assert take_runs(engine, worker_id="w", kinds={"test.flaky"}, limit=1, now=NOW) == []
    later = NOW + timedelta(minutes=2)
    [again] = take_runs(engine, worker_id="v", kinds={"test.flaky"}, limit=1, now=later)
    assert (again.id, again.attempt) == (run_id, 2)
    finish_run(engine, run_id, status="succeeded", now=later, result={"ok": True})
    record = get_run(engine, run_id)
    assert record is not None
    assert (record.status, record.attempt, record.result, record.worker_id) == (
        "succeeded",
        2,
        {"ok": True},
        "v",
    )
