"""Worker heartbeats: who is alive, what it runs, and what a dead worker left behind.

Each worker upserts its row every few seconds. ``check_health`` is the worker's ``/readyz``:
healthy while some worker has beaten recently. ``reap_dead_workers`` marks runs held by a worker
that stopped beating as ``abandoned``, so they do not look as if they were still running.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, select, update

from catalog.database import as_utc, writer
from jobs.runs import ABANDONED, RUNNING
from jobs.tables import job_runs, workers

__all__ = [
    "WorkerHealth",
    "WorkerRecord",
    "beat",
    "check_health",
    "list_workers",
    "new_worker_id",
    "reap_dead_workers",
    "register_worker",
    "stop_worker",
]


@dataclass(frozen=True)
class WorkerRecord:
    """A worker process as it last reported itself."""

    id: str
    host: str
    pid: int
    started_at: datetime
    last_seen: datetime
    stopped_at: datetime | None
    current: list[dict[str, Any]]


@dataclass(frozen=True)
class WorkerHealth:
    """Whether some worker is alive; ``reason`` says why not (or which one is)."""

    ok: bool
    reason: str
    workers: list[WorkerRecord]


def new_worker_id() -> str:
    """host:pid plus a few random characters, so a reused pid is a new worker."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{os.urandom(3).hex()}"


def register_worker(engine: Engine, worker_id: str, *, now: datetime) -> None:
    """Announce a starting worker (this process, on this host)."""
    with writer(engine).begin() as conn:
        conn.execute(
            insert(workers).values(
                id=worker_id,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=as_utc(now),
                last_seen=as_utc(now),
                current=[],
            )
        )


def beat(
    engine: Engine, worker_id: str, *, current: Sequence[dict[str, Any]], now: datetime
) -> None:
    """I am alive, running these runs."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(workers)
            .where(workers.c.id == worker_id)
            .values(last_seen=as_utc(now), current=list(current))
        )


def stop_worker(engine: Engine, worker_id: str, *, now: datetime) -> None:
    """A worker shut down cleanly."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(workers)
            .where(workers.c.id == worker_id)
            .values(last_seen=as_utc(now), stopped_at=as_utc(now), current=[])
        )


def list_workers(engine: Engine, *, include_stopped: bool = False) -> list[WorkerRecord]:
    """Workers, most recently seen first."""
    query = select(workers).order_by(workers.c.last_seen.desc())
    if not include_stopped:
        query = query.where(workers.c.stopped_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        WorkerRecord(
            id=row.id,
            host=row.host,
            pid=row.pid,
            started_at=as_utc(row.started_at),
            last_seen=as_utc(row.last_seen),
            stopped_at=as_utc(row.stopped_at) if row.stopped_at else None,
            current=list(row.current or []),
        )
        for row in rows
    ]


def check_health(
    engine: Engine, *, stale_after: float, now: datetime | None = None
) -> WorkerHealth:
    """Healthy if a running worker beat within ``stale_after`` seconds."""
    now = as_utc(now or datetime.now(UTC))
    running = list_workers(engine)
    fresh = [w for w in running if (now - w.last_seen).total_seconds() <= stale_after]
    if fresh:
        names = ", ".join(w.id for w in fresh)
        return WorkerHealth(True, f"{len(fresh)} worker(s) alive: {names}", fresh)
    if running:
        newest = running[0]
        age = int((now - newest.last_seen).total_seconds())
        return WorkerHealth(
            False,
            f"no heartbeat for {age}s (last: worker {newest.id}; stale after {stale_after:g}s)",
            running,
        )
    return WorkerHealth(False, "no worker is running (none has reported a heartbeat)", [])


def reap_dead_workers(engine: Engine, *, stale_after: float, now: datetime) -> list[int]:
    """Mark runs held by silent or stopped workers as abandoned; returns their ids."""
    now = as_utc(now)
    alive = select(workers.c.id).where(
        and_(
            workers.c.stopped_at.is_(None),
            workers.c.last_seen >= now - timedelta(seconds=stale_after),
        )
    )
    with writer(engine).begin() as conn:
        orphans = conn.execute(
            select(job_runs.c.id, job_runs.c.worker_id).where(
                job_runs.c.status == RUNNING, job_runs.c.worker_id.not_in(alive)
            )
        ).all()
        for run_id, worker_id in orphans:
            conn.execute(
                update(job_runs)
                .where(job_runs.c.id == run_id, job_runs.c.status == RUNNING)
                .values(
                    status=ABANDONED,
                    finished_at=now,
                    error=f"worker {worker_id} stopped responding while running it",
                )
            )
    return [run_id for run_id, _ in orphans]
