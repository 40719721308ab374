"""Schedules: durations people write, cron intervals (a weekday cron allows the weekend),
when a schedule was last due, and Airflow's schedule_interval shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.pipelines.schedules import (
    parse_duration,
    schedule_from_airflow,
    schedule_from_cron,
)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("6h", 21600), ("1d", 86400), (" 2w ", 1209600)]
)
def test_durations_as_people_write_them(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["6", "1 year", "0h", "-1d"])
def test_a_bad_duration_names_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration such as 30m, 6h, 1d or 2w"):
        parse_duration(text)


def test_a_weekday_cron_allows_the_weekend() -> None:
    schedule = schedule_from_cron("0 6 * * 1-5")
    assert schedule is not None and schedule.interval == timedelta(days=3)


def test_presets_and_last_due() -> None:
    schedule = schedule_from_cron("@hourly")
    now = datetime(2026, 5, 4, 12, 40, tzinfo=UTC)
    assert schedule is not None and schedule.interval == timedelta(hours=1)
    assert schedule.last_due(now) == datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_a_time_zone_is_honoured_and_a_bad_one_is_named() -> None:
    schedule = schedule_from_cron("0 3 * * *", timezone="Europe/Berlin")
    assert schedule is not None
    due = schedule.last_due(datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    assert due is not None and due.astimezone(UTC).hour == 1  # 03:00 in Berlin in May
    with pytest.raises(ValueError, match="unknown time zone"):
        schedule_from_cron("0 3 * * *", timezone="Mars/Olympus")


def test_airflow_schedule_shapes() -> None:
    cron = schedule_from_airflow({"__type": "CronExpression", "value": "0 */6 * * *"})
    every = schedule_from_airflow({"__type": "TimeDelta", "days": 0, "seconds": 7200})
    assert cron is not None and cron.interval == timedelta(hours=6)
    assert every is not None and every.interval == timedelta(hours=2)
    assert schedule_from_airflow(None) is None  # manual or dataset-triggered
