"""Worker benchmarks: slot claims by three competing processes, and the cost of running a job
body in its own process.

    .venv/bin/python bench/worker_bench.py [--slots 2000] [--runs 3] [--jobs 30]

1. Claims: three processes claim the same slots as fast as they can (the worst case: every
   replica fires every slot at once), on PostgreSQL (127.0.0.1, database ``worker_bench``) and on
   SQLite (WAL). Reports claim latency percentiles, attempts per second over all processes, and
   checks that every slot has exactly one winner.
2. Job overhead: a job body that does nothing, run through ``ChildRunner`` (forkserver child,
   engine, pipe) from first (cold) to steady state, against spawn and a direct call.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import func, select

from bot.capabilities import job_registry
from catalog.database import create_database_engine, upgrade_schema
from jobs.child import ChildTask, child_main
from jobs.context import JobContext, JobResult
from jobs.execution import ChildRunner
from jobs.registry import JobRegistry
from jobs.runs import claim_slot
from jobs.tables import job_runs
from runtime.process import Runtime
from runtime.settings import load_settings

PG_ADMIN = os.environ.get("GREENROOM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BASE = datetime(2030, 1, 1, tzinfo=UTC)
PROCESSES = 3


def noop(ctx: JobContext) -> JobResult:
    """The cheapest possible job body."""
    return {}


def _claimer(url: str, slots: int, start_at: float, name: str) -> tuple[list[float], int]:
    engine = create_database_engine(url)
    with engine.connect():
        pass  # open the pool before the clock starts
    while time.time() < start_at:
        time.sleep(0.001)
    latencies, won = [], 0
    for n in range(slots):
        started = time.perf_counter()
        claim = claim_slot(
            engine,
            schedule_id="bench",
            slot=BASE + timedelta(seconds=n),
            kind="bench.noop",
            params={},
            trigger="schedule",
            worker_id=name,
            now=datetime.now(UTC),
        )
        latencies.append(time.perf_counter() - started)
        won += claim.outcome == "claimed"
    engine.dispose()
    return latencies, won


def _fresh_postgres() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "worker_bench" WITH (FORCE)')
        conn.execute('CREATE DATABASE "worker_bench"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/worker_bench"


def bench_claims(url: str, slots: int) -> dict[str, float]:
    engine = create_database_engine(url)
    upgrade_schema(engine)
    with engine.begin() as conn:
        conn.execute(job_runs.delete())
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3
    with context.Pool(PROCESSES) as pool:
        started = time.perf_counter()
        results = pool.starmap(
            _claimer, [(url, slots, start_at, f"w{i}") for i in range(PROCESSES)]
        )
        elapsed = time.perf_counter() - started - max(0.0, start_at - time.time())
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(job_runs)).scalar_one()
    engine.dispose()
    latencies = sorted(x for lat, _ in results for x in lat)
    winners = sum(won for _, won in results)
    assert winners == slots == rows, (winners, slots, rows)
    wall = max(sum(lat) for lat, _ in results)
    return {
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "attempts_per_s": len(latencies) / wall,
        "slots_per_s": slots / wall,
        "elapsed_s": elapsed,
    }


def _task(settings: Any, run_id: int) -> ChildTask:
    now = datetime.now(UTC)
    return ChildTask(
        target="__main__:noop",
        settings=settings,
        kind="bench.noop",
        params={},
        slot=now,
        run_id=run_id,
        attempt=1,
        trigger="request",
        deadline=now + timedelta(minutes=1),
        log_level=30,
        registry=JobRegistry(),
    )


def bench_jobs(jobs: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade_schema(create_database_engine(url))
    settings = load_settings(None, environ={}, database_url=url, config_dir=str(folder))
    # as ``greenroom worker`` does: the forkserver preloads the job machinery, the database
    # driver, the kind modules and what the main script imports (children re-run it)
    kinds = job_registry(settings).kinds()
    bodies = sorted({kind.run.__module__ for kind in kinds})
    modules = ("jobs.child", "sqlalchemy.dialects.sqlite.pysqlite", *bodies, "psycopg")
    runner = ChildRunner(preload=modules)

    started = time.perf_counter()
    runner.start_server()
    assert runner.run(_task(settings, 0), timeout=120).status == "succeeded"
    cold = time.perf_counter() - started

    warm = []
    for n in range(jobs):
        started = time.perf_counter()
        outcome = runner.run(_task(settings, n + 1), timeout=60)
        warm.append(time.perf_counter() - started)
        assert outcome.status == "succeeded", outcome

    spawned = []
    spawn = multiprocessing.get_context("spawn")
    for n in range(3):
        reader, writer = spawn.Pipe(duplex=False)
        started = time.perf_counter()
        process = spawn.Process(target=child_main, args=(_task(settings, 1000 + n), writer))
        process.start()
        writer.close()
        assert reader.recv()[0] == "ok"
        process.join()
        spawned.append(time.perf_counter() - started)

    direct = []
    for n in range(jobs):
        started = time.perf_counter()
        engine = create_database_engine(url)
        noop(
            JobContext(
                runtime=Runtime(settings, engine),
                kind="bench.noop",
                params={},
                slot=datetime.now(UTC),
                run_id=n,
                attempt=1,
                trigger="request",
                deadline=datetime.now(UTC),
                logger=None,  # type: ignore[arg-type]
                registry=JobRegistry(),
            )
        )
        engine.dispose()
        direct.append(time.perf_counter() - started)
    return {
        "cold_first_job_s": cold,
        "forkserver_p50_ms": 1000 * statistics.median(warm),
        "forkserver_p95_ms": 1000 * sorted(warm)[int(len(warm) * 0.95)],
        "spawn_median_ms": 1000 * statistics.median(spawned),
        "direct_call_p50_ms": 1000 * statistics.median(direct),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--only", choices=["claims", "jobs"])
    args = parser.parse_args()

    if args.only != "jobs":
        bench_all_claims(args)
    if args.only != "claims":
        bench_all_jobs(args)


def bench_all_claims(args: argparse.Namespace) -> None:
    pg_url = _fresh_postgres()
    sqlite_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'claims.db'}"
    for name, url in (("PostgreSQL", pg_url), ("SQLite", sqlite_url)):
        runs = [bench_claims(url, args.slots) for _ in range(args.runs)]
        best = min(runs, key=lambda r: r["p50_ms"])
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"claims {name}: {PROCESSES} processes x {args.slots} slots, {args.runs} runs "
            f"(median): p50 {med['p50_ms']:.2f} ms, p95 {med['p95_ms']:.2f} ms, "
            f"p99 {med['p99_ms']:.2f} ms, {med['attempts_per_s']:.0f} claim attempts/s, "
            f"{med['slots_per_s']:.0f} slots/s; best run p50 {best['p50_ms']:.2f} ms; "
            "every slot had exactly one winner"
        )
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "worker_bench" WITH (FORCE)')


def bench_all_jobs(args: argparse.Namespace) -> None:
    jobs = [bench_jobs(args.jobs) for _ in range(2)]
    med = {k: statistics.median(r[k] for r in jobs) for k in jobs[0]}
    print(
        f"job process ({args.jobs} no-op jobs, 2 rounds, median): "
        f"forkserver p50 {med['forkserver_p50_ms']:.1f} ms, p95 {med['forkserver_p95_ms']:.1f} ms; "
        f"first job incl. forkserver start {med['cold_first_job_s']:.2f} s; "
        f"spawn {med['spawn_median_ms']:.0f} ms; "
        f"direct call (engine + body, no process) {med['direct_call_p50_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
