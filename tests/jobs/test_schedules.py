"""Schedules features store at runtime: validated before storing, upserted by key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from catalog.errors import ConfigError
from jobs import (
    InvalidSchedule,
    add_schedule,
    list_schedules,
    remove_schedule,
    set_schedule_enabled,
)
from jobs.schedules import schedules_version

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def subscribe(engine: Engine, when: str = "mon 09:00", **extra: object) -> None:
    add_schedule(
        engine,
        key="migrations.digest:C0123",
        kind="migrations.digest",
        when=when,
        timezone="Europe/Berlin",
        params={"channel": "C0123"},
        created_by="U1",
        **extra,
    )


def test_subscribing_twice_updates_one_schedule(engine: Engine) -> None:
    subscribe(engine, now=NOW)
    subscribe(engine, "weekdays 08:30", now=NOW + timedelta(minutes=1))
    [stored] = list_schedules(engine)
    assert (stored.key, stored.expression, stored.timezone, stored.params) == (
        "migrations.digest:C0123",
        "weekdays 08:30",
        "Europe/Berlin",
        {"channel": "C0123"},
    )
    assert stored.created_at == NOW
    assert stored.updated_at == NOW + timedelta(minutes=1)


def test_a_bad_expression_is_refused_and_nothing_is_stored(engine: Engine) -> None:
    with pytest.raises(InvalidSchedule, match="'25:00' is not a time of day"):
        subscribe(engine, "mon 25:00")
    with pytest.raises(ConfigError, match="Unknown time zone 'Mars/Olympus'"):
        add_schedule(engine, key="k", kind="x", when="mon 09:00", timezone="Mars/Olympus")
    assert list_schedules(engine) == []


def test_pausing_and_removing_change_the_version_workers_poll(engine: Engine) -> None:
    subscribe(engine, now=NOW)
    first = schedules_version(engine)
    assert set_schedule_enabled(engine, "migrations.digest:C0123", False, now=NOW + timedelta(1))
    assert not set_schedule_enabled(engine, "migrations.digest:C0123", False)  # already paused
    paused = schedules_version(engine)
    assert paused != first
    assert not list_schedules(engine)[0].enabled
    assert remove_schedule(engine, "migrations.digest:C0123")
    assert schedules_version(engine) == (0, None)
    assert not remove_schedule(engine, "migrations.digest:C0123")
    assert not set_schedule_enabled(engine, "nope", True)
