"""Runs in the database: exactly-once claims, on-demand requests, retries and outcomes.

A scheduled run is claimed with ``INSERT ... ON CONFLICT (schedule_id, slot) DO NOTHING
RETURNING id`` (PostgreSQL and SQLite alike): every replica fires every slot, and only the one
that gets a row back runs it. Queued requests and due retries are taken with a conditional
``UPDATE ... WHERE status = <what we saw>``, which also succeeds for exactly one worker.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from catalog.database import as_utc, writer
from jobs.tables import job_runs

__all__ = [
    "ACTIVE",
    "FINISHED",
    "Claim",
    "Run",
    "RunRecord",
    "claim_slot",
    "finish_run",
    "get_run",
    "last_runs",
    "last_slots",
    "record_skipped",
    "release_run",
    "request_run",
    "retry_later",
    "runs_where",
    "take_runs",
]

QUEUED, RUNNING, RETRYING = "queued", "running", "retrying"
SUCCEEDED, FAILED, TIMED_OUT, ABANDONED, SKIPPED = (
    "succeeded",
    "failed",
    "timed_out",
    "abandoned",
    "skipped",
)
ACTIVE = (QUEUED, RUNNING, RETRYING)
FINISHED = (SUCCEEDED, FAILED, TIMED_OUT, ABANDONED, SKIPPED)


@dataclass(frozen=True)
class Run:
    """A run this worker holds and must execute."""

    id: int
    kind: str
    schedule_id: str | None
    slot: datetime
    params: Mapping[str, Any]
    trigger: str
    attempt: int


@dataclass(frozen=True)
class RunRecord:
    """A row of ``job_runs``, for listings and for waiting on a request."""

    id: int
    kind: str
    schedule_id: str | None
    slot: datetime
    trigger: str
    status: str
    attempt: int
    requested_by: str | None
    worker_id: str | None
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None
    error: str | None
    result: Any

    @property
    def seconds(self) -> float | None:
        """How long the last attempt took."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class Claim:
    """What became of a scheduled slot: ours to run, taken by another worker, or skipped."""

    outcome: Literal["claimed", "taken", "skipped"]
    run: Run | None = None
    reason: str | None = None


def claim_slot(
    engine: Engine,
    *,
    schedule_id: str,
    slot: datetime,
    kind: str,
    params: Mapping[str, Any],
    trigger: str,
    worker_id: str,
    now: datetime,
    overlap: bool = True,
) -> Claim:
    """Claim one slot of a schedule; only one caller across all processes gets ``claimed``."""
    slot, now = as_utc(slot), as_utc(now)
    values = _row(schedule_id, slot, kind, params, trigger, now) | {
        "status": RUNNING,
        "worker_id": worker_id,
        "started_at": now,
    }
    with writer(engine).begin() as conn:
        if not overlap:
            busy = conn.execute(
                select(job_runs.c.id, job_runs.c.status).where(
                    job_runs.c.schedule_id == schedule_id,
                    job_runs.c.status.in_((RUNNING, RETRYING)),
                    job_runs.c.slot != slot,
                )
            ).first()
            if busy is not None:
                reason = f"previous run #{busy.id} was still {busy.status}"
                skipped = values | {"status": SKIPPED, "finished_at": now, "error": reason}
                inserted = _insert_once(conn, skipped)
                return Claim("skipped" if inserted else "taken", reason=reason)
        run_id = _insert_once(conn, values)
    if run_id is None:
        return Claim("taken")
    return Claim("claimed", Run(run_id, kind, schedule_id, slot, dict(params), trigger, 1))


def record_skipped(
    engine: Engine,
    *,
    schedule_id: str,
    slot: datetime,
    kind: str,
    params: Mapping[str, Any],
    reason: str,
    worker_id: str,
    now: datetime,
) -> bool:
    """Mark a slot skipped, unless some worker already holds it; True if this call marked it."""
    now = as_utc(now)
    values = _row(schedule_id, as_utc(slot), kind, params, "schedule", now) | {
        "status": SKIPPED,
        "worker_id": worker_id,
        "finished_at": now,
        "error": reason,
    }
    with writer(engine).begin() as conn:
        return _insert_once(conn, values) is not None


def request_run(
    engine: Engine,
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    requested_by: str,
    now: datetime | None = None,
) -> int:
    """Queue an on-demand run; the first worker to see it runs it. Returns the run id."""
    now = as_utc(now or datetime.now(UTC))
    values = _row(None, now, kind, params or {}, "request", now) | {
        "status": QUEUED,
        "requested_by": requested_by[:255],
    }
    with writer(engine).begin() as conn:
        return int(
            conn.execute(insert(job_runs).values(values).returning(job_runs.c.id)).scalar_one()
        )


