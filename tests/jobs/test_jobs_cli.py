"""``greenroom jobs``: schedules with next runs in their time zone and last outcomes; ``jobs
run`` requests a run; ``jobs health`` / ``worker --check`` tell whether a worker is alive."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli.main import main
from jobs import Worker, add_schedule, request_run
from jobs.heartbeats import register_worker
from jobs.runs import claim_slot, finish_run
from tests.jobs.conftest import eventually, runs, write_config

# Friday 27 March 2026, 11:00 UTC: 12:00 in Berlin (CET), 07:00 in New York (EDT)
FRIDAY = datetime(2026, 3, 27, 11, 0, tzinfo=UTC)


def record(engine: Engine, schedule_id: str, kind: str, status: str, error: str | None) -> None:
    slot = FRIDAY - timedelta(hours=2)
    claim = claim_slot(
        engine,
        schedule_id=schedule_id,
        slot=slot,
        kind=kind,
        params={},
        trigger="schedule",
        worker_id="w",
        now=slot,
    )
    assert claim.run is not None
    finish_run(engine, claim.run.id, status=status, now=slot + timedelta(seconds=3), error=error)


def test_jobs_lists_next_runs_in_each_zone_and_last_outcomes(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    probe = {"kind": "test.record", "when": "mon 09:00", "params": {"path": "/dev/null"}}
    config = write_config(
        tmp_path, database_url, timezone="Europe/Berlin", schedules={"probe": probe}
    )
    add_schedule(
        engine,
        key="digest:C1",
        kind="test.record",
        when="weekdays 08:30",
        timezone="America/New_York",
    )
    record(engine, "probe", "test.record", "failed", "RuntimeError: boom\nTraceback ...")
    record(engine, "housekeeping", "housekeeping", "succeeded", None)
    request_run(engine, "test.record", {}, requested_by="U7")

    with time_machine.travel(FRIDAY, tick=False):
        result = CliRunner().invoke(main, ["--config", str(config), "jobs"])
    assert result.exit_code == 0, result.output
    lines = {
        line.split()[0]: " ".join(line.split())
        for line in result.output.splitlines()
        if line.strip()
    }
    assert (
        lines["Worker:"]
        == "Worker: not running (no worker is running (none has reported a heartbeat))"
    )
    assert lines["probe"] == (
        "probe test.record mon 09:00 Mon 2026-03-30 09:00 CEST "
        "failed Fri 10:00 in 3.0s: RuntimeError: boom"
    )
    assert lines["housekeeping"] == (
        "housekeeping housekeeping daily 03:30 Sat 2026-03-28 03:30 CET succeeded Fri 10:00 in 3.0s"
    )
    assert lines["db:digest:C1"] == (
        "db:digest:C1 test.record weekdays 08:30 (America/New_York) Fri 2026-03-27 08:30 EDT -"
    )
    assert "#3 test.record queued (request by U7, attempt 1)" in result.output


def test_a_job_process_killed_by_the_kernel_shows_in_jobs_with_its_last_words(
    start_worker: Callable[..., Worker], database_url: str, tmp_path: Path
) -> None:
    worker = start_worker()
    say = "loading 40 million rows"
    run_id = request_run(worker.engine, "test.die", {"how": "kill", "say": say}, requested_by="U1")
    eventually(lambda: runs(worker.engine, id=run_id)[0].status == "failed")
    config = write_config(tmp_path, database_url)

    listed = CliRunner().invoke(main, ["--config", str(config), "jobs"])
    shown = CliRunner().invoke(main, ["--config", str(config), "jobs", "show", str(run_id)])
    as_json = CliRunner().invoke(main, ["--config", str(config), "jobs", "--json"])

    assert listed.exit_code == 0, listed.output
    reason = "job process was killed by SIGKILL (out of memory? the kernel's OOM killer"
    [line] = [line for line in listed.output.splitlines() if line.strip().startswith(f"#{run_id}")]
    assert f"#{run_id} test.die failed" in line
    assert reason in line
    assert shown.exit_code == 0, shown.output
    assert f"Run #{run_id} test.die: failed" in shown.output
    assert "--- the job process's last output ---\n" + say in shown.output
    [failure] = json.loads(as_json.output)["failures"]
    assert failure["id"] == run_id
    assert failure["error"].startswith(reason)


def test_jobs_show_says_when_there_is_no_such_run(database_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, database_url)
    result = CliRunner().invoke(main, ["--config", str(config), "jobs", "show", "999"])
    assert (result.exit_code, result.output.strip()) == (1, "No run #999.")


def test_jobs_json_has_the_same_facts(engine: Engine, database_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, database_url, timezone="Europe/Berlin")
    with time_machine.travel(FRIDAY, tick=False):
        result = CliRunner().invoke(main, ["--config", str(config), "jobs", "--json"])
    data = json.loads(result.output)
    [housekeeping] = [s for s in data["schedules"] if s["id"] == "housekeeping"]
    assert housekeeping["next_run"] == "2026-03-28T03:30:00+01:00"
    assert (housekeeping["origin"], housekeeping["last_run"], data["healthy"]) == (
        "default",
        None,
        False,
    )


def test_jobs_run_requests_a_run_with_typed_params(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url)
    args = ["--config", str(config), "jobs", "run", "test.record", "--param", "path=/tmp/x"]
    result = CliRunner().invoke(main, [*args, "--param", "sleep=0.5", "--param", 'tags=["a"]'])
    assert result.exit_code == 0, result.output
    [row] = runs(engine)
    assert result.output.strip() == f"Requested test.record as run #{row.id}."
    assert (row.kind, row.status, row.requested_by) == ("test.record", "queued", "cli")
    assert row.params == {"path": "/tmp/x", "sleep": 0.5, "tags": ["a"]}


def test_jobs_run_refuses_an_unknown_kind_with_suggestions(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url)
    result = CliRunner().invoke(main, ["--config", str(config), "jobs", "run", "catalog.snyc"])
    assert result.exit_code == 1
    assert "UnknownJobKind: No job kind named 'catalog.snyc'. Did you mean: catalog.sync?" in (
        result.output
    )
    assert runs(engine) == []


def test_health_fails_when_the_last_heartbeat_is_stale(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url, stale_after_seconds=30)
    register_worker(engine, "host:12:abc", now=datetime.now(UTC) - timedelta(minutes=5))
    stale = CliRunner().invoke(main, ["--config", str(config), "jobs", "health"])
    assert stale.exit_code == 1
    assert "unhealthy: no heartbeat for 300s (last: worker host:12:abc; stale after 30s)" in (
        stale.output
    )
    register_worker(engine, "host:13:def", now=datetime.now(UTC))
    fresh = CliRunner().invoke(main, ["--config", str(config), "worker", "--check"])
    assert (fresh.exit_code, fresh.output.strip()) == (0, "ok: 1 worker(s) alive: host:13:def")
