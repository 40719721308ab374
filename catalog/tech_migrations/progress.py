"""Overall progress of a migration: done / total, the deadline, and whether the trend of the
daily snapshots finishes in time."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from catalog.database import as_utc
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.tables import ALL_GROUPS, migration_snapshots

__all__ = ["HistoryPoint", "MigrationProgress", "migration_progress", "progress_overview"]


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One day's snapshot of the whole migration."""

    day: date
    done: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class MigrationProgress:
    """Where a migration stands. ``on_track`` is None while there is too little history;
    ``per_week`` is the trend in percentage points per week."""

    migration_id: str
    title: str
    owner: str
    deadline: date | None
    done: int
    total: int
    errors: int
    evaluated_at: datetime | None
    days_left: int | None
    per_week: float | None
    projected_finish: date | None
    on_track: bool | None
    history: tuple[HistoryPoint, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0

    @property
    def evaluated(self) -> bool:
        return self.evaluated_at is not None


def migration_progress(
    engine: Engine,
    migration: MigrationDefinition,
    *,
    today: date | None = None,
    trend_days: int = 28,
) -> MigrationProgress:
    """Progress from the snapshots; the trend is a least-squares line over ``trend_days``."""
    today = today or datetime.now(UTC).date()
    table = migration_snapshots
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.day, table.c.done, table.c.total, table.c.errors, table.c.evaluated_at)
            .where(
                table.c.migration_id == migration.id,
                table.c.group_ref == ALL_GROUPS,
                table.c.day <= today,
            )
            .order_by(table.c.day)
        ).all()
    history = tuple(HistoryPoint(r.day, r.done, r.total) for r in rows)
    last = rows[-1] if rows else None
    done, total = (last.done, last.total) if last else (0, 0)
    days_left = (migration.deadline - today).days if migration.deadline else None
    recent = [p for p in history if p.day > today - timedelta(days=trend_days)]
    per_day = _slope(recent)
    finish, on_track = _forecast(done, total, per_day, today, migration.deadline)
    return MigrationProgress(
        migration_id=migration.id,
        title=migration.title,
        owner=migration.owner,
        deadline=migration.deadline,
        done=done,
        total=total,
        errors=last.errors if last else 0,
        evaluated_at=as_utc(last.evaluated_at) if last else None,
        days_left=days_left,
        per_week=round(per_day * 7, 2) if per_day is not None else None,
        projected_finish=finish,
        on_track=on_track,
        history=history,
    )


def progress_overview(
    engine: Engine, migrations: Iterable[MigrationDefinition], *, today: date | None = None
) -> list[MigrationProgress]:
    """Progress of each migration, soonest deadline first (what ``/greenroom migrations`` lists)."""
    found = [migration_progress(engine, m, today=today) for m in migrations]
    return sorted(found, key=lambda p: (p.deadline or date.max, p.migration_id))


def _slope(points: list[HistoryPoint]) -> float | None:
    if len({p.day for p in points}) < 2:
        return None
    xs = [p.day.toordinal() for p in points]
    ys = [p.percent for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _forecast(
    done: int, total: int, per_day: float | None, today: date, deadline: date | None
) -> tuple[date | None, bool | None]:
    if total and done == total:
        return today, True
    if deadline is not None and today > deadline:
        return None, False
    if per_day is None:
        return None, None
    if per_day <= 0:
        return None, False
    remaining = 100.0 - 100.0 * done / total if total else 100.0
    finish = today + timedelta(days=math.ceil(round(remaining / per_day, 6)))
    return finish, deadline is None or finish <= deadline