def take_runs(
    engine: Engine, *, worker_id: str, kinds: Collection[str], limit: int, now: datetime
) -> list[Run]:
    """Take up to ``limit`` queued requests and due retries of the given kinds."""
    if limit <= 0 or not kinds:
        return []
    now = as_utc(now)
    due = or_(
        job_runs.c.status == QUEUED,
        and_(job_runs.c.status == RETRYING, job_runs.c.next_attempt_at <= now),
    )
    with engine.connect() as conn:
        candidates = conn.execute(
            select(job_runs)
            .where(due, job_runs.c.kind.in_(sorted(kinds)))
            .order_by(job_runs.c.id)
            .limit(limit * 3)
        ).all()
    taken: list[Run] = []
    for row in candidates:
        attempt = row.attempt + 1 if row.status == RETRYING else row.attempt
        with writer(engine).begin() as conn:
            won = conn.execute(
                update(job_runs)
                .where(
                    job_runs.c.id == row.id,
                    job_runs.c.status == row.status,
                    job_runs.c.attempt == row.attempt,
                )
                .values(
                    status=RUNNING,
                    worker_id=worker_id,
                    attempt=attempt,
                    started_at=now,
                    finished_at=None,
                    next_attempt_at=None,
                )
            ).rowcount
        if won == 1:
            taken.append(
                Run(
                    row.id,
                    row.kind,
                    row.schedule_id,
                    as_utc(row.slot),
                    row.params,
                    row.trigger,
                    attempt,
                )
            )
            if len(taken) == limit:
                break
    return taken


def release_run(engine: Engine, run: Run) -> None:
    """Give back a run this worker took but never started (it is shutting down)."""
    values: dict[str, Any] = {"status": QUEUED, "worker_id": None, "started_at": None}
    if run.attempt > 1:
        values = {"status": RETRYING, "attempt": run.attempt - 1, "next_attempt_at": run.slot}
    with writer(engine).begin() as conn:
        conn.execute(
            update(job_runs)
            .where(job_runs.c.id == run.id, job_runs.c.status == RUNNING)
            .values(values)
        )


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    now: datetime,
    error: str | None = None,
    result: Any = None,
) -> None:
    """Record how a run ended."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(job_runs)
            .where(job_runs.c.id == run_id)
            .values(status=status, finished_at=as_utc(now), error=error, result=result)
        )


def retry_later(
    engine: Engine, run_id: int, *, error: str, now: datetime, next_attempt_at: datetime
) -> None:
    """Park a failed run until its backoff has passed; any worker may then take it."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(job_runs)
            .where(job_runs.c.id == run_id)
            .values(
                status=RETRYING,
                finished_at=as_utc(now),
                next_attempt_at=as_utc(next_attempt_at),
                error=error,
            )
        )


def last_slots(engine: Engine, schedule_ids: Collection[str]) -> dict[str, datetime]:
    """The newest slot recorded per schedule (claimed, skipped or run)."""
    if not schedule_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(job_runs.c.schedule_id, func.max(job_runs.c.slot))
            .where(job_runs.c.schedule_id.in_(sorted(schedule_ids)))
            .group_by(job_runs.c.schedule_id)
        ).all()
    return {row[0]: as_utc(row[1]) for row in rows}


def last_runs(engine: Engine, schedule_ids: Collection[str]) -> dict[str, RunRecord]:
    """The newest run per schedule."""
    if not schedule_ids:
        return {}
    newest = (
        select(func.max(job_runs.c.id))
        .where(job_runs.c.schedule_id.in_(sorted(schedule_ids)))
        .group_by(job_runs.c.schedule_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(select(job_runs).where(job_runs.c.id.in_(newest))).all()
    return {row.schedule_id: _record(row) for row in rows}


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    """One run by id."""
    with engine.connect() as conn:
        row = conn.execute(select(job_runs).where(job_runs.c.id == run_id)).first()
    return _record(row) if row is not None else None


def runs_where(engine: Engine, *, statuses: Collection[str], limit: int = 50) -> list[RunRecord]:
    """Runs in the given states, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(job_runs)
            .where(job_runs.c.status.in_(sorted(statuses)))
            .order_by(job_runs.c.id.desc())
            .limit(limit)
        ).all()
    return [_record(row) for row in rows]


def _row(
    schedule_id: str | None,
    slot: datetime,
    kind: str,
    params: Mapping[str, Any],
    trigger: str,
    now: datetime,
) -> dict[str, Any]:
    json.dumps(params)  # a TypeError here is a bug in the caller, not a job failure
    return {
        "schedule_id": schedule_id,
        "slot": slot,
        "kind": kind,
        "params": dict(params),
        "trigger": trigger,
        "attempt": 1,
        "created_at": now,
    }


def _insert_once(conn: Connection, values: dict[str, Any]) -> int | None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(job_runs)
        .values(values)
        .on_conflict_do_nothing(index_elements=["schedule_id", "slot"])
        .returning(job_runs.c.id)
    )
    found = conn.execute(statement).scalar()
    return int(found) if found is not None else None


def _record(row: Any) -> RunRecord:
    def when(value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    return RunRecord(
        id=row.id,
        kind=row.kind,
        schedule_id=row.schedule_id,
        slot=as_utc(row.slot),
        trigger=row.trigger,
        status=row.status,
        attempt=row.attempt,
        requested_by=row.requested_by,
        worker_id=row.worker_id,
        started_at=when(row.started_at),
        finished_at=when(row.finished_at),
        next_attempt_at=when(row.next_attempt_at),
        error=row.error,
        result=row.result,
    )
