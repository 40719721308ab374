"""An in-process worker runs requests, retries failures with backoff, cuts off hanging jobs
without stopping the others, follows schedule changes and requests after-sync jobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from commands.sync.jobs import run_catalog_sync
from jobs import JobKind, Worker, add_schedule, request_run
from tests.jobs.conftest import eventually, pid_alive, runs
from tests.jobs.sample_kinds import sample_registry

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: group:payments
"""


def finished(engine: Engine, run_id: int) -> object:
    [row] = runs(engine, id=run_id)
    return row if row.status not in {"queued", "running", "retrying"} else None


def test_a_requested_run_is_run_once_and_its_result_kept(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    log = tmp_path / "ran.log"
    run_id = request_run(worker.engine, "test.record", {"path": str(log)}, requested_by="U42")
    row = eventually(lambda: finished(worker.engine, run_id))
    assert row.status == "succeeded"
    assert row.result["run_id"] == run_id
    assert (row.requested_by, row.worker_id, row.trigger) == ("U42", worker.id, "request")
    assert len(log.read_text().splitlines()) == 1


def test_a_failing_job_is_retried_with_growing_backoff_until_it_succeeds(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    log = tmp_path / "attempts.log"
    params = {"path": str(log), "failures": 2}
    run_id = request_run(worker.engine, "test.flaky", params, requested_by="cli")
    row = eventually(lambda: finished(worker.engine, run_id))
    assert (row.status, row.attempt, row.error) == ("succeeded", 3, None)
    times = [float(line.split()[1]) for line in log.read_text().splitlines()]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.4  # backoff 0.4s, then 0.8s
    assert times[2] - times[1] >= 0.8


def test_a_job_that_keeps_failing_is_recorded_with_its_last_error(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    params = {"path": str(tmp_path / "attempts.log"), "failures": 5}
    run_id = request_run(worker.engine, "test.flaky", params, requested_by="cli")
    row = eventually(lambda: finished(worker.engine, run_id))
    assert (row.status, row.attempt) == ("failed", 3)
    assert row.error.startswith("RuntimeError: planned failure 3")
    assert "Traceback" in row.error  # a bug in a body keeps its traceback for the reader


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hanging_job_is_killed_at_its_time_limit_and_others_still_run(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    pids = tmp_path / "pids"
    hung = request_run(worker.engine, "test.hang", {"path": str(pids)}, requested_by="cli")
    eventually(pids.exists)
    fine = request_run(
        worker.engine, "test.record", {"path": str(tmp_path / "ok")}, requested_by="cli"
    )
    assert eventually(lambda: finished(worker.engine, fine)).status == "succeeded"
    row = eventually(lambda: finished(worker.engine, hung))
    assert (row.status, row.error) == ("timed_out", "cut off at its time limit of 1.5s")
    child, grandchild = (int(p) for p in pids.read_text().split())
    assert eventually(lambda: not pid_alive(child) and not pid_alive(grandchild), timeout=5)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_stopping_abandons_a_job_that_outlives_the_grace_visibly(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    pids = tmp_path / "pids"
    hung = request_run(worker.engine, "test.hang", {"path": str(pids)}, requested_by="cli")
    eventually(pids.exists)
    assert worker.stop(grace=0.2) == [hung]
    [row] = runs(worker.engine, id=hung)
    assert row.status == "abandoned"
    assert "worker shut down" in row.error
    child, _ = (int(p) for p in pids.read_text().split())
    assert not pid_alive(child)


def test_a_schedule_stored_while_running_is_picked_up(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    worker = start_worker()
    log = tmp_path / "ticks.log"
    add_schedule(
        worker.engine, key="probe", kind="test.record", when="every 1s", params={"path": str(log)}
    )
    eventually(lambda: len(runs(worker.engine, schedule_id="db:probe", status="succeeded")) >= 2)
    assert "db:probe" in {s.id for s in worker.plan.schedules}


def test_after_a_sync_that_changed_the_catalog_the_hooks_are_requested(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "catalog-info.yaml").write_text(COMPONENT.format(name="payments-api"))
    registry = sample_registry()
    registry.add(JobKind("catalog.sync", run_catalog_sync))
    registry.after_sync("test.record", params={"path": str(tmp_path / "hook.log")})
    sources = [{"name": "local", "type": "directory", "path": "cat"}]
    worker = start_worker(registry, catalog={"sources": sources})

    first = request_run(worker.engine, "catalog.sync", {}, requested_by="U1")
    row = eventually(lambda: finished(worker.engine, first))
    assert row.status == "succeeded"
    assert (row.result["changed"], row.result["added"]) == (True, 1)
    [hook] = eventually(lambda: runs(worker.engine, kind="test.record", status="succeeded"))
    assert hook.requested_by == f"catalog.sync run #{first}"
    assert hook.params["sync_run_id"] == row.result["sync_run_id"]

    unchanged = request_run(worker.engine, "catalog.sync", {}, requested_by="U1")
    row = eventually(lambda: finished(worker.engine, unchanged))
    assert (row.status, row.result["changed"]) == ("succeeded", False)
    assert len(runs(worker.engine, kind="test.record")) == 1
