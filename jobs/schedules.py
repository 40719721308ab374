"""Schedules features create at runtime, stored in the database (the ``schedules`` table).

A feature picks a stable ``key`` so that subscribing twice updates one schedule::

    add_schedule(engine, key="migrations.digest:C0123", kind="migrations.digest",
                 when="mon 09:00", timezone="Europe/Berlin",
                 params={"channel": "C0123", "migration": "python3"}, created_by="U123")

Every worker notices the change within ``worker.poll_seconds`` and schedules it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from catalog.database import as_utc, writer
from jobs.cron import parse_schedule
from jobs.fire_times import load_zone
from jobs.tables import schedules

__all__ = [
    "StoredSchedule",
    "add_schedule",
    "list_schedules",
    "remove_schedule",
    "schedules_version",
    "set_schedule_enabled",
]


@dataclass(frozen=True)
class StoredSchedule:
    """A row of ``schedules``."""

    id: int
    key: str
    kind: str
    expression: str
    timezone: str | None
    params: dict[str, Any]
    enabled: bool
    created_by: str | None
    created_at: datetime
    updated_at: datetime


def add_schedule(
    engine: Engine,
    *,
    key: str,
    kind: str,
    when: str,
    timezone: str | None = None,
    params: Mapping[str, Any] | None = None,
    enabled: bool = True,
    created_by: str | None = None,
    now: datetime | None = None,
) -> StoredSchedule:
    """Create or replace the schedule ``key``; raises ``InvalidSchedule``/``ConfigError`` on
    an expression or time zone that cannot be read, before anything is stored."""
    if not key or len(key) > 200:
        raise ValueError("a schedule key is 1 to 200 characters")
    parse_schedule(when)
    if timezone is not None:
        load_zone(timezone)
    now = as_utc(now or datetime.now(UTC))
    values = {
        "kind": kind,
        "expression": when.strip(),
        "timezone": timezone,
        "params": dict(params or {}),
        "enabled": enabled,
        "created_by": created_by,
        "updated_at": now,
    }
    with writer(engine).begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(schedules)
            .values(values | {"key": key, "created_at": now})
            .on_conflict_do_update(index_elements=["key"], set_=values)
        )
        row = conn.execute(select(schedules).where(schedules.c.key == key)).one()
    return _stored(row)


def remove_schedule(engine: Engine, key: str) -> bool:
    """Delete the schedule ``key``; False if there was none."""
    with writer(engine).begin() as conn:
        return conn.execute(delete(schedules).where(schedules.c.key == key)).rowcount > 0


def set_schedule_enabled(
    engine: Engine, key: str, enabled: bool, *, now: datetime | None = None
) -> bool:
    """Pause or resume the schedule ``key``; False if there is none or it already was (so
    of several workers pausing at once, one is told it did)."""
    now = as_utc(now or datetime.now(UTC))
    with writer(engine).begin() as conn:
        changed = conn.execute(
            update(schedules)
            .where(schedules.c.key == key, schedules.c.enabled != enabled)
            .values(enabled=enabled, updated_at=now)
        )
        return changed.rowcount > 0


def list_schedules(engine: Engine) -> list[StoredSchedule]:
    """Every stored schedule, by key."""
    with engine.connect() as conn:
        rows = conn.execute(select(schedules).order_by(schedules.c.key)).all()
    return [_stored(row) for row in rows]


def schedules_version(engine: Engine) -> tuple[int, datetime | None]:
    """Changes whenever a schedule is added, changed or removed (cheap to poll)."""
    with engine.connect() as conn:
        count, newest = conn.execute(
            select(func.count(), func.max(schedules.c.updated_at)).select_from(schedules)
        ).one()
    return int(count), as_utc(newest) if newest is not None else None


def _stored(row: Any) -> StoredSchedule:
    return StoredSchedule(
        id=row.id,
        key=row.key,
        kind=row.kind,
        expression=row.expression,
        timezone=row.timezone,
        params=dict(row.params or {}),
        enabled=bool(row.enabled),
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )
