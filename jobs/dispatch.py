"""From a due slot or a taken request to a recorded outcome, on a bounded pool of threads
that each watch one job process.

A slot is claimed only when a pool thread is free to run it, so a busy worker leaves slots to
idle ones. Missed slots follow one rule, at start-up and at run time alike: the newest runs if
it is within its grace, every older one is recorded as skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from catalog.database import database_unavailable
from jobs.child import ChildTask
from jobs.execution import ChildRunner, Outcome
from jobs.plan import PlannedSchedule
from jobs.registry import CATALOG_SYNC, JobKind, JobRegistry
from jobs.runs import (
    Run,
    claim_slot,
    finish_run,
    record_skipped,
    release_run,
    request_run,
    retry_later,
)
from runtime.process import Runtime

__all__ = ["SKIPS_RECORDED", "Dispatcher"]

log = logging.getLogger("greenroom.worker")

#: Missed slots written as `skipped` rows per schedule and occasion (the newest ones).
SKIPS_RECORDED = 20
#: Slots kept per schedule while the database is away (an every-second schedule: an hour).
_UNCLAIMED_KEPT = 3600


class Dispatcher:
    """Claims slots, runs jobs in child processes, records outcomes, schedules retries."""

    def __init__(
        self, runtime: Runtime, registry: JobRegistry, worker_id: str, runner: ChildRunner
    ) -> None:
        self.engine = runtime.engine
        self._settings = runtime.settings
        self._registry = registry
        self._worker_id = worker_id
        self._runner = runner
        self._size = runtime.settings.worker.max_concurrent_jobs
        self._pool = ThreadPoolExecutor(self._size, thread_name_prefix="job")
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self._taken: dict[int, Run] = {}
        self._released: set[int] = set()
        self._current: dict[int, dict[str, Any]] = {}
        self._runs: dict[int, Run] = {}  # running now, to ask again for those cut off
        self._waiting: dict[str, tuple[str, list[datetime]]] = {}
        #: slots that fired while the database was away, claimed once it answers again
        self._unclaimed: dict[str, tuple[PlannedSchedule, list[datetime]]] = {}
        #: outcomes of runs that finished while the database was away
        self._unrecorded: list[tuple[Run, JobKind, Outcome]] = []
        self._closed = False

    def fire(self, schedule: PlannedSchedule, slots: Sequence[datetime], trigger: str) -> None:
        """Handle due (or missed) slots of a schedule when a pool thread is free; slots that
        arrive while the schedule already waits for a thread join that wait (no backlog)."""
        with self._lock:
            waiting = self._waiting.get(schedule.id)
            if waiting is not None:
                waiting[1].extend(slots)
                return
            self._waiting[schedule.id] = (trigger, list(slots))
        self._submit(self._drain, schedule)

    def _drain(self, schedule: PlannedSchedule) -> None:
        with self._lock:
            trigger, slots = self._waiting.pop(schedule.id)
        try:
            self._handle_slots(schedule, sorted(set(slots)), trigger)
        except Exception as error:
            if not database_unavailable(error):
                raise
            with self._lock:  # nothing was claimed or recorded: keep them for later
                kept = self._unclaimed.setdefault(schedule.id, (schedule, []))[1]
                kept.extend(slots)
                del kept[:-_UNCLAIMED_KEPT]
            log.warning("%s: the database is not answering; its slot waits for it", schedule.id)

    def claim_unclaimed(self) -> None:
        """Once the database answers again: outcomes that waited are recorded, and every
        slot that fired while it was away is run (the newest, if still within its grace) or
        recorded as skipped, saying why; none is lost and none runs twice (claims are
        unique per slot)."""
        with self._lock:
            pending, self._unclaimed = self._unclaimed, {}
            outcomes, self._unrecorded = self._unrecorded, []
        for run, kind, outcome in outcomes:
            self._record(run, kind, outcome)
        for schedule, slots in pending.values():
            self.fire(schedule, slots, "recovery")

    def run(self, run: Run) -> None:
        """Execute a run this worker has taken (a request or a retry)."""
        with self._lock:
            self._taken[run.id] = run
        self._submit(self._execute, run, self._registry.get(run.kind))

    @property
    def free(self) -> int:
        """Pool threads with nothing to do."""
        return self._size - self._pending()

    @property
    def current(self) -> list[dict[str, Any]]:
        """Runs in progress, for the heartbeat."""
        with self._lock:
            return list(self._current.values())

    def close(self, grace: float, hurry: threading.Event) -> list[int]:
        """Take nothing new; wait up to ``grace`` seconds (or until ``hurry``) for running
        jobs, then kill the rest; returns the ids of runs abandoned."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._release_unstarted()
        if self._runner.running:
            log.info("waiting up to %gs for %d running job(s)", grace, len(self._runner.running))
        deadline = time.monotonic() + grace
        while self._pending() and time.monotonic() < deadline and not hurry.is_set():
            hurry.wait(0.1)
        abandoned: list[int] = []
        if self._pending():
            with self._lock:
                running = dict(self._runs)
            abandoned = self._runner.abandon_all(
                f"cut off: the worker shut down and the job did not finish within {grace:g}s"
            )
            if abandoned:
                log.warning("abandoned run(s) %s at shutdown", ", ".join(map(str, abandoned)))
                self._request_again([running[i] for i in abandoned if i in running])
        self._pool.shutdown(wait=True)
        return abandoned

    def _request_again(self, runs: list[Run]) -> None:
        """Runs cut off at shutdown are asked for again: the next worker to start does the
        work (their transactions rolled back, so nothing is done twice)."""
        for run in runs:
            redo = request_run(
                self.engine,
                run.kind,
                dict(run.params),
                requested_by=f"redo of run #{run.id} (cut off at shutdown)",
            )
            log.warning("run #%d %s requested again as run #%d", run.id, run.kind, redo)

    # Slots ---------------------------------------------------------------------------------

    def _handle_slots(self, schedule: PlannedSchedule, slots: list[datetime], trigger: str) -> None:
        now = _now()
        newest: datetime | None = slots[-1]
        missed = slots[:-1]
        if newest is not None and now - newest > schedule.grace:
            missed.append(newest)
            newest = None
        if missed:
            self._skip(schedule, missed, trigger, now)
        if newest is None or self._closed:
            return
        claim = claim_slot(
            self.engine,
            schedule_id=schedule.id,
            slot=newest,
            kind=schedule.kind,
            params=schedule.params,
            trigger=trigger,
            worker_id=self._worker_id,
            now=now,
            overlap=schedule.overlap,
        )
        if claim.outcome == "skipped":
            log.warning("%s slot %s skipped: %s", schedule.id, newest.isoformat(), claim.reason)
        if claim.run is not None:
            if trigger == "catch-up":
                log.info("%s: running missed slot %s late", schedule.id, newest.isoformat())
            self._execute(claim.run, self._registry.get(schedule.kind))

    def _skip(
        self, schedule: PlannedSchedule, missed: list[datetime], trigger: str, now: datetime
    ) -> None:
        why = {
            "catch-up": "no worker was running",
            "recovery": "the database was not answering",
        }.get(trigger, "the worker was busy")
        reason = f"missed by more than its {schedule.grace} grace ({why})"
        if trigger == "recovery":  # these fired here and are known one by one: keep them all
            reason = "the database was not answering at its time"
        marked = sum(
            record_skipped(
                self.engine,
                schedule_id=schedule.id,
                slot=slot,
                kind=schedule.kind,
                params=schedule.params,
                reason=reason,
                worker_id=self._worker_id,
                now=now,
            )
            for slot in (missed if trigger == "recovery" else missed[-SKIPS_RECORDED:])
        )
        if marked:
            log.warning(
                "%s: skipped %d missed slot(s) from %s to %s: %s",
                schedule.id,
                len(missed),
                missed[0].isoformat(),
                missed[-1].isoformat(),
                reason,
            )

    # Runs ----------------------------------------------------------------------------------

    def _execute(self, run: Run, kind: JobKind) -> None:
        started = _now()
        with self._lock:
            if run.id in self._released:
                return  # given back at shutdown before it started
            self._taken.pop(run.id, None)
            self._runs[run.id] = run
            self._current[run.id] = {"run_id": run.id, "kind": run.kind, "since": str(started)}
        log.info("run #%d %s (%s, attempt %d) started", run.id, run.kind, run.trigger, run.attempt)
        try:
            task = ChildTask(
                target=kind.target,
                settings=self._settings,
                kind=run.kind,
                params=dict(run.params),
                slot=run.slot,
                run_id=run.id,
                attempt=run.attempt,
                trigger=run.trigger,
                deadline=started + kind.timeout,
                log_level=logging.getLogger("greenroom").getEffectiveLevel(),
                registry=self._registry,
            )
            outcome = self._runner.run(task, timeout=kind.timeout.total_seconds())
            try:
                self._record(run, kind, outcome)
            except Exception as error:
                if not database_unavailable(error):
                    raise
                with self._lock:  # recorded once the database answers again
                    self._unrecorded.append((run, kind, outcome))
                log.warning(
                    "run #%d %s: the database is not answering; its outcome waits", run.id, run.kind
                )
        finally:
            with self._lock:
                self._current.pop(run.id, None)
                self._runs.pop(run.id, None)

    def _record(self, run: Run, kind: JobKind, outcome: Outcome) -> None:
        now = _now()
        if outcome.status in {"failed", "timed_out"} and run.attempt < kind.retry.attempts:
            delay = kind.retry.delay(run.attempt)
            retry_later(
                self.engine, run.id, error=outcome.error or "", now=now, next_attempt_at=now + delay
            )
            log.warning(
                "run #%d %s %s (attempt %d of %d), retrying in %s: %s",
                run.id,
                run.kind,
                outcome.status,
                run.attempt,
                kind.retry.attempts,
                delay,
                _first_line(outcome.error),
            )
            return
        finish_run(
            self.engine,
            run.id,
            status=outcome.status,
            now=now,
            error=outcome.error,
            result=outcome.result,
        )
        if outcome.status != "succeeded":
            log.error(
                "run #%d %s %s: %s", run.id, run.kind, outcome.status, _first_line(outcome.error)
            )
            return
        log.info("run #%d %s succeeded", run.id, run.kind)
        if run.kind == CATALOG_SYNC:
            self._after_sync(run, outcome.result or {})

    def _after_sync(self, run: Run, result: dict[str, Any]) -> None:
        for hook in self._registry.after_sync_hooks:
            if hook.only_if_changed and not result.get("changed"):
                continue
            if hook.kind not in self._registry:
                log.warning("after-sync hook %s is not a registered job kind", hook.kind)
                continue
            params = dict(hook.params) | {"sync_run_id": result.get("sync_run_id")}
            follow_up = request_run(
                self.engine, hook.kind, params, requested_by=f"{CATALOG_SYNC} run #{run.id}"
            )
            log.info("run #%d requested %s as run #%d", run.id, hook.kind, follow_up)

    # The pool ------------------------------------------------------------------------------

    def _submit(self, function: Callable[..., None], *args: Any) -> None:
        if self._closed:
            return
        try:
            future = self._pool.submit(_logged, function, *args)
        except RuntimeError:  # the pool shut down between the check and here
            return
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def _pending(self) -> int:
        with self._lock:
            return sum(1 for f in self._futures if not f.done())

    def _release_unstarted(self) -> None:
        with self._lock:
            unstarted = list(self._taken.values())
            self._released.update(self._taken)
            self._taken.clear()
        for run in unstarted:
            release_run(self.engine, run)


def _logged(function: Callable[..., None], *args: Any) -> None:
    try:
        function(*args)
    except Exception:
        log.exception("worker task %s failed", getattr(function, "__name__", function))


def _now() -> datetime:
    return datetime.now(UTC)


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0][:300] if text and text.strip() else ""
