"""Leaderboards: per group at a level (tribes, squads, ...), rolled up the tree at evaluation
time and read back from the snapshots, with the change since an earlier day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from catalog.refs import EntityRef
from catalog.store import Catalog
from catalog.tech_migrations.facts import stored_ref
from catalog.tech_migrations.group_tree import GroupTree, Unplaced
from catalog.tech_migrations.tables import ALL_GROUPS, migration_results, migration_snapshots

__all__ = ["GroupProgress", "Leaderboard", "leaderboard"]


@dataclass(frozen=True, slots=True)
class GroupProgress:
    """One row: a group's done / total (itself and every group below it), its rank, and the
    change in percentage points since ``Leaderboard.compared_to`` (None if it had no entry)."""

    ref: EntityRef
    display_name: str
    done: int
    total: int
    errors: int
    rank: int
    change: float | None
    done_change: int | None

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0

    @property
    def remaining(self) -> int:
        return self.total - self.done


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """Groups at ``level`` ranked by percentage done (ties share a rank), as of ``day``;
    ``done_change`` is the whole migration's net change in done since ``compared_to``."""

    migration_id: str
    level: str
    day: date | None
    compared_to: date | None
    done: int
    total: int
    rows: tuple[GroupProgress, ...]
    done_change: int | None = None
    #: entities in scope that no group at ``level`` is credited with, and why
    unplaced: tuple[Unplaced, ...] = ()

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def leaderboard(
    engine: Engine,
    catalog: Catalog,
    migration_id: str,
    *,
    level: str = "tribe",
    today: date | None = None,
    since: date | None = None,
    tree: GroupTree | None = None,
) -> Leaderboard:
    """The leaderboard as of the latest snapshot up to ``today``, compared with the latest one
    on or before ``since`` (default: a week before ``today``)."""
    today = today or datetime.now(UTC).date()
    since = since or today - timedelta(days=7)
    tree = tree or GroupTree.cached(catalog)
    groups = tree.level_nodes(level)
    with engine.connect() as conn:
        day = _latest_day(conn, migration_id, today)
        before = _latest_day(conn, migration_id, min(since, day or since))
        if before is not None and before == day:
            before = None
        now = _counts(conn, migration_id, day)
        then = _counts(conn, migration_id, before)
        owners = _owners(conn, migration_id) if day is not None else []
    overall = now.get(ALL_GROUPS, (0, 0, 0))
    rows = []
    for key, (done, total, errors) in now.items():
        node = groups.get(key)
        if node is None or not total:
            continue
        old = then.get(key)
        change = done_change = None
        if old is not None and old[1]:
            change = round(100.0 * done / total - 100.0 * old[0] / old[1], 1)
            done_change = done - old[0]
        order = (-(done / total), -total, node.display_name.lower(), key)
        rows.append((order, node, done, total, errors, change, done_change))
    rows.sort(key=lambda r: r[0])
    ranked: list[GroupProgress] = []
    for position, (_, node, done, total, errors, change, done_change) in enumerate(rows, 1):
        rank = position
        if ranked and ranked[-1].done * total == done * ranked[-1].total:
            rank = ranked[-1].rank
        ranked.append(
            GroupProgress(
                node.ref, node.display_name, done, total, errors, rank, change, done_change
            )
        )
    return Leaderboard(
        migration_id=migration_id,
        level=level.strip().lower(),
        day=day,
        compared_to=before,
        done=overall[0],
        total=overall[1],
        rows=tuple(ranked),
        done_change=overall[0] - then[ALL_GROUPS][0] if ALL_GROUPS in then else None,
        unplaced=_unplaced(catalog, tree, owners, level),
    )


def _owners(conn: Connection, migration_id: str) -> list[tuple[str, str | None]]:
    table = migration_results
    query = select(table.c.entity_ref, table.c.owner_ref).where(
        table.c.migration_id == migration_id
    )
    return [(row.entity_ref, row.owner_ref) for row in conn.execute(query)]


def _unplaced(
    catalog: Catalog, tree: GroupTree, owners: list[tuple[str, str | None]], level: str
) -> tuple[Unplaced, ...]:
    """The entities in scope that count for no group at ``level``, named with the reason."""
    users = sorted({stored_ref(o) for _, o in owners if o and o.startswith("user:")})
    if users and not tree.memberships:
        tree = GroupTree.load(catalog, users=users)
    shown = {node.ref for node in tree.level_nodes(level).values()}
    found = []
    for entity, owner_text in owners:
        owner = stored_ref(owner_text) if owner_text else None
        reason = tree.why_unplaced(owner, shown, level=level.strip().lower())
        if reason is not None:
            found.append(Unplaced(stored_ref(entity), owner, reason))
    return tuple(sorted(found, key=lambda u: str(u.ref)))


def _latest_day(conn: Connection, migration_id: str, on_or_before: date) -> date | None:
    table = migration_snapshots
    value = conn.execute(
        select(func.max(table.c.day)).where(
            table.c.migration_id == migration_id,
            table.c.group_ref == ALL_GROUPS,
            table.c.day <= on_or_before,
        )
    ).scalar()
    return value if isinstance(value, date) else _as_date(value)


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value)[:10])


def _counts(conn: Connection, migration_id: str, day: date | None) -> dict[str, tuple[int, ...]]:
    if day is None:
        return {}
    table = migration_snapshots
    query = select(table.c.group_ref, table.c.done, table.c.total, table.c.errors).where(
        table.c.migration_id == migration_id, table.c.day == day
    )
    return {ref: (done, total, errors) for ref, done, total, errors in conn.execute(query)}
