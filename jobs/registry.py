"""The typed registry of job kinds: how a capability adds a job without touching the scheduler.

A capability's ``register(setup)`` (see ``commands/__init__.py``) fills ``setup.jobs``::

    setup.jobs.add(JobKind("migrations.digest", post_digest, timeout=timedelta(minutes=2)))
    setup.jobs.after_sync("docs.build")                     # run after every catalog change
    setup.jobs.add_prune_rule(PruneRule("slack_users", "slack_users", "cached_at", timedelta(1)))

The body must be a module-level function: it is imported by name in the child process that
runs it, so a hanging body can be killed without taking the worker down.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from jobs.context import JobContext, JobResult
from jobs.cron import parse_schedule
from jobs.errors import UnknownJobKind
from runtime.settings import Settings

__all__ = [
    "CATALOG_SYNC",
    "AfterSyncHook",
    "DefaultSchedule",
    "JobKind",
    "JobRegistry",
    "PruneRule",
    "RetryPolicy",
    "resolve_target",
]

#: The kind whose successful runs trigger the after-sync hooks.
CATALOG_SYNC = "catalog.sync"

_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failed or timed-out run is tried in all, and how long to wait in between."""

    attempts: int = 1
    backoff: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_backoff: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.factor < 1 or self.backoff < timedelta(0):
            raise ValueError("RetryPolicy needs attempts >= 1, factor >= 1, backoff >= 0")

    def delay(self, failed_attempt: int) -> timedelta:
        """The wait after attempt number ``failed_attempt`` (1-based) failed."""
        return min(self.backoff * self.factor ** (failed_attempt - 1), self.max_backoff)


@dataclass(frozen=True)
class DefaultSchedule:
    """A schedule a kind proposes; ``worker.schedules.<id>`` in greenroom.yaml overrides it.
    ``timezone`` (IANA) reads ``when`` in that zone instead of ``worker.timezone``."""

    id: str
    when: str
    params: Mapping[str, Any] = field(default_factory=dict)
    timezone: str | None = None


@dataclass(frozen=True)
class JobKind:
    """One kind of job: its body, default schedule, time limit and retry policy.

    ``every`` or ``cron`` give one default schedule named after the kind; ``schedules``
    derives several from the settings instead (``catalog.sync`` has one per source interval).
    ``grace`` is how late a missed run may still start (default: the worker's setting).
    ``overlap=False`` skips a slot while the previous run of the same schedule still runs.
    ``preload``: heavy modules the body imports on first use (matplotlib for a chart), which the
    worker's forkserver imports once so each job process finds them loaded; the processes that
    import the body's module for other reasons (the web app) do not pay for them.
    """

    name: str
    run: Callable[[JobContext], JobResult]
    every: timedelta | None = None
    cron: str | None = None
    timeout: timedelta = timedelta(minutes=10)
    retry: RetryPolicy = RetryPolicy()
    grace: timedelta | None = None
    overlap: bool = False
    schedules: Callable[[Settings], Sequence[DefaultSchedule]] | None = None
    description: str = ""
    preload: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or len(self.name) > 100:
            raise ValueError(f"job kind name {self.name!r} must look like 'catalog.sync'")
        if self.every is not None and self.cron is not None:
            raise ValueError(f"job kind {self.name}: give `every` or `cron`, not both")
        if self.every is not None and self.every < timedelta(seconds=1):
            raise ValueError(f"job kind {self.name}: `every` must be at least 1 second")
        if self.cron is not None:
            parse_schedule(self.cron)
        if self.timeout <= timedelta(0):
            raise ValueError(f"job kind {self.name}: timeout must be positive")
        resolve_target(self.target)

    @property
    def target(self) -> str:
        """``module:qualname`` of the body, as the child process imports it."""
        return f"{self.run.__module__}:{self.run.__qualname__}"

    def default_schedules(self, settings: Settings) -> list[DefaultSchedule]:
        """The schedules this kind runs on unless greenroom.yaml says otherwise."""
        if self.schedules is not None:
            return list(self.schedules(settings))
        if self.every is not None:
            return [DefaultSchedule(self.name, every_expression(self.every))]
        if self.cron is not None:
            return [DefaultSchedule(self.name, self.cron)]
        return []


@dataclass(frozen=True)
class AfterSyncHook:
    """A kind to request after each catalog sync (only when something changed, by default)."""

    kind: str
    only_if_changed: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PruneRule:
    """Housekeeping: delete rows of ``table`` whose ``column`` is older than ``retention``.

    ``keep_latest_by`` keeps the newest row per value of that column however old it is (the
    last run of a monthly schedule). ``worker.retention_days.<name>`` overrides ``retention``.
    """

    name: str
    table: str
    column: str
    retention: timedelta
    keep_latest_by: str | None = None


class JobRegistry:
    """Job kinds by name, the hooks run after a sync, and the housekeeping prune rules."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}
        self._after_sync: dict[str, AfterSyncHook] = {}
        self._prune_rules: dict[str, PruneRule] = {}

    def add(self, kind: JobKind) -> JobKind:
        """Register a kind; registering the same body again (a re-import) is harmless."""
        existing = self._kinds.get(kind.name)
        if existing is not None and existing.target != kind.target:
            raise ValueError(f"job kind {kind.name} is already registered by {existing.target}")
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: str) -> JobKind:
        """The kind called ``name``; raises ``UnknownJobKind`` with close names."""
        try:
            return self._kinds[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._kinds), n=3, cutoff=0.5)
            raise UnknownJobKind(name, close) from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def kinds(self) -> list[JobKind]:
        """Every registered kind, by name."""
        return [self._kinds[name] for name in sorted(self._kinds)]

    def after_sync(
        self, kind: str, *, only_if_changed: bool = True, params: Mapping[str, Any] | None = None
    ) -> None:
        """Request ``kind`` after every catalog sync (with ``sync_run_id`` in its params)."""
        self._after_sync[kind] = AfterSyncHook(kind, only_if_changed, dict(params or {}))

    @property
    def after_sync_hooks(self) -> tuple[AfterSyncHook, ...]:
        return tuple(self._after_sync.values())

    def add_prune_rule(self, rule: PruneRule) -> None:
        """Have housekeeping delete old rows of a table."""
        self._prune_rules[rule.name] = rule

    @property
    def prune_rules(self) -> tuple[PruneRule, ...]:
        return tuple(self._prune_rules.values())


def every_expression(interval: timedelta) -> str:
    """``timedelta(minutes=30)`` as ``every 30m``."""
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"every {seconds // size}{unit}"
    return f"every {seconds}s"


def resolve_target(target: str) -> Callable[[JobContext], JobResult]:
    """The function a ``module:qualname`` names; ValueError if it cannot be imported by name."""
    module_name, _, qualname = target.partition(":")
    if "<" in qualname or not qualname:
        raise ValueError(f"job body {target} must be a module-level function (no lambdas)")
    value: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        value = getattr(value, part, None)
    if not callable(value):
        raise ValueError(f"job body {target} cannot be imported by that name")
    return value  # type: ignore[no-any-return]
