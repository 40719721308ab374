"""The worker process: fires every schedule, runs what it claims, shuts down cleanly.

Every replica schedules everything (APScheduler, in memory) and every firing first claims its
slot in the database; only the claimant runs the body (``jobs.dispatch``). A maintenance thread
beats the heartbeat, takes on-demand requests and due retries, reloads stored schedules when
they change, and marks runs of dead workers abandoned.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from catalog.database import database_unavailable
from jobs.dispatch import SKIPS_RECORDED, Dispatcher
from jobs.execution import ChildRunner
from jobs.fire_times import SpecTrigger, newest_fire_times
from jobs.heartbeats import beat, new_worker_id, reap_dead_workers, register_worker, stop_worker
from jobs.plan import Plan, plan_schedules
from jobs.registry import JobRegistry
from jobs.runs import last_slots, take_runs
from jobs.schedules import list_schedules, schedules_version
from runtime.process import Runtime

__all__ = ["Worker"]

log = logging.getLogger("greenroom.worker")

_REAP_EVERY = timedelta(seconds=15)
_RELOAD_EVERY = timedelta(seconds=30)
_NEVER = datetime.min.replace(tzinfo=UTC)


class Worker:
    """One worker process's scheduler, job pool and maintenance loop."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: JobRegistry,
        worker_id: str | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        """``registry``: the job kinds the capabilities registered (``bot.capabilities``).
        ``preload``: modules job processes should find imported, such as the ones the main
        script imports (multiprocessing re-runs the main script in every child)."""
        self.runtime = runtime
        self.engine = runtime.engine
        self.config = runtime.settings.worker
        self.registry = registry
        self.id = worker_id or new_worker_id()
        dialect = type(self.engine.dialect).__module__  # e.g. psycopg: not imported per job
        kinds = registry.kinds()
        bodies = {kind.run.__module__ for kind in kinds}
        heavy = {module for kind in kinds for module in kind.preload}
        modules = ("jobs.child", dialect, *sorted(bodies | heavy), *preload)
        self._runner = ChildRunner(preload=modules)
        self._dispatcher = Dispatcher(runtime, self.registry, self.id, self._runner)
        self._scheduler = BackgroundScheduler(
            timezone=UTC, executors={"default": _SlotExecutor(self._fire)}
        )
        self._plan = Plan([])
        self._fingerprints: dict[str, str] = {}
        self._version: tuple[int, datetime | None] | None = None
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._maintenance = threading.Thread(target=self._maintain, name="maintenance", daemon=True)
        self._last = {"beat": _NEVER, "reap": _NEVER, "reload": _NEVER}

    @property
    def plan(self) -> Plan:
        """The schedules this worker fires."""
        return self._plan

    def start(self) -> None:
        """Register, catch up on slots missed while no worker ran, then start firing."""
        now = datetime.now(UTC)
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
        self._stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._maintenance.is_alive():
            self._maintenance.join()
        grace = self.config.shutdown_grace_seconds if grace is None else grace
        abandoned = self._dispatcher.close(grace, self._hurry)
        stop_worker(self.engine, self.id, now=datetime.now(UTC))
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

    def _fire(self, schedule_id: str, run_times: list[datetime]) -> None:
        schedule = self._plan.get(schedule_id)
        if schedule is not None and not self._stop.is_set():
            self._dispatcher.fire(schedule, run_times, "schedule")

    def _catch_up(self, now: datetime) -> None:
        last = last_slots(self.engine, [s.id for s in self._plan.schedules])
        for schedule in self._plan.schedules:
            floors = [t for t in (last.get(schedule.id), schedule.since) if t is not None]
            if not floors:
                continue  # a schedule that never ran has missed nothing
            missed = newest_fire_times(
                schedule.spec, schedule.zone, max(floors), now, SKIPS_RECORDED + 1
            )
            if missed:
                self._dispatcher.fire(schedule, missed, "catch-up")

    # Maintenance ---------------------------------------------------------------------------

    def _maintain(self) -> None:
        away = False  # the database was not answering at the last tick
        while not self._stop.wait(self.config.poll_seconds):
            try:
                self._tick(datetime.now(UTC))
            except Exception as error:  # keep trying; the heartbeat shows it
                if not database_unavailable(error):
                    log.exception(
                        "worker maintenance failed; retrying in %gs", self.config.poll_seconds
                    )
                elif not away:
                    log.warning("the database is not answering (%s); waiting for it", error)
                away = away or database_unavailable(error)
                continue
            if away:
                log.warning("the database answers again; claiming the slots that waited")
                away = False
                self._dispatcher.claim_unclaimed()

    def _tick(self, now: datetime) -> None:
        if now - self._last["beat"] >= timedelta(seconds=self.config.heartbeat_seconds):
            beat(self.engine, self.id, current=self._dispatcher.current, now=now)
            self._last["beat"] = now
        if now - self._last["reap"] >= _REAP_EVERY:
            self._reap(now)
        version = schedules_version(self.engine)
        if version != self._version or now - self._last["reload"] >= _RELOAD_EVERY:
            self._reload(now, version)
            self._sync_scheduler()
        names = [kind.name for kind in self.registry.kinds()]
        free = self._dispatcher.free
        for run in take_runs(self.engine, worker_id=self.id, kinds=names, limit=free, now=now):
            self._dispatcher.run(run)

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


def _never_called() -> None:
    raise AssertionError("the slot executor hands slots to the worker instead")
