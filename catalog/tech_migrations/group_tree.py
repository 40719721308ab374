"""The group tree in memory, for rollups: an entity counts for its owning group and every
ancestor (squad -> tribe -> organisation). Loaded in a few bulk queries, not one per group.

Levels: a level is the Group ``spec.type`` of that name (``tribe``, ``squad``, or any other
type the catalog uses). If no group has that type, ``organisation``/``tribe``/``squad`` mean
depth 0/1/2 in the tree (roots are depth 0), so a catalog without those types still works.
"""

from __future__ import annotations

import json
import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from catalog.annotations import SLACK_CHANNEL
from catalog.refs import EntityRef
from catalog.relations import CHILD_OF, MEMBER_OF
from catalog.store import Catalog
from catalog.tables import entities, relations
from catalog.tech_migrations.errors import UnknownLevel
from catalog.tech_migrations.facts import stored_ref

__all__ = ["LEVEL_DEPTHS", "GroupNode", "GroupTree", "Unplaced"]

#: What a level means when no group has it as its ``spec.type``.
LEVEL_DEPTHS = {"organisation": 0, "organization": 0, "tribe": 1, "squad": 2}
_MAX_DEPTH = 64
_CACHE: weakref.WeakKeyDictionary[Catalog, tuple[int, GroupTree]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class GroupNode:
    """One group: how to show it, where it sits, where its team talks."""

    ref: EntityRef
    display_name: str
    type: str | None
    parents: tuple[EntityRef, ...]
    depth: int | None
    slack_channel: str | None = None


@dataclass(frozen=True, slots=True)
class Unplaced:
    """An entity a rollup could not credit to any of the groups it shows, and why, so a
    leaderboard that adds up to less than its total says what is missing."""

    ref: EntityRef
    owner: EntityRef | None
    reason: str


@dataclass(frozen=True)
class GroupTree:
    """Every group, its ancestors, and the groups of users who own entities themselves."""

    groups: dict[EntityRef, GroupNode]
    memberships: dict[EntityRef, tuple[EntityRef, ...]] = field(default_factory=dict)
    _ancestors: dict[EntityRef, tuple[EntityRef, ...]] = field(default_factory=dict)
    _levels: dict[str, dict[str, GroupNode]] = field(default_factory=dict)

    @classmethod
    def load(cls, catalog: Catalog, *, users: Collection[EntityRef] = ()) -> GroupTree:
        """The tree as the catalog has it now; ``users`` are owners whose groups get credit."""
        groups: dict[EntityRef, GroupNode] = {}
        with catalog.engine.connect() as conn:
            rows = conn.execute(
                select(
                    entities.c.ref, entities.c.title, entities.c.spec_type, entities.c.document
                ).where(entities.c.kind == "group")
            ).all()
            edges = conn.execute(
                select(relations.c.subject, relations.c.object).where(relations.c.type == CHILD_OF)
            ).all()
            member_rows = (
                conn.execute(
                    select(relations.c.subject, relations.c.object).where(
                        relations.c.type == MEMBER_OF, relations.c.subject.like("user:%")
                    )
                ).all()
                if users
                else []
            )
        known = {row.ref: stored_ref(row.ref) for row in rows}
        parents_of: dict[EntityRef, list[EntityRef]] = defaultdict(list)
        for child, parent in edges:
            if child in known and parent in known:
                parents_of[known[child]].append(known[parent])
        parents = {ref: tuple(sorted(set(parents_of[ref]))) for ref in known.values()}
        depths = _depths(parents)
        for row in rows:
            ref = known[row.ref]
            document = json.loads(row.document)
            spec = document.get("spec") or {}
            profile = spec.get("profile") if isinstance(spec, dict) else None
            shown = profile.get("displayName") if isinstance(profile, dict) else None
            annotations = (document.get("metadata") or {}).get("annotations") or {}
            groups[ref] = GroupNode(
                ref=ref,
                display_name=str(shown or row.title or ref.name),
                type=(row.spec_type or "").lower() or None,
                parents=parents[ref],
                depth=depths.get(ref),
                slack_channel=annotations.get(SLACK_CHANNEL),
            )
        wanted = {str(u) for u in users}
        member_of: dict[EntityRef, set[EntityRef]] = defaultdict(set)
        for user, group in member_rows:
            if user in wanted and group in known:
                member_of[stored_ref(user)].add(known[group])
        memberships = {u: tuple(sorted(member_of.get(u, ()))) for u in users}
        ancestors = {ref: _ancestors_of(ref, parents) for ref in groups}
        return cls(groups, memberships, ancestors)

    @classmethod
    def cached(cls, catalog: Catalog) -> GroupTree:
        """The tree (without user memberships), reloaded only when the catalog changed."""
        generation = catalog.generation()
        hit = _CACHE.get(catalog)
        if hit is not None and hit[0] == generation:
            return hit[1]
        tree = cls.load(catalog)
        _CACHE[catalog] = (generation, tree)
        return tree

    def ancestors(self, group: EntityRef) -> tuple[EntityRef, ...]:
        """Parents, grandparents, ... (nearest first)."""
        return self._ancestors.get(group, ())

    def credited(self, owner: EntityRef | None) -> frozenset[EntityRef]:
        """The groups an entity owned by ``owner`` counts for: the owning group (or the user's
        groups) and all their ancestors. A dangling owner counts only for itself."""
        if owner is None:
            return frozenset()
        if owner.kind == "user":
            direct: Iterable[EntityRef] = self.memberships.get(owner, ())
        else:
            direct = (owner,)
        found: set[EntityRef] = set()
        for group in direct:
            found.add(group)
            found.update(self.ancestors(group))
        return frozenset(found)

    def why_unplaced(
        self, owner: EntityRef | None, shown: Collection[EntityRef], *, level: str = "team"
    ) -> str | None:
        """None when an entity owned by ``owner`` counts for one of the ``shown`` groups,
        else why not, in words: no owner, an owner not in the catalog, a person in no group,
        or an owner outside every shown group (``level`` names what they are)."""
        credited = self.credited(owner)
        if not credited.isdisjoint(shown):
            return None
        if owner is None:
            return "it has no owner"
        if owner.kind == "group" and owner not in self.groups:
            return f"its owner {owner.short} is not in the catalog"
        if owner.kind == "user" and not self.memberships.get(owner):
            return f"its owner {owner.short} is a person in no group"
        if owner.kind not in {"group", "user"}:
            return f"its owner {owner.short} is not a group or a user"
        return f"its owner {owner.short} is not part of any {level}"

    def subtree(self, group: EntityRef) -> set[EntityRef]:
        """``group`` and every group below it."""
        return {g for g in self.groups if g == group or group in self.ancestors(g)}

    def types(self) -> list[str]:
        return sorted({n.type for n in self.groups.values() if n.type})

    def level_nodes(self, name: str) -> dict[str, GroupNode]:
        """The groups at a level by their ref's string (remembered per level)."""
        wanted = name.strip().lower()
        if wanted not in self._levels:
            self._levels[wanted] = {str(ref): self.groups[ref] for ref in self.level(name)}
        return self._levels[wanted]

    def level(self, name: str) -> list[EntityRef]:
        """The groups at a level: by ``spec.type``, else by depth (see the module doc)."""
        wanted = name.strip().lower()
        if wanted == "all":
            return sorted(self.groups)
        found = [ref for ref, node in self.groups.items() if node.type == wanted]
        if not found and wanted in LEVEL_DEPTHS:
            depth = LEVEL_DEPTHS[wanted]
            found = [ref for ref, node in self.groups.items() if node.depth == depth]
        if not found:
            raise UnknownLevel(name, self.types())
        return sorted(found)


def _depths(parents: dict[EntityRef, tuple[EntityRef, ...]]) -> dict[EntityRef, int]:
    children: dict[EntityRef, list[EntityRef]] = defaultdict(list)
    for ref, ups in parents.items():
        for parent in ups:
            children[parent].append(ref)
    frontier = sorted(ref for ref, ups in parents.items() if not ups)
    depths = dict.fromkeys(frontier, 0)
    level = 0
    while frontier and level < _MAX_DEPTH:
        level += 1
        frontier = sorted({c for f in frontier for c in children[f] if c not in depths})
        depths.update(dict.fromkeys(frontier, level))
    return depths


def _ancestors_of(
    group: EntityRef, parents: dict[EntityRef, tuple[EntityRef, ...]]
) -> tuple[EntityRef, ...]:
    chain: list[EntityRef] = []
    seen = {group}
    frontier = [group]
    while frontier:
        frontier = sorted({p for f in frontier for p in parents.get(f, ()) if p not in seen})
        seen.update(frontier)
        chain.extend(frontier)
    return tuple(chain)
