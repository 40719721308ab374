"""Schedules as engines write them (cron, Airflow's ``@daily`` presets and ``TimeDelta``) and
the interval people write in annotations (``6h``, ``1d``): how often a pipeline is expected to
run, and when it was last due. Cron arithmetic is APScheduler's, not ours."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

__all__ = ["Schedule", "parse_duration", "schedule_from_airflow", "schedule_from_cron"]

_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
#: ``str(timedelta)``: ``1:00:00``, ``2 days, 0:30:00``
_PRINTED_DELTA = re.compile(r"^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})$")


def parse_duration(text: str | None) -> timedelta | None:
    """``30m``, ``6h``, ``1d``, ``2w`` -> timedelta; ValueError names the expected form."""
    if text is None or not text.strip():
        return None
    match = _DURATION.match(text)
    if not match or int(match[1]) == 0:
        raise ValueError(f"expected a duration such as 30m, 6h, 1d or 2w; found {text!r}")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2].lower()])


class Schedule:
    """A cron schedule (or a fixed interval): its longest gap and when it was last due."""

    def __init__(
        self, text: str, *, cron: CronTrigger | None = None, every: timedelta | None = None
    ) -> None:
        self.text = text
        self._cron = cron
        self._every = every

    @property
    def interval(self) -> timedelta:
        """The longest gap between two runs over the next few (a weekday cron: the weekend)."""
        if self._every is not None:
            return self._every
        assert self._cron is not None
        start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: weekly and weekday crons show
        fires: list[datetime] = []
        previous: datetime | None = None
        moment = start
        for _ in range(16):
            fire = self._cron.get_next_fire_time(previous, moment)
            if fire is None:
                break
            fires.append(fire)
            previous, moment = fire, fire + timedelta(seconds=1)
        gaps = [b - a for a, b in itertools.pairwise(fires)]
        return max(gaps) if gaps else timedelta(days=1)

    def last_due(self, now: datetime) -> datetime | None:
        """The latest scheduled moment at or before ``now``."""
        if self._every is not None:
            return None  # a fixed interval has no anchor we can know from outside
        assert self._cron is not None
        moment = now - self.interval - timedelta(seconds=1)
        last: datetime | None = None
        previous: datetime | None = None
        for _ in range(64):
            fire = self._cron.get_next_fire_time(previous, moment)
            if fire is None or fire > now:
                break
            last, previous, moment = fire, fire, fire + timedelta(seconds=1)
        return last

    def __str__(self) -> str:
        return self.text


def schedule_from_cron(expression: str | None, *, timezone: str | None = None) -> Schedule | None:
    """A schedule from a cron line or preset; None when empty; ValueError when unreadable."""
    if not expression or not expression.strip():
        return None
    text = expression.strip()
    cron = _PRESETS.get(text.lower(), text)
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    try:
        trigger = CronTrigger.from_crontab(cron, timezone=zone)
    except ValueError as error:
        raise ValueError(f"unreadable cron schedule {text!r}: {error}") from None
    return Schedule(text, cron=trigger)


def schedule_from_airflow(value: Any, timetable: str | None = None) -> Schedule | None:
    """A DAG's schedule as the REST API returns it. Airflow 2's ``schedule_interval``:
    ``{"__type": "CronExpression", "value": ...}``, ``{"__type": "TimeDelta", "days",
    "seconds", ...}``, or null (manual or dataset-triggered). Airflow 3's ``timetable_summary``:
    the cron line, or a ``timedelta`` as Python prints it (``1:00:00``, ``1 day, 0:00:00``), or
    a word for what has no schedule (``None``, ``@once``, ``Asset``)."""
    if isinstance(value, str):
        return _schedule_from_summary(value, timetable)
    if not isinstance(value, dict):
        return None
    kind = value.get("__type")
    if kind == "CronExpression" and isinstance(value.get("value"), str):
        try:
            return schedule_from_cron(value["value"])
        except ValueError:
            return None
    if kind == "TimeDelta":
        every = timedelta(
            days=float(value.get("days") or 0),
            seconds=float(value.get("seconds") or 0),
            microseconds=float(value.get("microseconds") or 0),
        )
        if every > timedelta(0):
            return Schedule(timetable or f"every {every}", every=every)
    return None


def _schedule_from_summary(summary: str, timetable: str | None) -> Schedule | None:
    printed = _PRINTED_DELTA.match(summary.strip())
    if printed:
        days, hours, minutes, seconds = (int(g or 0) for g in printed.groups())
        every = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        return Schedule(timetable or f"every {every}", every=every) if every else None
    try:
        return schedule_from_cron(summary)
    except ValueError:
        return None  # None, @once, @continuous, Asset: nothing is due on a clock
