"""The worker process: fires every schedule, runs what it claims, shuts down cleanly.

Every replica schedules everything (APScheduler, in memory) and every firing first claims its
slot in the database; only the claimant runs the body, in a child process, on a bounded pool.
A maintenance thread beats the heartbeat, takes on-demand requests and due retries, reloads
database schedules when they change, and marks runs of dead workers abandoned.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime import Runtime
from jobs.child import ChildTask
from jobs.execution import ChildRunner, Outcome
from jobs.fire_times import SpecTrigger, fire_times
from jobs.heartbeats import beat, new_worker_id, reap_dead_workers, register_worker, stop_worker
from jobs.kinds import kind_modules, load_kinds
from jobs.plan import Plan, PlannedSchedule, plan_schedules
from jobs.registry import CATALOG_SYNC, JobKind, JobRegistry
from jobs.runs import (
    Run,
    claim_slot,
    finish_run,
    last_slots,
    record_skipped,
    release_run,
    request_run,
    retry_later,
    take_runs,
)
from jobs.schedules import list_schedules, schedules_version

__all__ = ["Worker"]

log = logging.getLogger("greenroom.worker")

_SKIPS_RECORDED = 20  # missed slots written as `skipped` rows per schedule (the newest ones)
_REAP_EVERY = timedelta(seconds=15)
_RELOAD_EVERY = timedelta(seconds=30)


class Worker:
    """One worker process's scheduler, job pool and maintenance loop."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: JobRegistry | None = None,
        worker_id: str | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        """``preload``: modules job processes should find imported, such as the ones the
        main script imports (multiprocessing re-runs the main script in every child)."""
        self.runtime = runtime
        self.engine = runtime.engine
        self.config = runtime.settings.worker
        self.registry = registry or load_kinds(self.config.job_modules)
        self.id = worker_id or new_worker_id()
        self._pool = ThreadPoolExecutor(self.config.max_concurrent_jobs, thread_name_prefix="job")
        modules = ("jobs.child", *kind_modules(self.config.job_modules), *preload)
        self._runner = ChildRunner(preload=modules)
        self._scheduler = BackgroundScheduler(
            timezone=UTC, executors={"default": _SlotExecutor(self._fire)}
        )
        self._plan = Plan([])
        self._fingerprints: dict[str, str] = {}
        self._version: tuple[int, datetime | None] | None = None
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self._taken: dict[int, Run] = {}
        self._released: set[int] = set()
        self._current: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._maintenance = threading.Thread(target=self._maintain, name="maintenance", daemon=True)
        self._last = {"beat": _NEVER, "reap": _NEVER, "reload": _NEVER}

    @property
    def plan(self) -> Plan:
        return self._plan

    def start(self) -> None:
        """Register, catch up on slots missed while no worker ran, then start firing."""
        now = _now()
        self._reload(now)  # a wrong greenroom.yaml fails here, before anything runs
        self._runner.start_server()
        register_worker(self.engine, self.id, now=now)
        self._reap(now)
        self._catch_up(now)
        self._scheduler.start()
        self._sync_scheduler()
        self._maintenance.start()
        log.info(
            "worker %s started: %d schedules, %d job kinds, up to %d jobs at once",
            self.id,
            len(self._plan.schedules),
            len(self.registry.kinds()),
            self.config.max_concurrent_jobs,
        )
        for problem in self._plan.problems:
            log.warning("%s", problem)

    def stop(self, grace: float | None = None) -> list[int]:
        """Stop firing; give running jobs ``grace`` seconds, then kill and mark them abandoned."""
        grace = self.config.shutdown_grace_seconds if grace is None else grace
        self._stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._maintenance.is_alive():
            self._maintenance.join()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._release_unstarted()
        running = self._runner.running
        if running:
            log.info("waiting up to %gs for %d running job(s) to finish", grace, len(running))
        deadline = _now() + timedelta(seconds=grace)
        while self._pending() and _now() < deadline and not self._hurry.is_set():
            self._hurry.wait(0.1)
        abandoned: list[int] = []
        if self._pending():
            abandoned = self._runner.abandon_all(
                f"cut off: the worker shut down and the job did not finish within {grace:g}s"
            )
            if abandoned:
                log.warning("abandoned run(s) %s at shutdown", ", ".join(map(str, abandoned)))
        self._pool.shutdown(wait=True)
        stop_worker(self.engine, self.id, now=_now())
        log.info("worker %s stopped", self.id)
        return abandoned

    def run_forever(self) -> int:
        """Run until SIGTERM or SIGINT; a second Ctrl-C abandons running jobs at once."""
        stopping = threading.Event()
        first_signal = [0.0]

        def on_signal(signum: int, _frame: object) -> None:
            name = signal.Signals(signum).name
            if not stopping.is_set():
                log.info(
                    "%s received: no new jobs; running jobs get %gs to finish",
                    name,
                    self.config.shutdown_grace_seconds,
                )
                first_signal[0] = time.monotonic()
                stopping.set()
            elif signum == signal.SIGINT and time.monotonic() - first_signal[0] > 1:
                # (copies within a second come from signals sent to the whole process group)
                log.warning("second %s: abandoning running jobs now", name)
                self._hurry.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not stopping.wait(1.0):
                pass
            self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    # Firing and claiming -------------------------------------------------------------------

    def _fire(self, schedule_id: str, run_times: list[datetime]) -> None:
        schedule = self._plan.get(schedule_id)
        if schedule is not None:
            self._submit(self._handle_slots, schedule, run_times, "schedule")

    def _catch_up(self, now: datetime) -> None:
        last = last_slots(self.engine, [s.id for s in self._plan.schedules])
        for schedule in self._plan.schedules:
            floors = [t for t in (last.get(schedule.id), schedule.since) if t is not None]
            if floors:  # a schedule that never ran has missed nothing
                missed = _newest_slots(schedule, max(floors), now)
                if missed:
                    self._submit(self._handle_slots, schedule, missed, "catch-up")

    def _handle_slots(
        self, schedule: PlannedSchedule, slots: Sequence[datetime], trigger: str
    ) -> None:
        """The newest slot runs if it is within grace; every older one is skipped, visibly."""
        now = _now()
        newest: datetime | None = slots[-1]
        missed = list(slots[:-1])
        if newest is not None and now - newest > schedule.grace:
            missed.append(newest)
            newest = None
        if missed:
            self._skip(schedule, missed, trigger, now)
        if newest is None or self._stop.is_set():
            return
        kind = self.registry.get(schedule.kind)
        claim = claim_slot(
            self.engine,
            schedule_id=schedule.id,
            slot=newest,
            kind=schedule.kind,
            params=schedule.params,
            trigger=trigger,
            worker_id=self.id,
            now=now,
            overlap=schedule.overlap,
        )
        if claim.outcome == "skipped":
            log.warning("%s slot %s skipped: %s", schedule.id, newest.isoformat(), claim.reason)
        if claim.run is not None:
            if trigger == "catch-up":
                log.info("%s: running missed slot %s late", schedule.id, newest.isoformat())
            self._execute(claim.run, kind)

    def _skip(
        self, schedule: PlannedSchedule, missed: list[datetime], trigger: str, now: datetime
    ) -> None:
        why = "no worker was running" if trigger == "catch-up" else "the worker was busy"
        reason = f"missed by more than its {schedule.grace} grace ({why})"
        marked = sum(
            record_skipped(
                self.engine,
                schedule_id=schedule.id,
                slot=slot,
                kind=schedule.kind,
                params=schedule.params,
                reason=reason,
                worker_id=self.id,
                now=now,
            )
            for slot in missed[-_SKIPS_RECORDED:]
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

    # Executing ---------------------------------------------------------------------------

    def _execute(self, run: Run, kind: JobKind) -> None:
        started = _now()
        with self._lock:
            if run.id in self._released:
                return  # given back at shutdown before it started
            self._taken.pop(run.id, None)
            self._current[run.id] = {
                "run_id": run.id,
                "kind": run.kind,
                "since": started.isoformat(),
            }
        log.info("run #%d %s (%s, attempt %d) started", run.id, run.kind, run.trigger, run.attempt)
        try:
            outcome = self._runner.run(
                self._task(run, kind, started), timeout=_seconds(kind.timeout)
            )
            self._record(run, kind, outcome)
        finally:
            with self._lock:
                self._current.pop(run.id, None)

    def _task(self, run: Run, kind: JobKind, started: datetime) -> ChildTask:
        return ChildTask(
            target=kind.target,
            settings=self.runtime.settings,
            kind=run.kind,
            params=dict(run.params),
            slot=run.slot,
            run_id=run.id,
            attempt=run.attempt,
            trigger=run.trigger,
            deadline=started + kind.timeout,
            log_level=logging.getLogger("greenroom").getEffectiveLevel(),
            job_modules=tuple(self.config.job_modules),
        )

    def _record(self, run: Run, kind: JobKind, outcome: Outcome) -> None:
        now = _now()
        retry = outcome.status in {"failed", "timed_out"} and run.attempt < kind.retry.attempts
        if retry:
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
        if outcome.status == "succeeded":
            log.info("run #%d %s succeeded", run.id, run.kind)
            if run.kind == CATALOG_SYNC:
                self._after_sync(run, outcome.result or {})
        else:
            log.error(
                "run #%d %s %s: %s", run.id, run.kind, outcome.status, _first_line(outcome.error)
            )

    def _after_sync(self, run: Run, result: dict[str, Any]) -> None:
        for hook in self.registry.after_sync_hooks:
            if hook.only_if_changed and not result.get("changed"):
                continue
            params = dict(hook.params) | {"sync_run_id": result.get("sync_run_id")}
            follow_up = request_run(
                self.engine, hook.kind, params, requested_by=f"{CATALOG_SYNC} run #{run.id}"
            )
            log.info("run #%d requested %s as run #%d", run.id, hook.kind, follow_up)

    def _submit(self, function: Callable[..., None], *args: Any) -> None:
        if self._stop.is_set():
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

    # Maintenance -------------------------------------------------------------------------

    def _maintain(self) -> None:
        while not self._stop.wait(self.config.poll_seconds):
            try:
                self._tick(_now())
            except Exception:  # the database may be down; keep trying, the heartbeat shows it
                log.exception(
                    "worker maintenance failed; retrying in %gs", self.config.poll_seconds
                )

    def _tick(self, now: datetime) -> None:
        if now - self._last["beat"] >= timedelta(seconds=self.config.heartbeat_seconds):
            with self._lock:
                current = list(self._current.values())
            beat(self.engine, self.id, current=current, now=now)
            self._last["beat"] = now
        if now - self._last["reap"] >= _REAP_EVERY:
            self._reap(now)
        version = schedules_version(self.engine)
        if version != self._version or now - self._last["reload"] >= _RELOAD_EVERY:
            self._reload(now, version)
            self._sync_scheduler()
        free = self.config.max_concurrent_jobs - self._pending()
        names = [kind.name for kind in self.registry.kinds()]
        for run in take_runs(self.engine, worker_id=self.id, kinds=names, limit=free, now=now):
            with self._lock:
                self._taken[run.id] = run
            self._submit(self._execute, run, self.registry.get(run.kind))

    def _reap(self, now: datetime) -> None:
        stale = self.config.stale_after_seconds
        for run_id in reap_dead_workers(self.engine, stale_after=stale, now=now):
            log.warning("run #%d abandoned: its worker stopped responding", run_id)
        self._last["reap"] = now

    def _reload(self, now: datetime, version: tuple[int, datetime | None] | None = None) -> None:
        self._version = version or schedules_version(self.engine)
        plan = plan_schedules(self.registry, self.runtime.settings, list_schedules(self.engine))
        for problem in set(plan.problems) - set(self._plan.problems):
            log.warning("%s", problem)
        self._plan = plan
        self._last["reload"] = now

    def _sync_scheduler(self) -> None:
        wanted = {s.id: s for s in self._plan.schedules}
        for job_id in list(self._fingerprints):
            if job_id not in wanted or wanted[job_id].fingerprint != self._fingerprints[job_id]:
                self._scheduler.remove_job(job_id)
                del self._fingerprints[job_id]
        for schedule in wanted.values():
            if schedule.id in self._fingerprints:
                continue
            self._scheduler.add_job(
                _never_called,
                trigger=SpecTrigger(schedule.spec, schedule.zone),
                id=schedule.id,
                name=schedule.kind,
                misfire_grace_time=None,
                coalesce=False,
                max_instances=1,
                replace_existing=True,
            )
            self._fingerprints[schedule.id] = schedule.fingerprint


class _SlotExecutor(BaseExecutor):  # type: ignore[misc]
    """Hands APScheduler's due run times (the slots) to the worker instead of calling a job."""

    def __init__(self, on_fire: Callable[[str, list[datetime]], None]) -> None:
        super().__init__()
        self._on_fire = on_fire

    def submit_job(self, job: Any, run_times: list[datetime]) -> None:
        self._on_fire(job.id, list(run_times))

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        raise NotImplementedError  # submit_job is overridden


def _newest_slots(schedule: PlannedSchedule, after: datetime, until: datetime) -> list[datetime]:
    """The newest slots in ``(after, until]``, at most ``_SKIPS_RECORDED + 1`` of them, found
    in a window that doubles until it holds enough (an every-second schedule down for a week
    must not enumerate 600,000 slots)."""
    window = timedelta(hours=1)
    while True:
        start = max(after, until - window)
        found = deque(fire_times(schedule.spec, schedule.zone, start, until), _SKIPS_RECORDED + 1)
        if len(found) > _SKIPS_RECORDED or start == after:
            return list(found)
        window *= 2


def _never_called() -> None:
    raise AssertionError("the slot executor hands slots to the worker instead")


def _logged(function: Callable[..., None], *args: Any) -> None:
    try:
        function(*args)
    except Exception:
        log.exception("worker task %s failed", getattr(function, "__name__", function))


def _now() -> datetime:
    return datetime.now(UTC)


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:300] if text and text.strip() else ""


_NEVER = datetime.min.replace(tzinfo=UTC)
