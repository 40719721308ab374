"""Run a job body in a child process, so a hanging body can really be cut off.

Children come from a forkserver that has already imported greenroom (``preload``), so starting
one costs a fork, not a fresh interpreter (numbers in docs/benchmarks.md). A child that outlives
its time limit, or the worker's shutdown grace, is killed with its whole process group. What a
child writes to stdout and stderr passes through the worker's stderr, and its tail is kept: a
child that dies without a result (a crash, an out-of-memory kill) is recorded with how it
ended and what it said last.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, Literal

from jobs.child import ChildTask, child_main
from jobs.child_output import ChildOutput
from runtime.child_imports import isolate_child_imports

__all__ = ["ChildRunner", "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended."""

    status: Literal["succeeded", "failed", "timed_out", "abandoned"]
    result: Any = None
    error: str | None = None


class ChildRunner:
    """Starts job children, waits for them with a time limit, kills them when told to."""

    def __init__(self, *, preload: Sequence[str] = ("jobs.child",)) -> None:
        isolate_child_imports()  # the forkserver must not import from the current folder
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        self._lock = threading.Lock()
        self._live: dict[int, BaseProcess] = {}
        self._abandoned: set[int] = set()
        self._abandon_reason = ""

    def run(self, task: ChildTask, *, timeout: float) -> Outcome:
        """Run the task's body and report how it ended (never raises for the body's faults)."""
        message: tuple[str, Any] | None = None
        reader, writer = self._context.Pipe(duplex=False)
        output = ChildOutput(f"job {task.kind} #{task.run_id}")
        process = self._context.Process(
            target=child_main,
            args=(task, writer, output.child_end),
            name=f"job {task.kind} #{task.run_id}",
        )
        with self._lock:
            if self._abandon_reason:
                output.close()
                return Outcome("abandoned", error=self._abandon_reason)
            try:
                process.start()
            except (OSError, EOFError) as error:
                reader.close()
                writer.close()
                output.close()
                return Outcome("failed", error=f"could not start the job process: {error!r}")
            self._live[task.run_id] = process
        writer.close()
        output.started()
        try:
            message, timed_out = self._wait(process, reader, timeout)
        finally:
            reader.close()
            if message is None and process.is_alive():
                _kill(process)
            process.join(10)
            with self._lock:
                self._live.pop(task.run_id, None)
                abandoned = task.run_id in self._abandoned
            output.finish()
        if abandoned:
            return Outcome("abandoned", error=self._abandon_reason)
        if timed_out:
            return Outcome("timed_out", error=f"cut off at its time limit of {timeout:g}s")
        if message is None:
            return Outcome("failed", error=output.death_report(process.exitcode))
        status, payload = message
        if status == "ok":
            return Outcome("succeeded", result=payload)
        return Outcome("failed", error=str(payload))

    def start_server(self) -> None:
        """Start the forkserver now, immune to a SIGTERM sent to the whole process group
        (systemd, ``timeout``): the worker decides when jobs stop, not the signal."""
        if threading.current_thread() is not threading.main_thread():
            forkserver.ensure_running()
            return
        previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGTERM, previous)

    def abandon_all(self, reason: str, *, unwind: float = 5.0) -> list[int]:
        """Stop every running child now (shutdown past its grace): SIGTERM, so its work
        unwinds (transactions roll back, a sync records itself interrupted), then SIGKILL
        after ``unwind`` seconds; returns their run ids."""
        with self._lock:
            self._abandon_reason = reason
            live = dict(self._live)
            self._abandoned.update(live)
        for process in live.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + unwind
        for process in live.values():
            process.join(max(deadline - time.monotonic(), 0))
            _kill(process)
        return sorted(live)

    @property
    def running(self) -> list[int]:
        """Run ids whose child is alive."""
        with self._lock:
            return sorted(self._live)

    @staticmethod
    def _wait(
        process: BaseProcess, reader: Any, timeout: float
    ) -> tuple[tuple[str, Any] | None, bool]:
        """The child's message (None if it died without one), and whether time ran out."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, True
            ready = wait([reader, process.sentinel], timeout=remaining)
            if reader in ready or (ready and reader.poll()):
                try:
                    message: tuple[str, Any] = reader.recv()
                except (EOFError, OSError):
                    return None, False
                return message, False
            if ready:
                return None, False


def _signal_group(process: BaseProcess, signum: int) -> None:
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


def _kill(process: BaseProcess) -> None:
    pid = process.pid
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    process.join(5)
