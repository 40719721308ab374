"""Which schedules run: registry defaults, overridden or added by greenroom.yaml, plus the
schedules features stored in the database.

Schedule ids name a schedule in ``job_runs`` and in ``worker.schedules``: a kind's default is
the kind's name (``catalog.sync``, ``catalog.sync:<source>``), a greenroom.yaml schedule its key,
and a database schedule ``db:<key>``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from catalog.errors import ConfigError, GreenroomError
from jobs.cron import ScheduleSpec, parse_schedule
from jobs.fire_times import load_zone, next_fire_time
from jobs.registry import JobKind, JobRegistry
from jobs.schedules import StoredSchedule
from runtime.settings import ScheduleConfig, Settings

__all__ = ["Plan", "PlannedSchedule", "plan_schedules"]

OFF = "off"


@dataclass(frozen=True)
class PlannedSchedule:
    """One schedule the worker fires."""

    id: str
    kind: str
    spec: ScheduleSpec
    zone: ZoneInfo
    params: Mapping[str, Any]
    grace: timedelta
    overlap: bool
    origin: str
    since: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """Equal fingerprints fire identically (used to leave unchanged jobs alone)."""
        return json.dumps(
            [
                self.kind,
                self.spec.expression,
                self.zone.key,
                self.params,
                self.grace.total_seconds(),
            ],
            sort_keys=True,
            default=str,
        )

    def next_run(self, after: datetime) -> datetime | None:
        """The first slot after ``after`` (UTC)."""
        return next_fire_time(self.spec, self.zone, after)


@dataclass(frozen=True)
class Plan:
    """The schedules to fire, and stored schedules that cannot run (with why)."""

    schedules: list[PlannedSchedule]
    problems: list[str] = field(default_factory=list)

    def get(self, schedule_id: str) -> PlannedSchedule | None:
        return next((s for s in self.schedules if s.id == schedule_id), None)


def plan_schedules(
    registry: JobRegistry, settings: Settings, stored: Sequence[StoredSchedule] = ()
) -> Plan:
    """Every schedule to fire; a wrong greenroom.yaml raises ``ConfigError``, a wrong stored
    schedule becomes a problem (the others still run)."""
    worker = settings.worker
    zone = load_zone(worker.timezone)
    proposed = [(kind, d) for kind in registry.kinds() for d in kind.default_schedules(settings)]
    defaults = {
        default.id: (kind, default.when, dict(default.params)) for kind, default in proposed
    }
    default_zones = {d.id: load_zone(d.timezone) for _, d in proposed if d.timezone}
    entries: dict[str, tuple[JobKind, str, dict[str, Any], ScheduleConfig | None]] = {
        schedule_id: (kind, when, params, None)
        for schedule_id, (kind, when, params) in defaults.items()
    }
    for schedule_id, entry in worker.schedules.items():
        entries[schedule_id] = _configured(registry, schedule_id, entry, defaults)
    planned: list[PlannedSchedule] = []
    for schedule_id, (kind, when, params, config) in entries.items():
        if when.strip().lower() == OFF:
            continue
        try:
            spec = parse_schedule(when)
        except GreenroomError as error:
            raise ConfigError(f"worker.schedules.{schedule_id}: {error.user_message}") from None
        planned.append(
            PlannedSchedule(
                id=schedule_id,
                kind=kind.name,
                spec=spec,
                zone=(
                    load_zone(config.timezone)
                    if config and config.timezone
                    else default_zones.get(schedule_id, zone)
                ),
                params=params,
                grace=_grace(kind, config, worker.misfire_grace_seconds),
                overlap=kind.overlap,
                origin="config" if config or schedule_id not in defaults else "default",
            )
        )
    problems: list[str] = []
    for row in stored:
        if not row.enabled:
            continue
        try:
            kind = registry.get(row.kind)
            planned.append(
                PlannedSchedule(
                    id=f"db:{row.key}",
                    kind=kind.name,
                    spec=parse_schedule(row.expression),
                    zone=load_zone(row.timezone) if row.timezone else zone,
                    params=row.params,
                    grace=_grace(kind, None, worker.misfire_grace_seconds),
                    overlap=kind.overlap,
                    origin="database",
                    since=row.updated_at,
                )
            )
        except GreenroomError as error:
            problems.append(f"schedule db:{row.key} cannot run: {error.user_message}")
    return Plan(sorted(planned, key=lambda s: s.id), problems)


def _configured(
    registry: JobRegistry,
    schedule_id: str,
    entry: str | ScheduleConfig,
    defaults: Mapping[str, tuple[JobKind, str, dict[str, Any]]],
) -> tuple[JobKind, str, dict[str, Any], ScheduleConfig | None]:
    default = defaults.get(schedule_id)
    if isinstance(entry, str):
        if default is None:
            close = difflib.get_close_matches(schedule_id, list(defaults), n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ConfigError(
                f"worker.schedules.{schedule_id}: no job has a default schedule by that id; "
                f"to add a schedule give `kind:` and `when:`.{hint}"
            )
        return default[0], entry, default[2], None
    kind_name = entry.kind or (default[0].name if default else schedule_id)
    try:
        kind = registry.get(kind_name)
    except GreenroomError as error:
        raise ConfigError(f"worker.schedules.{schedule_id}: {error.user_message}") from None
    params = (default[2] if default else {}) | entry.params
    return kind, entry.when, params, entry


def _grace(kind: JobKind, config: ScheduleConfig | None, default_seconds: int) -> timedelta:
    if config is not None and config.grace_seconds is not None:
        return timedelta(seconds=config.grace_seconds)
    return kind.grace if kind.grace is not None else timedelta(seconds=default_seconds)
