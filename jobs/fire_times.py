"""When a schedule fires, in real instants (UTC), correct across daylight-saving changes.

APScheduler 3.11.3's own ``CronTrigger`` loses the first midnight after a spring-forward and
fires a fall-back 02:30 twice (verified on this machine), so cron times are computed here and
handed to APScheduler through ``SpecTrigger``. The rules:

- a wall-clock time that does not exist (spring forward) fires once, shifted by the gap
  (02:30 becomes 03:30);
- a wall-clock time that happens twice (fall back) fires once, at its first occurrence, unless
  the schedule fires every hour, then each real hour fires;
- intervals (``every 15m``) count real elapsed time from the Unix epoch, so every replica
  computes the same slots.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger

from catalog.errors import ConfigError
from jobs.cron import CronFields, ScheduleSpec

__all__ = ["SpecTrigger", "fire_times", "load_zone", "newest_fire_times", "next_fire_time"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLACK = timedelta(hours=3)  # more than any daylight-saving shift
_MAX_DAYS = 8 * 366 + 2  # a 29 February comes within eight years


def load_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``ConfigError`` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Unknown time zone {name!r}; use an IANA name like Europe/Berlin or UTC"
        ) from None


def next_fire_time(
    spec: ScheduleSpec, zone: ZoneInfo, after: datetime, *, inclusive: bool = False
) -> datetime | None:
    """The first fire time after ``after`` (or at it, if ``inclusive``), in UTC."""
    after = after.astimezone(UTC)
    if spec.interval is not None:
        step = spec.interval // timedelta(microseconds=1)
        elapsed = (after - EPOCH) // timedelta(microseconds=1)
        count = elapsed // step + (0 if inclusive and elapsed % step == 0 else 1)
        return EPOCH + timedelta(microseconds=count * step)
    assert spec.cron is not None
    return _next_cron(spec.cron, zone, after, inclusive)


def fire_times(
    spec: ScheduleSpec, zone: ZoneInfo, after: datetime, until: datetime
) -> Iterator[datetime]:
    """Every fire time in ``(after, until]``, oldest first."""
    current = next_fire_time(spec, zone, after)
    while current is not None and current <= until:
        yield current
        current = next_fire_time(spec, zone, current)


def newest_fire_times(
    spec: ScheduleSpec, zone: ZoneInfo, after: datetime, until: datetime, limit: int
) -> list[datetime]:
    """The newest ``limit`` fire times in ``(after, until]``, oldest first, found in a window
    that doubles until it holds enough (a per-second schedule down for a week must not
    enumerate 600,000 slots to find its newest few)."""
    window = timedelta(hours=1)
    while True:
        start = max(after, until - window)
        found = deque(fire_times(spec, zone, start, until), limit)
        if len(found) >= limit or start == after:
            return list(found)
        window *= 2


def _next_cron(
    cron: CronFields, zone: ZoneInfo, after: datetime, inclusive: bool
) -> datetime | None:
    wall = _next_wall_time(cron, after.astimezone(zone).replace(tzinfo=None), inclusive)
    if wall is None:
        return None
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if _steady(zone, after) and _steady(zone, instant):
        return instant
    return _next_cron_near_change(cron, zone, after, inclusive)


def _steady(zone: ZoneInfo, instant: datetime) -> bool:
    """No UTC offset change within a few hours of ``instant``."""
    return (instant - _SLACK).astimezone(zone).utcoffset() == (instant + _SLACK).astimezone(
        zone
    ).utcoffset()


def _next_wall_time(cron: CronFields, after: datetime, inclusive: bool) -> datetime | None:
    start = after.replace(second=0, microsecond=0)
    if start < after or not inclusive:
        start += timedelta(minutes=1)
    day = start.date()
    earliest = (start.hour, start.minute)
    for _ in range(_MAX_DAYS):
        if cron.matches(day):
            for hour in cron.hours[bisect_left(cron.hours, earliest[0]) :]:
                first = earliest[1] if hour == earliest[0] else 0
                index = bisect_left(cron.minutes, first)
                if index < len(cron.minutes):
                    return datetime(day.year, day.month, day.day, hour, cron.minutes[index])
        day += timedelta(days=1)
        earliest = (0, 0)
    return None


def _next_cron_near_change(
    cron: CronFields, zone: ZoneInfo, after: datetime, inclusive: bool
) -> datetime | None:
    """The careful search: every wall time a few hours around ``after``, mapped to instants."""
    floor = after.astimezone(zone).replace(tzinfo=None) - _SLACK
    best: datetime | None = None
    stop_at: datetime | None = None
    day = floor.date()
    for _ in range(_MAX_DAYS):
        if stop_at is not None and datetime.combine(day, datetime.min.time()) > stop_at:
            break
        if cron.matches(day):
            for naive in _wall_times(cron, day):
                if naive < floor:
                    continue
                if stop_at is not None and naive > stop_at:
                    break
                for instant in _instants(naive, zone, both_folds=cron.every_hour):
                    due = instant > after or (inclusive and instant == after)
                    if due and (best is None or instant < best):
                        best = instant
                        stop_at = stop_at or naive + _SLACK
        day += timedelta(days=1)
    return best


def _wall_times(cron: CronFields, day: date) -> Iterator[datetime]:
    for hour in cron.hours:
        for minute in cron.minutes:
            yield datetime(day.year, day.month, day.day, hour, minute)


def _instants(naive: datetime, zone: ZoneInfo, *, both_folds: bool) -> list[datetime]:
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if not both_folds:
        return [first]
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    repeated = second != first and second.astimezone(zone).replace(tzinfo=None) == naive
    return [first, second] if repeated else [first]


class SpecTrigger(BaseTrigger):  # type: ignore[misc]
    """An APScheduler trigger that fires a ``ScheduleSpec`` in a time zone."""

    __slots__ = ("spec", "zone")

    def __init__(self, spec: ScheduleSpec, zone: ZoneInfo) -> None:
        self.spec = spec
        self.zone = zone

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> Any:
        if previous_fire_time is not None:
            return next_fire_time(self.spec, self.zone, previous_fire_time)
        return next_fire_time(self.spec, self.zone, now, inclusive=True)

    def __str__(self) -> str:
        return f"{self.spec.expression} ({self.zone.key})"
