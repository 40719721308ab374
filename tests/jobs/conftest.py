"""Worker test fixtures: settings over the test database, in-process workers, real worker
subprocesses (``greenroom worker``), and polling helpers."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

from catalog.database import create_database_engine
from jobs import JobContext, JobRegistry, Worker
from jobs.tables import job_runs, workers
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.jobs.sample_kinds import sample_registry

REPO = Path(__file__).resolve().parents[2]
GREENROOM = Path(sys.executable).parent / "greenroom"
FAST = {"poll_seconds": 0.2, "heartbeat_seconds": 0.5, "shutdown_grace_seconds": 5}
# real worker processes poll less often: three of them share two cores with the test run
PROCESS = {"poll_seconds": 0.5, "heartbeat_seconds": 1, "shutdown_grace_seconds": 5}


def make_runtime(
    database_url: str,
    tmp_path: Path,
    *,
    catalog: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    **worker: Any,
) -> Runtime:
    """A runtime over the test database with fast worker timings; ``config``: other settings
    (e.g. ``{"migrations": {...}}``), ``environ``: e.g. the loopback Slack's token and URL."""
    settings = load_settings(
        None,
        environ=environ or {},
        database_url=database_url,
        config_dir=str(tmp_path),
        worker=FAST | worker,
        **({"catalog": catalog or {}} | (config or {})),
    )
    return Runtime(settings, create_database_engine(database_url))


def job_context(
    runtime: Runtime,
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    slot: datetime | None = None,
    run_id: int = 1,
    attempt: int = 1,
    trigger: str = "schedule",
    registry: JobRegistry | None = None,
) -> JobContext:
    """One run of a job body, as the worker's child process builds it (every capability's
    kinds in its registry unless ``registry``)."""
    from bot.capabilities import job_registry

    now = datetime.now(UTC)
    return JobContext(
        runtime=runtime,
        kind=kind,
        params=params or {},
        slot=slot or now,
        run_id=run_id,
        attempt=attempt,
        trigger=trigger,
        deadline=now + timedelta(minutes=5),
        logger=logging.getLogger(f"test.{kind}"),
        registry=registry or job_registry(),
    )


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start in-process workers (sample kinds only); all are stopped at the end."""
    started: list[Worker] = []

    def start(
        registry: JobRegistry | None = None,
        *,
        catalog: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        environ: dict[str, str] | None = None,
        **worker: Any,
    ) -> Worker:
        runtime = make_runtime(
            database_url, tmp_path, catalog=catalog, config=config, environ=environ, **worker
        )
        instance = Worker(runtime, registry=registry or sample_registry())
        instance.start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop(grace=0)
        instance.engine.dispose()


def write_config(
    tmp_path: Path, database_url: str, *, extra: dict[str, Any] | None = None, **worker: Any
) -> Path:
    """A greenroom.yaml for a worker subprocess that loads the sample kinds; ``extra``: other
    settings (e.g. ``{"migrations": {...}}``)."""
    config = {
        "database_url": database_url,
        "worker": PROCESS | {"job_modules": ["tests.jobs.sample_kinds"]} | worker,
        **(extra or {}),
    }
    path = tmp_path / "greenroom.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


class WorkerProcess:
    """A real ``greenroom worker`` subprocess; stderr goes to a file for the test to read."""

    def __init__(self, config: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        environ = {k: v for k, v in os.environ.items() if not k.startswith("GREENROOM_")}
        env = environ | {"PYTHONPATH": str(REPO)} | (env or {})
        self._stderr = log.open("wb")
        self.process = subprocess.Popen(
            [str(GREENROOM), "--config", str(config), "worker"],
            cwd=config.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    def terminate(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self._stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._stderr.close()

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def spawn_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start ``greenroom worker`` subprocesses (``env``: extra environment variables); any
    still running are killed at the end."""
    spawned: list[WorkerProcess] = []

    def spawn(config: Path, env: dict[str, str] | None = None) -> WorkerProcess:
        process = WorkerProcess(config, tmp_path / f"worker-{len(spawned)}.log", env)
        spawned.append(process)
        return process

    yield spawn
    for process in spawned:
        process.kill()


def eventually(check: Callable[[], Any], *, timeout: float = 30, every: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(every)


def runs(engine: Engine, **where: Any) -> list[Any]:
    """Rows of job_runs matching column=value filters, oldest first."""
    query = select(job_runs).order_by(job_runs.c.id)
    for name, value in where.items():
        query = query.where(job_runs.c[name] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def live_workers(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(workers.c.id).where(workers.c.stopped_at.is_(None))).all())


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers kill(0); it is dead for our purposes
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().split(") ", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database only (for process-lifecycle tests that do not depend on it)."""
    path = tmp_path / "greenroom.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"
