"""``delivery.refresh`` is scheduled every ``delivery.refresh_minutes``, and not at 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.capabilities import job_registry
from commands.delivery.jobs import DELIVERY_REFRESH
from jobs import plan_schedules
from runtime.settings import load_settings


def _settings(tmp_path: Path, **extra: Any) -> Any:
    return load_settings(None, environ={}, data_dir=tmp_path, **extra)


def test_the_refresh_is_scheduled_unless_turned_off(tmp_path: Path) -> None:
    registry = job_registry()
    planned = plan_schedules(registry, _settings(tmp_path, delivery={"refresh_minutes": 20}))
    [refresh] = [s for s in planned.schedules if s.kind == DELIVERY_REFRESH]
    assert refresh.spec.expression == "every 20m"
    off = plan_schedules(registry, _settings(tmp_path, delivery={"refresh_minutes": 0}))
    assert DELIVERY_REFRESH not in {s.kind for s in off.schedules}
