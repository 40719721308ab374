"""KPIs rolled up the group tree (squad -> tribe -> company), the way migrations roll up:
an entity counts for its owning group and every ancestor (``GroupTree.credited``).

Each entity's value over a window is its KPI's time rollup (a sum of daily counts, the latest
state, or a mean); a group's value is the entity rollup of its entities that have data.
Entities without data are counted as not reporting, never as zero; entities no shown group
is credited with are named with the reason (``Unplaced``).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import cast

from sqlalchemy import Engine, func, select

from catalog.database import one_of, reader
from catalog.refs import EntityRef
from catalog.store import Catalog
from catalog.tables import entities
from catalog.tech_migrations import GroupNode, GroupTree, Unplaced
from integrations.kpis.collect import KPI_KINDS
from integrations.kpis.model import KpiSpec
from integrations.kpis.tables import kpi_gaps, kpi_values

__all__ = [
    "EntityReading",
    "GroupReading",
    "KpiBoard",
    "Ownership",
    "TeamKpis",
    "kpi_board",
    "last_complete_day",
    "ownership",
    "team_kpis",
]


@dataclass(frozen=True, slots=True)
class EntityReading:
    """One entity's KPI over the window and the one before (None: no data)."""

    ref: EntityRef
    current: float | None
    previous: float | None


