"""Schedule expressions are read the way people write them, and bad ones are refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs import InvalidSchedule, next_fire_time, parse_schedule

UTC_ZONE = ZoneInfo("UTC")
# Wednesday 25 November 2026, 12:00 UTC
WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def upcoming(expression: str, count: int = 3, after: datetime = WEDNESDAY_NOON) -> list[str]:
    spec = parse_schedule(expression)
    found = []
    for _ in range(count):
        nxt = next_fire_time(spec, UTC_ZONE, after)
        assert nxt is not None
        found.append(nxt.strftime("%a %d %H:%M"))
        after = nxt
    return found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("mon 09:00", ["Mon 30 09:00", "Mon 07 09:00", "Mon 14 09:00"]),
        ("Monday at 9am", ["Mon 30 09:00", "Mon 07 09:00", "Mon 14 09:00"]),
        ("weekdays 08:30", ["Thu 26 08:30", "Fri 27 08:30", "Mon 30 08:30"]),
        ("weekends 10:00", ["Sat 28 10:00", "Sun 29 10:00", "Sat 05 10:00"]),
        ("daily 07:00", ["Thu 26 07:00", "Fri 27 07:00", "Sat 28 07:00"]),
        ("every day 13:15", ["Wed 25 13:15", "Thu 26 13:15", "Fri 27 13:15"]),
        ("mon,thu 9:30pm", ["Thu 26 21:30", "Mon 30 21:30", "Thu 03 21:30"]),
        ("fri-mon noon", ["Fri 27 12:00", "Sat 28 12:00", "Sun 29 12:00"]),
        ("hourly", ["Wed 25 13:00", "Wed 25 14:00", "Wed 25 15:00"]),
        ("@weekly", ["Sun 29 00:00", "Sun 06 00:00", "Sun 13 00:00"]),
    ],
)
def test_human_forms_fire_when_they_say(expression: str, expected: list[str]) -> None:
    assert upcoming(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 9 * * 1", ["Mon 30 09:00", "Mon 07 09:00", "Mon 14 09:00"]),
        ("0 9 * * 0", ["Sun 29 09:00", "Sun 06 09:00", "Sun 13 09:00"]),
        ("0 9 * * 7", ["Sun 29 09:00", "Sun 06 09:00", "Sun 13 09:00"]),
        ("0 9 * * 1-5", ["Thu 26 09:00", "Fri 27 09:00", "Mon 30 09:00"]),
        ("0 9 * * */2", ["Thu 26 09:00", "Sat 28 09:00", "Sun 29 09:00"]),
        ("0 9 * * mon-fri", ["Thu 26 09:00", "Fri 27 09:00", "Mon 30 09:00"]),
        ("*/20 12 * * *", ["Wed 25 12:20", "Wed 25 12:40", "Thu 26 12:00"]),
        ("0 0 1 * *", ["Tue 01 00:00", "Fri 01 00:00", "Mon 01 00:00"]),
    ],
)
def test_crontab_day_of_week_is_standard_cron_not_apscheduler(
    expression: str, expected: list[str]
) -> None:
    assert upcoming(expression) == expected


def test_crontab_with_day_of_month_and_weekday_fires_on_either() -> None:
    # Standard cron: the 1st of the month OR any Monday (APScheduler would need both).
    assert upcoming("0 0 1 * 1", 3) == ["Mon 30 00:00", "Tue 01 00:00", "Mon 07 00:00"]


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("every 15m", 900),
        ("every 15 minutes", 900),
        ("every 2h", 7200),
        ("every hour", 3600),
        ("every 30s", 30),
        ("every 1d", 86400),
    ],
)
def test_every_is_an_interval_of_real_time(expression: str, seconds: int) -> None:
    spec = parse_schedule(expression)
    assert spec.interval == timedelta(seconds=seconds)


def test_intervals_fall_on_the_same_slots_in_every_process() -> None:
    spec = parse_schedule("every 15m")
    assert next_fire_time(spec, UTC_ZONE, datetime(2026, 11, 25, 12, 7, 3, tzinfo=UTC)) == (
        datetime(2026, 11, 25, 12, 15, tzinfo=UTC)
    )
    on_slot = datetime(2026, 11, 25, 12, 15, tzinfo=UTC)
    assert next_fire_time(spec, UTC_ZONE, on_slot, inclusive=True) == on_slot
    assert next_fire_time(spec, UTC_ZONE, on_slot) == on_slot + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("0 9 * *", "crontab needs 5 fields"),
        ("0 0 9 * * 1", "crontab needs 5 fields"),
        ("61 9 * * *", "61 is out of range for minute (0-59)"),
        ("0 24 * * *", "24 is out of range for hour (0-23)"),
        ("0 9 * * 8", "8 is out of range for day of week (0-7)"),
        ("0 9 * * 5-1", "range '5-1' in the day of week runs backwards"),
        ("0 9 30 2 *", "it never fires"),
        ("0 9 * * funday", "'funday' is not a valid day of week"),
        ("mon 25:00", "'25:00' is not a time of day"),
        ("mon 9", "'9' needs minutes or am/pm"),
        ("mon 13pm", "with am/pm the hour is 1 to 12"),
        ("blursday 09:00", "'blursday' is not a day"),
        ("mon", "give the days and a time of day"),
        ("every 0m", "at least 1 second"),
        ("every 400d", "at most 366 days"),
        ("every fortnight", "give the days and a time of day"),
        ("@sometimes", "unknown shorthand"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression: str, problem: str) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        parse_schedule(expression)
    assert problem in caught.value.user_message
    assert "mon 09:00" in caught.value.user_message  # and show forms that work


def test_an_overlong_expression_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidSchedule) as caught:
        parse_schedule("mon " * 100)
    assert "longer than 200 characters" in caught.value.user_message
    assert len(caught.value.user_message) < 400
