"""Real ``greenroom worker`` processes: three replicas run every slot and every request exactly
once; SIGTERM lets short jobs finish and abandons long ones, visibly; health follows them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli.main import main
from jobs import request_run
from tests.jobs.conftest import (
    WorkerProcess,
    eventually,
    live_workers,
    pid_alive,
    runs,
    write_config,
)


def test_three_workers_run_each_slot_and_each_request_exactly_once(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    spawn_worker: Callable[[Path], WorkerProcess],
) -> None:
    ticks, requested = tmp_path / "ticks.log", tmp_path / "requested.log"
    probe = {"kind": "test.record", "when": "every 1s", "params": {"path": str(ticks)}}
    config = write_config(tmp_path, database_url, schedules={"probe": probe, "housekeeping": "off"})
    workers = [spawn_worker(config) for _ in range(3)]
    eventually(lambda: live_workers(engine) == 3, timeout=120)
    run_id = request_run(engine, "test.record", {"path": str(requested)}, requested_by="U1")
    eventually(lambda: len(runs(engine, schedule_id="probe", status="succeeded")) >= 3, timeout=60)
    eventually(lambda: runs(engine, id=run_id)[0].status == "succeeded")
    assert [w.terminate() for w in workers] == [0, 0, 0]

    executed = Counter(line.split()[0] for line in ticks.read_text().splitlines())
    assert executed and max(executed.values()) == 1, executed
    succeeded = runs(engine, schedule_id="probe", status="succeeded")
    assert {r.result["run_id"] for r in succeeded} == {r.id for r in succeeded}
    assert len(executed) == len(succeeded)
    assert len(requested.read_text().splitlines()) == 1
    assert live_workers(engine) == 0


def test_sigterm_lets_short_jobs_finish_and_abandons_long_ones(
    sqlite_url: str, tmp_path: Path, spawn_worker: Callable[[Path], WorkerProcess]
) -> None:
    from catalog.database import create_database_engine

    engine = create_database_engine(sqlite_url)
    config = write_config(tmp_path, sqlite_url, shutdown_grace_seconds=3)
    worker = spawn_worker(config)
    eventually(lambda: live_workers(engine) == 1, timeout=120)
    cli = CliRunner()
    healthy = cli.invoke(main, ["--config", str(config), "worker", "--check"])
    assert (healthy.exit_code, healthy.output.startswith("ok: 1 worker(s) alive")) == (0, True)

    short_pid, long_pid, done = tmp_path / "short.pid", tmp_path / "long.pid", tmp_path / "done"
    nap = {"done": str(done)}
    long = request_run(
        engine, "test.nap", nap | {"path": str(long_pid), "seconds": 60}, requested_by="cli"
    )
    short = request_run(
        engine, "test.nap", nap | {"path": str(short_pid), "seconds": 1.5}, requested_by="cli"
    )
    eventually(lambda: long_pid.exists() and short_pid.exists())
    started = time.monotonic()
    assert worker.terminate() == 0
    assert time.monotonic() - started < 20  # the grace (3s), not the 60s job

    [finished] = runs(engine, id=short)
    assert finished.status == "succeeded"
    assert done.read_text().split() == [str(short)]
    [cut] = runs(engine, id=long)
    assert cut.status == "abandoned"
    assert "shut down" in cut.error
    assert not pid_alive(int(long_pid.read_text()))
    assert "SIGTERM received" in worker.output
    assert f"abandoned run(s) {long} at shutdown" in worker.output
    unhealthy = cli.invoke(main, ["--config", str(config), "worker", "--check"])
    assert unhealthy.exit_code == 1
    assert "no worker is running" in unhealthy.output
    engine.dispose()


def test_a_worker_started_in_a_folder_that_shadows_our_packages_still_runs_jobs(
    sqlite_url: str, tmp_path: Path, spawn_worker: Callable[[Path], WorkerProcess]
) -> None:
    # `cd examples && greenroom worker`: examples/ holds a catalog/ folder. Here every name a
    # job process imports first is a package in the current folder that refuses to load.
    from catalog.database import create_database_engine

    project = tmp_path / "project"
    for name in ("catalog", "bot", "jobs", "multiprocessing"):
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text("raise ImportError('the decoy was imported')\n")
    engine = create_database_engine(sqlite_url)
    worker = spawn_worker(write_config(project, sqlite_url))
    eventually(lambda: live_workers(engine) == 1, timeout=120)
    run_id = request_run(engine, "test.record", {"path": str(tmp_path / "ran")}, requested_by="cli")

    eventually(lambda: runs(engine, id=run_id)[0].status not in {"queued", "running"}, timeout=60)
    [run] = runs(engine, id=run_id)
    assert (run.status, run.error) == ("succeeded", None)
    assert worker.terminate() == 0
    assert "decoy" not in worker.output
    engine.dispose()


def test_a_job_cut_off_by_sigterm_rolls_back_and_the_next_worker_does_it_again(
    sqlite_url: str, tmp_path: Path, spawn_worker: Callable[[Path], WorkerProcess]
) -> None:
    import sqlite3

    from catalog.database import create_database_engine

    engine = create_database_engine(sqlite_url)
    config = write_config(tmp_path, sqlite_url, shutdown_grace_seconds=1)
    worker = spawn_worker(config)
    eventually(lambda: live_workers(engine) == 1, timeout=120)
    ledger, once = tmp_path / "ledger.db", tmp_path / "once"
    params = {"ledger": str(ledger), "once": str(once)}
    first = request_run(engine, "test.ledger", params, requested_by="cli")
    eventually(once.exists)  # mid-transaction now
    assert worker.terminate() == 0

    [cut] = runs(engine, id=first)
    assert cut.status == "abandoned" and "shut down" in (cut.error or "")
    assert "interrupted: SIGTERM received" in worker.output  # it unwound, it was not killed
    assert sqlite3.connect(ledger).execute("SELECT run_id FROM entries").fetchall() == []
    [redo] = [r for r in runs(engine, status="queued") if r.kind == "test.ledger"]
    assert redo.requested_by == f"redo of run #{first} (cut off at shutdown)"

    again = spawn_worker(config)
    eventually(lambda: runs(engine, id=redo.id)[0].status == "succeeded", timeout=120)
    assert again.terminate() == 0
    entries = sqlite3.connect(ledger).execute("SELECT run_id FROM entries").fetchall()
    assert entries == [(redo.id,)]  # done once, by the redo
    engine.dispose()
