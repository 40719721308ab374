"""Every group's KPI readings, computed once after a collection and stored, so a team page
or the Home tab reads a handful of rows instead of rolling up thousands of entities' daily
values while Slack waits (the way migrations keep daily snapshots per group)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from catalog.database import reader, writer
from catalog.refs import EntityRef
from catalog.store import Catalog
from catalog.tables import entities
from integrations.kpis.model import KpiSpec
from integrations.kpis.rollup import (
    EntityReading,
    GroupReading,
    _entity_readings,
    _group,
    _ref,
    ownership,
)
from integrations.kpis.tables import kpi_readings, kpi_values

__all__ = ["EVERYONE", "refresh_readings", "stored_group_readings", "stored_readings"]

#: The row that counts every entity, placed or not (as migrations' ``*`` snapshot does).
EVERYONE = EntityRef("group", "", "*")


def refresh_readings(
    engine: Engine,
    catalog: Catalog,
    specs: Sequence[KpiSpec],
    *,
    today: date,
    window_days: int,
    worst: int = 3,
) -> int:
    """Compute and store every group's reading of every KPI as of ``today``; returns rows."""
    owned = ownership(catalog)
    groups_of = {
        ref: [g for g in owned.credited(owner) if g in owned.tree.groups] + [EVERYONE]
        for ref, owner in owned.owners.items()
    }
    owner_groups: dict[str | None, list[EntityRef]] = {None: [EVERYONE]}
    for owner in set(owned.owners.values()):
        if owner is not None:
            credited = [g for g in owned.credited(owner) if g in owned.tree.groups]
            owner_groups[str(owner)] = [*credited, EVERYONE]
    counts: dict[EntityRef, int] = defaultdict(int)
    for found in groups_of.values():
        for group in found:
            counts[group] += 1
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for spec in specs:
        per_entity = _entity_readings(engine, spec, None, today, window_days)
        by_group: dict[EntityRef, list[EntityReading]] = defaultdict(list)
        for ref, entity_reading in per_entity.items():
            for group in groups_of.get(ref, ()):
                by_group[group].append(entity_reading)
        series = _group_series(engine, spec, owner_groups, today, window_days)
        for group in counts:
            node = owned.tree.groups.get(group)
            name = node.display_name if node else "everyone"
            reading = _group(spec, group, name, by_group[group], counts[group], worst)
            if reading.reporting == 0 and group not in series:
                continue
            rows.append(
                {
                    "group_ref": str(group),
                    "kpi": spec.name,
                    "day": today,
                    "window_days": window_days,
                    "current": reading.current,
                    "previous": reading.previous,
                    "reporting": reading.reporting,
                    "entities": reading.entities,
                    "worst": [[str(r.ref), r.current, r.previous] for r in reading.worst],
                    "series": [
                        [d.isoformat(), v] for d, v in sorted(series.get(group, {}).items())
                    ],
                    "computed_at": now,
                }
            )
    with writer(engine).begin() as conn:
        conn.execute(delete(kpi_readings).where(kpi_readings.c.kpi.in_([s.name for s in specs])))
        if rows:  # JSON columns: SQLAlchemy's own executemany serialises them per dialect
            conn.execute(insert(kpi_readings), rows)
    return len(rows)


def _group_series(
    engine: Engine,
    spec: KpiSpec,
    owner_groups: dict[str | None, list[EntityRef]],
    today: date,
    window_days: int,
) -> dict[EntityRef, dict[date, float]]:
    """Per group and day: the sum (or mean) over its entities' values that day. The database
    adds up per owner and day (a few thousand rows), then each owner's sums are credited to
    its groups, instead of crediting millions of daily values one by one."""
    start = today - timedelta(days=2 * window_days - 1)
    table = kpi_values
    sums: dict[EntityRef, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    seen: dict[EntityRef, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    query = (
        select(entities.c.owner_ref, table.c.day, func.sum(table.c.value), func.count())
        .select_from(table.join(entities, entities.c.ref == table.c.entity_ref))
        .where(table.c.kpi == spec.name, table.c.day >= start, table.c.day <= today)
        .group_by(entities.c.owner_ref, table.c.day)
    )
    with reader(engine).connect() as conn:
        for owner, raw_day, total, count in conn.execute(query):
            day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day)[:10])
            for group in owner_groups.get(owner, owner_groups[None]):
                sums[group][day] += float(total)
                seen[group][day] += int(count)
    if spec.over_entities == "mean":
        return {
            g: {d: total / seen[g][d] for d, total in per_day.items()}
            for g, per_day in sums.items()
        }
    return {g: dict(per_day) for g, per_day in sums.items()}


def _points(per_day: dict[date, float]) -> list[list[object]]:
    return [[day.isoformat(), value] for day, value in sorted(per_day.items())]


def stored_readings(
    engine: Engine, group: EntityRef, specs: Sequence[KpiSpec], *, today: date, window_days: int
) -> list[tuple[KpiSpec, GroupReading, tuple[tuple[date, float], ...]]] | None:
    """The stored readings of ``group`` as of ``today``, or None when none were computed
    for that day (the caller computes them live then)."""
    by_name = {s.name: s for s in specs}
    with reader(engine).connect() as conn:
        rows = conn.execute(
            select(kpi_readings).where(
                kpi_readings.c.group_ref == str(group),
                kpi_readings.c.kpi.in_(list(by_name)),
                kpi_readings.c.day == today,
                kpi_readings.c.window_days == window_days,
            )
        ).all()
    if not rows:
        return None
    found = {}
    for row in rows:
        reading, series = _stored(row, group)
        found[row.kpi] = (by_name[row.kpi], reading, series)
    return [found[s.name] for s in specs if s.name in found]


def stored_group_readings(
    engine: Engine, spec: KpiSpec, groups: Sequence[EntityRef], *, today: date, window_days: int
) -> dict[EntityRef, tuple[GroupReading, tuple[tuple[date, float], ...]]] | None:
    """The stored readings of ``spec`` for ``groups`` as of ``today``; None when nothing was
    computed for that KPI and day (a group missing from the answer had no data)."""
    wanted = {str(g): g for g in groups}
    table = kpi_readings
    with reader(engine).connect() as conn:
        computed = conn.execute(
            select(table.c.group_ref).where(
                table.c.kpi == spec.name,
                table.c.day == today,
                table.c.window_days == window_days,
                table.c.group_ref == str(EVERYONE),
            )
        ).first()
        if computed is None:
            return None
        rows = conn.execute(
            select(table).where(
                table.c.kpi == spec.name,
                table.c.day == today,
                table.c.window_days == window_days,
                table.c.group_ref.in_(list(wanted)),
            )
        ).all()
    found = {}
    for row in rows:
        group = wanted[row.group_ref]
        found[group] = _stored(row, group)
    return found


def _stored(row: Any, group: EntityRef) -> tuple[GroupReading, tuple[tuple[date, float], ...]]:
    """A ``kpi_readings`` row as the group's reading and its daily series."""
    reading = GroupReading(
        group,
        group.name,
        row.current,
        row.previous,
        row.reporting,
        row.entities,
        tuple(EntityReading(_ref(r), c, p) for r, c, p in row.worst),
    )
    return reading, tuple((date.fromisoformat(d), float(v)) for d, v in row.series)