@dataclass(frozen=True, slots=True)
class GroupReading:
    """A group's KPI: its value now and before, how many of its entities report, the worst."""

    ref: EntityRef | None
    display_name: str
    current: float | None
    previous: float | None
    reporting: int
    entities: int
    worst: tuple[EntityReading, ...] = ()

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class KpiBoard:
    """Groups ranked by one KPI, worst first, with the whole and what no row counts."""

    spec: KpiSpec
    day: date
    window_days: int
    scope: str
    rows: tuple[GroupReading, ...]
    total: GroupReading
    unplaced: tuple[Unplaced, ...]
    series: tuple[tuple[date, float], ...]
    #: why an entity row has no data (entity rankings: a squad's own entities)
    gaps: dict[EntityRef, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TeamKpis:
    """Every KPI of one team (its subtree), with a daily series for the chart."""

    team: EntityRef
    day: date
    window_days: int
    readings: tuple[tuple[KpiSpec, GroupReading, tuple[tuple[date, float], ...]], ...]
    gaps: tuple[tuple[EntityRef, str, str], ...] = ()


@dataclass(frozen=True)
class Ownership:
    """Who owns each KPI entity, and the group tree (with people's groups) to credit them."""

    tree: GroupTree
    owners: dict[str, EntityRef | None]
    _credited: dict[EntityRef | None, frozenset[EntityRef]]

    def credited(self, owner: EntityRef | None) -> frozenset[EntityRef]:
        found = self._credited.get(owner)
        if found is None:
            found = self._credited[owner] = self.tree.credited(owner)
        return found

    def entities_of(self, group: EntityRef) -> list[str]:
        """The entities ``group`` (or a group below it) is credited with."""
        return [ref for ref, owner in self.owners.items() if group in self.credited(owner)]


_CACHE: weakref.WeakKeyDictionary[Catalog, tuple[int, Ownership]] = weakref.WeakKeyDictionary()


def ownership(catalog: Catalog) -> Ownership:
    """The owners and tree, reloaded only when the catalog changed."""
    generation = catalog.generation()
    hit = _CACHE.get(catalog)
    if hit is not None and hit[0] == generation:
        return hit[1]
    query = select(entities.c.ref, entities.c.owner_ref).where(entities.c.kind.in_(KPI_KINDS))
    with reader(catalog.engine).connect() as conn:
        owners = {
            row.ref: _ref(row.owner_ref) if row.owner_ref else None for row in conn.execute(query)
        }
    users = sorted({o for o in owners.values() if o is not None and o.kind == "user"})
    tree = GroupTree.load(catalog, users=users)
    found = Ownership(tree, owners, {})
    _CACHE[catalog] = (generation, found)
    return found


def team_kpis(
    engine: Engine,
    catalog: Catalog,
    specs: Sequence[KpiSpec],
    team: EntityRef,
    *,
    today: date | None = None,
    window_days: int = 30,
    worst: int = 3,
) -> TeamKpis:
    """Each KPI of ``team`` and everything below it, now vs the window before; the window
    ends on ``today`` (default: yesterday, the last complete day)."""
    today = today or last_complete_day()
    from integrations.kpis.readings import stored_readings

    owned = ownership(catalog)
    stored = stored_readings(engine, team, specs, today=today, window_days=window_days)
    refs = owned.entities_of(team)
    if stored is not None:
        return TeamKpis(team, today, window_days, tuple(stored), _gaps(engine, refs))
    node = owned.tree.groups.get(team)
    name = node.display_name if node else team.name
    readings = []
    if refs:
        for spec in specs:
            per_entity = _entity_readings(engine, spec, refs, today, window_days)
            if not per_entity:
                continue
            reading = _group(spec, team, name, list(per_entity.values()), len(refs), worst)
            series = _series(engine, spec, refs, today, window_days)
            readings.append((spec, reading, series))
    return TeamKpis(team, today, window_days, tuple(readings), _gaps(engine, refs))


def kpi_board(
    engine: Engine,
    catalog: Catalog,
    spec: KpiSpec,
    *,
    parent: EntityRef | None = None,
    level: str = "tribe",
    today: date | None = None,
    window_days: int = 30,
    worst: int = 3,
    gap_sources: Collection[str] | None = None,
) -> KpiBoard:
    """The sub-teams of ``parent`` (or every group at ``level``) ranked by ``spec``, worst
    first; entities none of them is credited with are named in ``unplaced``. Ranking a
    squad's own entities, ``gaps`` says why one has no data (from ``gap_sources``: the
    sources of this KPI; None: any)."""
    today = today or last_complete_day()
    owned = ownership(catalog)
    tree = owned.tree
    if parent is not None:
        shown = sorted(ref for ref, n in tree.groups.items() if parent in n.parents)
        refs = owned.entities_of(parent)
        node = tree.groups.get(parent)
        scope = f"{node.display_name if node else parent.name}'s teams"
        what = "sub-team"
    else:
        shown = tree.level(level)
        refs = list(owned.owners)
        scope = f"by {level.strip().lower()}"
        what = level.strip().lower()
    counted: dict[EntityRef, int] = defaultdict(int)
    wanted = set(shown)
    placed: dict[str, frozenset[EntityRef]] = {}
    for ref_text in refs:
        placed[ref_text] = owned.credited(owned.owners.get(ref_text)) & wanted
        for group in placed[ref_text]:
            counted[group] += 1
    from integrations.kpis.readings import EVERYONE, stored_group_readings

    stored = (
        stored_group_readings(
            engine, spec, [*shown, parent or EVERYONE], today=today, window_days=window_days
        )
        if shown
        else None
    )
    if stored is not None:
        # the readings stored after the last collection: a few rows, whatever the catalog's size
        rows = [
            replace(stored[g][0], display_name=_name(tree.groups.get(g), g))
            if g in stored
            else GroupReading(g, _name(tree.groups.get(g), g), None, None, 0, counted[g])
            for g in shown
            if counted[g]
        ]
        empty = GroupReading(parent, scope, None, None, 0, len(refs))
        total, series = stored.get(parent or EVERYONE, (empty, ()))
        total = replace(total, ref=parent, display_name=scope)
        unplaced = [
            Unplaced(
                _ref(r),
                owned.owners.get(r),
                _reason(tree, owned.owners.get(r), wanted, what, parent),
            )
            for r in refs
            if not placed[r]
        ]
        rows.sort(key=lambda r: _rank_key(spec, r))
        return KpiBoard(
            spec,
            today,
            window_days,
            scope,
            tuple(rows),
            total,
            tuple(sorted(unplaced, key=lambda u: str(u.ref))),
            series,
        )
    per_entity = _entity_readings(
        engine, spec, refs if parent is not None else None, today, window_days
    )
    by_group: dict[EntityRef, list[EntityReading]] = defaultdict(list)
    unplaced = []
    for ref_text in refs:
        owner = owned.owners.get(ref_text)
        groups = placed[ref_text]
        reading = per_entity.get(ref_text)
        for group in groups:
            if reading is not None:
                by_group[group].append(reading)
        if not groups:
            unplaced.append(
                Unplaced(_ref(ref_text), owner, _reason(tree, owner, wanted, what, parent))
            )
    rows = [
        _group(spec, g, _name(tree.groups.get(g), g), by_group[g], counted[g], worst)
        for g in shown
        if counted[g]
    ]
    gaps: dict[EntityRef, str] = {}
    if parent is not None and not shown:
        # a squad has no sub-teams: rank what it owns instead
        scope = scope.removesuffix("'s teams") + "'s entities"
        unplaced = []
        for ref, source, reason in _gaps(engine, [r for r in refs if r not in per_entity]):
            if gap_sources is None or source in gap_sources:
                gaps.setdefault(ref, reason)
        rows = [
            GroupReading(_ref(r), _ref(r).name, e.current, e.previous, 1, 1, (e,))
            if (e := per_entity.get(r)) is not None
            else GroupReading(_ref(r), _ref(r).name, None, None, 0, 1)
            for r in refs
        ]
    rows.sort(key=lambda r: _rank_key(spec, r))
    total = _group(spec, parent, scope, list(per_entity.values()), len(refs), worst)
    series = _series(engine, spec, refs if parent is not None else None, today, window_days)
    return KpiBoard(
        spec,
        today,
        window_days,
        scope,
        tuple(rows),
        total,
        tuple(sorted(unplaced, key=lambda u: str(u.ref))),
        series,
        gaps,
    )


def _reason(
    tree: GroupTree,
    owner: EntityRef | None,
    shown: set[EntityRef],
    what: str,
    parent: EntityRef | None,
) -> str:
    if parent is not None and owner == parent:
        return f"owned by {parent.short} itself, not by one of its sub-teams"
    return tree.why_unplaced(owner, shown, level=what) or "not placed"


def last_complete_day() -> date:
    """Yesterday (UTC): the last day collections have values for."""
    return datetime.now(UTC).date() - timedelta(days=1)


def _rank_key(spec: KpiSpec, row: GroupReading) -> tuple[int, float, str]:
    if row.current is None:
        return (1, 0.0, row.display_name.lower())
    worse_first = -row.current if spec.better == "lower" else row.current
    return (0, worse_first, row.display_name.lower())


def _group(
    spec: KpiSpec,
    ref: EntityRef | None,
    name: str,
    readings: list[EntityReading],
    entities_count: int,
    worst: int,
) -> GroupReading:
    now = [r.current for r in readings if r.current is not None]
    before = [r.previous for r in readings if r.previous is not None]
    ordered = sorted(
        (r for r in readings if r.current is not None),
        key=lambda r: (-(r.current or 0) if spec.better == "lower" else (r.current or 0), r.ref),
    )
    return GroupReading(
        ref,
        name,
        _over_entities(spec, now),
        _over_entities(spec, before),
        len(now),
        entities_count,
        tuple(ordered[:worst]),
    )


def _over_entities(spec: KpiSpec, values: list[float]) -> float | None:
    if not values:
        return None
    if spec.over_entities == "sum":
        return sum(values)
    if spec.over_entities == "max":
        return max(values)
    if spec.over_entities == "min":
        return min(values)
    return fmean(values)


def _entity_readings(
    engine: Engine,
    spec: KpiSpec,
    refs: Collection[str] | None,
    today: date,
    window_days: int,
) -> dict[str, EntityReading]:
    """Per entity: the time rollup over [today - window, today] and the window before."""
    cut = today - timedelta(days=window_days - 1)
    start = cut - timedelta(days=window_days)
    table = kpi_values
    current = table.c.day >= cut
    found: dict[str, list[float | None]] = defaultdict(lambda: [None, None])
    with reader(engine).connect() as conn:
        where = [table.c.kpi == spec.name, table.c.day >= start, table.c.day <= today]
        if refs is not None:
            where.append(one_of(table.c.entity_ref, list(refs), conn.dialect.name))
        if spec.over_time == "last":
            for index, (low, high) in enumerate(((cut, today), (start, cut - timedelta(days=1)))):
                latest = (
                    select(table.c.entity_ref, func.max(table.c.day).label("day"))
                    .where(*where, table.c.day >= low, table.c.day <= high)
                    .group_by(table.c.entity_ref)
                    .subquery()
                )
                query = (
                    select(table.c.entity_ref, table.c.value)
                    .join(
                        latest,
                        (table.c.entity_ref == latest.c.entity_ref) & (table.c.day == latest.c.day),
                    )
                    .where(table.c.kpi == spec.name)
                )
                for ref, value in conn.execute(query):
                    found[ref][index] = float(value)
        else:
            aggregate = (
                func.sum(table.c.value) if spec.over_time == "sum" else func.avg(table.c.value)
            )
            period = current.label("current")
            query = (
                select(table.c.entity_ref, period, aggregate)
                .where(*where)
                .group_by(table.c.entity_ref, period)
            )
            for row in conn.execute(query):
                ref, is_current, value = cast("tuple[str, bool, float]", tuple(row))
                found[ref][0 if is_current else 1] = float(value)
    return {ref: EntityReading(_ref(ref), now, before) for ref, (now, before) in found.items()}


def _series(
    engine: Engine, spec: KpiSpec, refs: Collection[str] | None, today: date, window_days: int
) -> tuple[tuple[date, float], ...]:
    """The team's value per day of the window (for the chart)."""
    start = today - timedelta(days=2 * window_days - 1)
    table = kpi_values
    aggregate = func.avg(table.c.value) if spec.over_entities == "mean" else func.sum(table.c.value)
    with reader(engine).connect() as conn:
        where = [table.c.kpi == spec.name, table.c.day >= start, table.c.day <= today]
        if refs is not None:
            where.append(one_of(table.c.entity_ref, list(refs), conn.dialect.name))
        query = select(table.c.day, aggregate).where(*where).group_by(table.c.day)
        rows = [(_day(day), float(value)) for day, value in conn.execute(query)]
    return tuple(sorted(rows))


def _gaps(engine: Engine, refs: Iterable[str]) -> tuple[tuple[EntityRef, str, str], ...]:
    listed = list(refs)
    if not listed:
        return ()
    with reader(engine).connect() as conn:
        query = select(kpi_gaps.c.entity_ref, kpi_gaps.c.source, kpi_gaps.c.reason).where(
            one_of(kpi_gaps.c.entity_ref, listed, conn.dialect.name)
        )
        rows = conn.execute(query.order_by(kpi_gaps.c.entity_ref, kpi_gaps.c.source)).all()
    return tuple((_ref(r.entity_ref), r.source, r.reason) for r in rows)


def _name(node: GroupNode | None, ref: EntityRef) -> str:
    return node.display_name if node else ref.name


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _ref(text: str) -> EntityRef:
    kind, _, rest = text.partition(":")
    namespace, _, name = rest.partition("/")
    return EntityRef(kind, namespace, name)
