"""What is left: for a team, the exact entities that are not done and the checks they fail;
for a person, what is left for each of their teams (and what they own themselves)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from catalog.groups import groups_of_user
from catalog.refs import EntityRef, parse_ref
from catalog.store import Catalog
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.group_tree import GroupTree
from catalog.tech_migrations.results import CheckFailure
from catalog.tech_migrations.tables import migration_results

__all__ = [
    "MyItems",
    "RemainingItem",
    "TeamItems",
    "my_items",
    "open_items_for_user",
    "remaining_by_owner",
    "team_items",
]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class RemainingItem:
    """An entity that is not done, who owns it, and every check it does not pass."""

    ref: EntityRef
    display_name: str
    owner: EntityRef | None
    status: str
    failures: tuple[CheckFailure, ...]


@dataclass(frozen=True, slots=True)
class TeamItems:
    """A group (with every group below it) or a person: done / total and what is left."""

    migration_id: str
    owner: EntityRef
    display_name: str
    done: int
    total: int
    remaining: tuple[RemainingItem, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class MyItems:
    """A person's share of one migration: their teams' items and their own."""

    migration_id: str
    title: str
    user: EntityRef
    teams: tuple[TeamItems, ...]

    @property
    def remaining(self) -> int:
        return sum(len(t.remaining) for t in self.teams)


def team_items(
    engine: Engine,
    catalog: Catalog,
    migration_id: str,
    group: EntityRef,
    *,
    tree: GroupTree | None = None,
) -> TeamItems:
    """What ``group`` and its sub-groups (and users in them who own entities) have left."""
    users = _user_owners(engine, migration_id)
    tree = tree or GroupTree.load(catalog, users=users)
    if group.kind == "user":
        owners = {group}
        name = group.name
    else:
        subtree = tree.subtree(group) if group in tree.groups else {group}
        owners = subtree | {u for u in users if set(tree.memberships.get(u, ())) & subtree}
        node = tree.groups.get(group)
        name = node.display_name if node else group.name
    return _items(engine, catalog, migration_id, group, name, owners)


def my_items(
    engine: Engine,
    catalog: Catalog,
    migration: MigrationDefinition,
    user: EntityRef,
    *,
    tree: GroupTree | None = None,
) -> MyItems:
    """The user's teams (direct groups) and the user's own entities, as ``TeamItems``."""
    users = _user_owners(engine, migration.id)
    tree = tree or GroupTree.load(catalog, users=users | {user})
    teams = [
        team_items(engine, catalog, migration.id, group, tree=tree)
        for group in groups_of_user(catalog, user)
    ]
    own = _items(engine, catalog, migration.id, user, user.name, {user})
    if own.total:
        teams.append(own)
    return MyItems(migration.id, migration.title, user, tuple(t for t in teams if t.total))


def open_items_for_user(
    engine: Engine, catalog: Catalog, migrations: Iterable[MigrationDefinition], user: EntityRef
) -> list[MyItems]:
    """For the Home tab: every migration where the user's teams still have something left
    (one group tree for all of them: it is the costly part on a large catalog)."""
    migrations = list(migrations)
    users = {user}.union(*(_user_owners(engine, m.id) for m in migrations))
    tree = GroupTree.load(catalog, users=users)
    found = [my_items(engine, catalog, m, user, tree=tree) for m in migrations]
    return [items for items in found if items.remaining]


def _user_owners(engine: Engine, migration_id: str) -> set[EntityRef]:
    table = migration_results
    with engine.connect() as conn:
        owners = conn.execute(
            select(table.c.owner_ref)
            .distinct()
            .where(table.c.migration_id == migration_id, table.c.owner_ref.like("user:%"))
        ).scalars()
        return {parse_ref(o) for o in owners}


def remaining_by_owner(
    engine: Engine, catalog: Catalog, migration_id: str, owners: Collection[EntityRef]
) -> dict[EntityRef, list[RemainingItem]]:
    """Unfinished entities owned directly by each of ``owners`` (one query per 500 owners)."""
    _, _, rows = _rows(engine, migration_id, owners, with_done=False)
    found: dict[EntityRef, list[RemainingItem]] = {}
    for item in _remaining(catalog, rows):
        if item.owner is not None:
            found.setdefault(item.owner, []).append(item)
    return found


def _rows(
    engine: Engine, migration_id: str, owners: Collection[EntityRef], *, with_done: bool = True
) -> tuple[int, int, list[Any]]:
    table = migration_results
    keys = sorted(str(o) for o in owners)
    done = total = 0
    rows = []
    with engine.connect() as conn:
        for start in range(0, len(keys), _CHUNK):
            query = select(
                table.c.entity_ref, table.c.owner_ref, table.c.status, table.c.failures
            ).where(
                table.c.migration_id == migration_id,
                table.c.owner_ref.in_(keys[start : start + _CHUNK]),
            )
            if not with_done:
                query = query.where(table.c.status != "pass")
            for row in conn.execute(query):
                total += 1
                if row.status == "pass":
                    done += 1
                else:
                    rows.append(row)
    return done, total, rows


def _remaining(catalog: Catalog, rows: list[Any]) -> list[RemainingItem]:
    names = catalog.summaries(parse_ref(r.entity_ref) for r in rows)
    items = [
        RemainingItem(
            ref=parse_ref(row.entity_ref),
            display_name=names[parse_ref(row.entity_ref)].display_name,
            owner=parse_ref(row.owner_ref) if row.owner_ref else None,
            status=row.status,
            failures=tuple(CheckFailure(**f) for f in json.loads(row.failures)),
        )
        for row in rows
    ]
    return sorted(items, key=lambda item: str(item.ref))


def _items(
    engine: Engine,
    catalog: Catalog,
    migration_id: str,
    owner: EntityRef,
    name: str,
    owners: Collection[EntityRef],
) -> TeamItems:
    done, total, rows = _rows(engine, migration_id, owners)
    remaining = tuple(_remaining(catalog, rows))
    return TeamItems(migration_id, owner, name, done, total, remaining)
