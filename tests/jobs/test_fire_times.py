"""Schedules fire at the right instants in their time zone, across both daylight-saving changes
(2026: Europe/Berlin 29 March and 25 October, America/New_York 8 March and 1 November)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from jobs import parse_schedule
from jobs.fire_times import SpecTrigger, fire_times

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local_fires(expression: str, zone: ZoneInfo, start: datetime, days: int) -> list[str]:
    """Fire times as local wall clock with UTC offset, e.g. '03-29 03:30+0200'."""
    spec = parse_schedule(expression)
    until = start + timedelta(days=days)
    return [
        t.astimezone(zone).strftime("%m-%d %H:%M%z") for t in fire_times(spec, zone, start, until)
    ]


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        (
            BERLIN,
            datetime(2026, 3, 27, tzinfo=UTC),
            ["03-27 02:30+0100", "03-28 02:30+0100", "03-29 03:30+0200", "03-30 02:30+0200"],
        ),
        (
            NEW_YORK,
            datetime(2026, 3, 6, 12, tzinfo=UTC),
            ["03-07 02:30-0500", "03-08 03:30-0400", "03-09 02:30-0400", "03-10 02:30-0400"],
        ),
    ],
)
def test_a_time_skipped_by_spring_forward_runs_once_an_hour_later(
    zone: ZoneInfo, start: datetime, expected: list[str]
) -> None:
    assert local_fires("daily 02:30", zone, start, 4) == expected


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        (
            BERLIN,
            datetime(2026, 10, 23, 12, tzinfo=UTC),
            ["10-24 02:30+0200", "10-25 02:30+0200", "10-26 02:30+0100", "10-27 02:30+0100"],
        ),
        (
            NEW_YORK,
            datetime(2026, 10, 30, 12, tzinfo=UTC),
            ["10-31 01:30-0400", "11-01 01:30-0400", "11-02 01:30-0500", "11-03 01:30-0500"],
        ),
    ],
)
def test_a_time_repeated_by_fall_back_runs_once(
    zone: ZoneInfo, start: datetime, expected: list[str]
) -> None:
    expression = "daily 02:30" if zone is BERLIN else "daily 01:30"
    assert local_fires(expression, zone, start, 4) == expected


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        (BERLIN, datetime(2026, 3, 28, 12, tzinfo=UTC)),
        (NEW_YORK, datetime(2026, 3, 7, 12, tzinfo=UTC)),
    ],
)
def test_the_midnight_after_spring_forward_is_not_lost(zone: ZoneInfo, start: datetime) -> None:
    # APScheduler 3.11.3's CronTrigger jumps from the 29th (or 8th) straight to the 31st (10th).
    fires = local_fires("daily 00:00", zone, start, 3)
    assert [f[:5] for f in fires] == [
        (start + timedelta(days=n)).astimezone(zone).strftime("%m-%d") for n in (1, 2, 3)
    ]


def test_an_hourly_schedule_fires_in_both_repeated_hours() -> None:
    fires = local_fires("30 * * * *", BERLIN, datetime(2026, 10, 24, 23, 0, tzinfo=UTC), 4 / 24)
    assert fires == ["10-25 01:30+0200", "10-25 02:30+0200", "10-25 02:30+0100", "10-25 03:30+0100"]


def test_an_hourly_schedule_skips_the_hour_that_does_not_exist() -> None:
    fires = local_fires("30 * * * *", BERLIN, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), 4 / 24)
    assert fires == ["03-29 00:30+0100", "03-29 01:30+0100", "03-29 03:30+0200", "03-29 04:30+0200"]


def test_intervals_count_real_time_across_daylight_saving() -> None:
    spec = parse_schedule("every 15m")
    start = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    fires = list(fire_times(spec, BERLIN, start, start + timedelta(hours=2)))
    assert len(fires) == 8
    assert {b - a for a, b in itertools.pairwise(fires)} == {timedelta(minutes=15)}


@pytest.fixture
def paused_scheduler() -> Iterator[BackgroundScheduler]:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    ("frozen", "zone", "expression", "expected"),
    [
        ("2026-03-28 12:00 +01:00", BERLIN, "daily 02:30", "2026-03-29 03:30 CEST"),
        ("2026-03-28 23:30 +01:00", BERLIN, "mon 09:00", "2026-03-30 09:00 CEST"),
        ("2026-10-25 02:45 +02:00", BERLIN, "daily 02:30", "2026-10-26 02:30 CET"),
        ("2026-03-08 01:59 -05:00", NEW_YORK, "0 2 * * *", "2026-03-08 03:00 EDT"),
        ("2026-11-01 00:10 -04:00", NEW_YORK, "weekdays 08:30", "2026-11-02 08:30 EST"),
    ],
)
def test_apscheduler_gets_the_next_run_in_the_configured_zone(
    paused_scheduler: BackgroundScheduler,
    frozen: str,
    zone: ZoneInfo,
    expression: str,
    expected: str,
) -> None:
    with time_machine.travel(datetime.strptime(frozen, "%Y-%m-%d %H:%M %z"), tick=False):
        job = paused_scheduler.add_job(
            print, trigger=SpecTrigger(parse_schedule(expression), zone), id="probe"
        )
        assert job.next_run_time.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") == expected
