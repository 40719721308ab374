"""Which schedules run: kind defaults, greenroom.yaml overrides and additions, stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError
from commands.sync.jobs import run_catalog_sync, sync_schedules
from jobs import JobKind, JobRegistry, plan_schedules
from jobs.schedules import StoredSchedule
from runtime.settings import Settings, load_settings
from tests.jobs.sample_kinds import record, sample_registry

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def settings(tmp_path: Path, **values: Any) -> Settings:
    return load_settings(None, environ={}, config_dir=str(tmp_path), **values)


def stored(key: str, kind: str, expression: str, **extra: Any) -> StoredSchedule:
    values: dict[str, Any] = {
        "id": 1,
        "key": key,
        "kind": kind,
        "expression": expression,
        "timezone": None,
        "params": {},
        "enabled": True,
        "created_by": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return StoredSchedule(**(values | extra))


def with_sync() -> JobRegistry:
    registry = sample_registry()
    registry.add(JobKind("catalog.sync", run_catalog_sync, schedules=sync_schedules))
    registry.add(JobKind("digest", record, cron="mon 09:00", grace=timedelta(hours=1)))
    return registry


def test_sources_with_their_own_interval_get_their_own_sync_schedule(tmp_path: Path) -> None:
    catalog = {
        "interval_minutes": 45,
        "sources": [
            {"name": "main", "type": "directory", "path": "cat"},
            {
                "name": "backstage",
                "type": "backstage",
                "base_url": "http://b",
                "interval_minutes": 5,
            },
            {"name": "extra", "type": "directory", "path": "x"},
        ],
    }
    plan = plan_schedules(with_sync(), settings(tmp_path, catalog=catalog))
    syncs = {
        s.id: (s.spec.expression, dict(s.params))
        for s in plan.schedules
        if s.kind == "catalog.sync"
    }
    assert syncs == {
        "catalog.sync": ("every 45m", {"sources": ["main", "extra"]}),
        "catalog.sync:backstage": ("every 5m", {"sources": ["backstage"]}),
    }


def test_greenroom_yaml_overrides_turns_off_and_adds_schedules(tmp_path: Path) -> None:
    worker = {
        "timezone": "Europe/Berlin",
        "misfire_grace_seconds": 120,
        "schedules": {
            "digest": "weekdays 08:30",
            "catalog.sync": "off",
            "nightly-probe": {
                "kind": "test.record",
                "when": "daily 02:00",
                "timezone": "America/New_York",
                "params": {"path": "/tmp/x"},
                "grace_seconds": 30,
            },
        },
    }
    catalog = {"sources": [{"name": "main", "type": "directory", "path": "cat"}]}
    plan = plan_schedules(with_sync(), settings(tmp_path, worker=worker, catalog=catalog))
    by_id = {s.id: s for s in plan.schedules}
    assert set(by_id) == {"digest", "nightly-probe"}
    assert by_id["digest"].spec.expression == "weekdays 08:30"
    assert by_id["digest"].zone.key == "Europe/Berlin"
    assert by_id["digest"].grace == timedelta(hours=1)  # the kind's own grace
    probe = by_id["nightly-probe"]
    assert (probe.kind, probe.zone.key, dict(probe.params), probe.grace, probe.origin) == (
        "test.record",
        "America/New_York",
        {"path": "/tmp/x"},
        timedelta(seconds=30),
        "config",
    )


@pytest.mark.parametrize(
    ("schedules", "message"),
    [
        (
            {"digets": "mon 10:00"},
            "worker.schedules.digets: no job has a default schedule by that id",
        ),
        ({"digets": "mon 10:00"}, "Did you mean: digest?"),
        ({"digest": "mon 25:00"}, "worker.schedules.digest: Cannot read schedule 'mon 25:00'"),
        ({"x": {"kind": "test.recrod", "when": "daily 01:00"}}, "Did you mean: test.record"),
    ],
)
def test_mistakes_in_greenroom_yaml_name_the_setting(
    tmp_path: Path, schedules: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        plan_schedules(with_sync(), settings(tmp_path, worker={"schedules": schedules}))
    assert message in caught.value.user_message


def test_stored_schedules_run_and_broken_ones_are_reported_not_fatal(tmp_path: Path) -> None:
    rows = [
        stored("weekly:C1", "test.record", "mon 09:00", timezone="America/New_York"),
        stored("paused:C2", "test.record", "mon 09:00", enabled=False),
        stored("gone:C3", "retired.kind", "mon 09:00"),
        stored("typo:C4", "test.record", "mon 9"),
    ]
    plan = plan_schedules(sample_registry(), settings(tmp_path), rows)
    assert [(s.id, s.zone.key, s.since) for s in plan.schedules] == [
        ("db:weekly:C1", "America/New_York", NOW)
    ]
    assert len(plan.problems) == 2
    assert "db:gone:C3 cannot run: No job kind named 'retired.kind'" in plan.problems[0]
    assert "db:typo:C4 cannot run: Cannot read schedule 'mon 9'" in plan.problems[1]


def test_an_unknown_time_zone_in_settings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"worker.timezone.*unknown time zone 'Mars/Base'"):
        settings(tmp_path, worker={"timezone": "Mars/Base"})
