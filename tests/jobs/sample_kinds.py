"""Job kinds for the worker's tests; ``worker.job_modules: [tests.jobs.sample_kinds]`` loads them
into real ``greenroom worker`` processes, and ``sample_registry()`` into in-process workers."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from commands import Setup
from jobs import JobContext, JobKind, JobRegistry, JobResult, RetryPolicy


def _append(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def record(ctx: JobContext) -> JobResult:
    """Append ``<slot> <run id> <trigger> <attempt>`` to params.path, then sleep params.sleep."""
    _append(ctx.params["path"], f"{ctx.slot.isoformat()} {ctx.run_id} {ctx.trigger} {ctx.attempt}")
    time.sleep(float(ctx.params.get("sleep", 0)))
    if "done" in ctx.params:
        _append(ctx.params["done"], str(ctx.run_id))
    return {"pid": os.getpid(), "run_id": ctx.run_id}


def flaky(ctx: JobContext) -> JobResult:
    """Fail the first params.failures attempts, logging each attempt's time."""
    _append(ctx.params["path"], f"{ctx.attempt} {time.time()}")
    if ctx.attempt <= int(ctx.params["failures"]):
        raise RuntimeError(f"planned failure {ctx.attempt}")
    return {"attempt": ctx.attempt}


def hang(ctx: JobContext) -> JobResult:
    """Start a grandchild, write both pids to params.path, then never finish."""
    sleeper = subprocess.Popen(["sleep", "300"])
    _append(ctx.params["path"], f"{os.getpid()} {sleeper.pid}")
    while True:
        time.sleep(1)


def nap(ctx: JobContext) -> JobResult:
    """Write the pid to params.path, sleep params.seconds, then append to params.done."""
    _append(ctx.params["path"], str(os.getpid()))
    time.sleep(float(ctx.params["seconds"]))
    _append(ctx.params["done"], str(ctx.run_id))
    return {"slept": ctx.params["seconds"]}


def die(ctx: JobContext) -> JobResult:
    """Say params.say on stderr, then die the way params.how says: ``kill`` (SIGKILL, as the
    OOM killer does), ``segfault`` (a crash in native code) or ``exit`` (os._exit(3))."""
    print(ctx.params.get("say", ""), file=sys.stderr, flush=True)
    how = ctx.params["how"]
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "segfault":
        ctypes.string_at(0)
    os._exit(3)


def ledger(ctx: JobContext) -> JobResult:
    """Add one entry to the SQLite ledger at params.ledger in one transaction; the first time
    (no params.once file yet) it stops mid-transaction for a minute, to be cut off there."""
    import sqlite3

    connection = sqlite3.connect(ctx.params["ledger"], isolation_level=None)
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS entries (run_id INTEGER)")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO entries VALUES (?)", (ctx.run_id,))
        once = Path(ctx.params["once"])
        if not once.exists():
            once.write_text(str(os.getpid()))
            time.sleep(60)
        connection.execute("COMMIT")
    finally:
        connection.close()  # without COMMIT: rolled back
    return {"entry": ctx.run_id}


KINDS = (
    JobKind("test.record", record, overlap=True, timeout=timedelta(seconds=60)),
    JobKind(
        "test.flaky",
        flaky,
        retry=RetryPolicy(attempts=3, backoff=timedelta(seconds=0.4), factor=2.0),
    ),
    JobKind("test.hang", hang, timeout=timedelta(seconds=1.5)),
    JobKind("test.nap", nap, timeout=timedelta(minutes=5)),
    JobKind("test.die", die),
    JobKind("test.ledger", ledger, timeout=timedelta(minutes=5)),
)


def sample_registry() -> JobRegistry:
    """A registry with only these kinds (no built-in schedules in the way)."""
    fresh = JobRegistry()
    for kind in KINDS:
        fresh.add(kind)
    return fresh


def register(setup: Setup) -> None:
    """As a site's own module in ``worker.job_modules``: add these kinds."""
    for kind in KINDS:
        setup.jobs.add(kind)
