"""Schedule expressions the way people write them, read into a ``ScheduleSpec``.

Forms: ``every 15m`` (an interval in real elapsed time), ``daily 07:00``, ``weekdays 08:30``,
``mon 09:00``, ``mon,thu 9am``, ``hourly``, ``@daily``, and five-field crontab. Crontab is read
as standard cron, not as APScheduler reads it: day of week 0 and 7 are Sunday, 1 is Monday, and
when both day of month and day of week are restricted a day matching *either* fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from jobs.errors import InvalidSchedule

__all__ = ["CronFields", "ScheduleSpec", "parse_schedule"]

_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_INTERVAL = re.compile(r"^(\d+)?\s*([a-z]+?)s?$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_CRON_TERM = re.compile(r"^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(\d+))?$")
_MAX_INTERVAL = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class CronFields:
    """The sets a cron schedule fires on; ``weekdays`` count 0 = Sunday .. 6 = Saturday."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def matches(self, day: date) -> bool:
        """Whether the schedule fires on this calendar day (standard cron's day rules)."""
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday

    @property
    def every_hour(self) -> bool:
        """Fires in every hour of the day (then a repeated wall-clock hour fires twice)."""
        return len(self.hours) == 24


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A parsed schedule: either wall-clock ``cron`` fields or a fixed ``interval``."""

    expression: str
    cron: CronFields | None = None
    interval: timedelta | None = None


def parse_schedule(expression: str) -> ScheduleSpec:
    """Read a schedule expression; raises ``InvalidSchedule`` saying what is wrong."""
    text = " ".join(expression.strip().lower().split())
    if not text:
        raise InvalidSchedule(expression, "it is empty")
    if len(text) > 200:
        raise InvalidSchedule(expression[:40] + "...", "it is longer than 200 characters")
    if text in _MACROS:
        return ScheduleSpec(expression, cron=_crontab(expression, _MACROS[text]))
    if text.startswith("@"):
        raise InvalidSchedule(expression, f"unknown shorthand (known: {', '.join(_MACROS)})")
    words = text.split(" ")
    if re.fullmatch(r"[\d*/,\-]+", words[0]):
        return ScheduleSpec(expression, cron=_crontab(expression, text))
    if text == "hourly":
        return ScheduleSpec(expression, cron=_crontab(expression, "0 * * * *"))
    if words[0] == "every":
        rest = " ".join(words[1:])
        interval = _interval(expression, rest)
        if interval is not None:
            return ScheduleSpec(expression, interval=interval)
        text = "daily " + rest.removeprefix("day ") if rest.startswith("day ") else rest
    return ScheduleSpec(expression, cron=_days_at_time(expression, text))


def _interval(expression: str, text: str) -> timedelta | None:
    match = _INTERVAL.match(text)
    if match is None or match.group(2) not in _UNITS:
        return None
    if match.group(1) is None and match.group(2) == "day":
        return None  # "every day 07:00" is a time of day, not 24 hours of elapsed time
    count = int(match.group(1) or 1)
    interval = timedelta(seconds=count * _UNITS[match.group(2)])
    if count < 1:
        raise InvalidSchedule(expression, "an interval must be at least 1 second")
    if interval > _MAX_INTERVAL:
        raise InvalidSchedule(expression, "an interval may be at most 366 days")
    return interval


def _days_at_time(expression: str, text: str) -> CronFields:
    match = re.fullmatch(r"(.+?)\s+(?:at\s+)?(\S+(?:\s?[ap]m)?)", text)
    if match is None:
        raise InvalidSchedule(expression, "give the days and a time of day, like 'mon 09:00'")
    days, clock = match.groups()
    hour, minute = _time_of_day(expression, clock)
    weekdays = _day_words(expression, days)
    return CronFields(
        minutes=(minute,),
        hours=(hour,),
        days=frozenset(range(1, 32)),
        months=frozenset(range(1, 13)),
        weekdays=weekdays,
        days_restricted=False,
        weekdays_restricted=len(weekdays) < 7,
    )


def _time_of_day(expression: str, clock: str) -> tuple[int, int]:
    if clock in {"noon", "midnight"}:
        return (12, 0) if clock == "noon" else (0, 0)
    match = _TIME.match(clock)
    if match is None:
        raise InvalidSchedule(expression, f"{clock!r} is not a time of day like 09:00 or 9am")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix is None and match.group(2) is None:
        raise InvalidSchedule(expression, f"{clock!r} needs minutes or am/pm, like {hour:02}:00")
    if suffix is not None:
        if not 1 <= hour <= 12:
            raise InvalidSchedule(expression, f"{clock!r}: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidSchedule(expression, f"{clock!r} is not a time of day (00:00 to 23:59)")
    return hour, minute


def _day_words(expression: str, words: str) -> frozenset[int]:
    if words in {"daily", "day", "every day"}:
        return frozenset(range(7))
    if words in {"weekdays", "weekday"}:
        return frozenset(range(1, 6))
    if words in {"weekends", "weekend"}:
        return frozenset({0, 6})
    found: set[int] = set()
    for item in re.split(r"\s*,\s*|\s+and\s+", words):
        if "-" in item:
            first, last = (_day_number(expression, part.strip()) for part in item.split("-", 1))
            if last < first:
                last += 7
            found.update(day % 7 for day in range(first, last + 1))
        else:
            found.add(_day_number(expression, item))
    return frozenset(found)


def _day_number(expression: str, word: str) -> int:
    word = word.removesuffix("s") if len(word) > 3 else word
    for number, name in enumerate(_DAY_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return number
    raise InvalidSchedule(expression, f"{word!r} is not a day (write mon, tue, ... or monday)")


def _crontab(expression: str, text: str) -> CronFields:
    fields = text.split(" ")
    if len(fields) != 5:
        raise InvalidSchedule(
            expression,
            f"crontab needs 5 fields (minute hour day-of-month month day-of-week), "
            f"found {len(fields)}",
        )
    minute, hour, day, month, weekday = fields
    minutes = _cron_field(expression, minute, "minute", 0, 59)
    hours = _cron_field(expression, hour, "hour", 0, 23)
    days = _cron_field(expression, day, "day of month", 1, 31)
    months = _cron_field(expression, month, "month", 1, 12, names=_MONTH_NAMES, first=1)
    weekdays = _cron_field(
        expression, weekday, "day of week", 0, 7, names=tuple(n[:3] for n in _DAY_NAMES)
    )
    cron = CronFields(
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        days=frozenset(days),
        months=frozenset(months),
        weekdays=frozenset(d % 7 for d in weekdays),
        days_restricted=not day.startswith("*"),
        weekdays_restricted=not weekday.startswith("*"),
    )
    if not cron.weekdays_restricted and not any(
        d <= _MONTH_DAYS[m - 1] for m in months for d in days
    ):
        raise InvalidSchedule(expression, "it never fires: no month has that day")
    return cron


def _cron_field(
    expression: str,
    text: str,
    label: str,
    low: int,
    high: int,
    *,
    names: tuple[str, ...] = (),
    first: int = 0,
) -> set[int]:
    values: set[int] = set()
    for term in text.split(","):
        match = _CRON_TERM.match(term)
        if match is None:
            raise InvalidSchedule(expression, f"{term!r} is not a valid {label}")
        span, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if step < 1:
            raise InvalidSchedule(expression, f"step {step} in the {label} must be at least 1")
        if span == "*":
            start, end = low, high
        elif "-" in span:
            start, end = (
                _cron_value(expression, p, label, low, high, names, first) for p in span.split("-")
            )
            if end < start:
                raise InvalidSchedule(expression, f"range {span!r} in the {label} runs backwards")
        else:
            start = _cron_value(expression, span, label, low, high, names, first)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return values


def _cron_value(
    expression: str,
    text: str,
    label: str,
    low: int,
    high: int,
    names: tuple[str, ...],
    first: int,
) -> int:
    if text in names:
        return names.index(text) + first
    if not text.isdigit():
        raise InvalidSchedule(expression, f"{text!r} is not a valid {label}")
    value = int(text)
    if not low <= value <= high:
        raise InvalidSchedule(expression, f"{value} is out of range for {label} ({low}-{high})")
    return value
