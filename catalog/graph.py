"""Dependencies, dependents and blast radius, over the relations that mean "needs".

``A needs B`` when A dependsOn B, A consumesApi B, B providesApi A (an API needs the component
behind it), or B partOf A (a system needs its parts; domains only group, so they are left
out). Walking forwards answers "what does it depend on"; walking backwards answers "what breaks
when it breaks". Walks are breadth first and safe on cycles.

A blast radius in a large catalog crosses thousands of entities over a dozen or more levels, so
walks read the "needs" edges from memory: each process loads them once per catalog generation
(about 1 s and 50 MB at 100k entities) and loads them again after the catalog changes.

"""

from __future__ import annotations

import sys
import threading
import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from catalog.refs import EntityRef, ref_from_canonical
from catalog.relations import (
    CONSUMES_API,
    DEPENDS_ON,
    HAS_PART,
    INVERSE,
    PART_OF,
    PROVIDES_API,
)
from catalog.store import Catalog, EntitySummary

__all__ = [
    "BlastRadius",
    "DependencyNode",
    "NeedsEdges",
    "blast_radius",
    "dependencies",
    "needs_edges",
]

# (stored types read subject -> object, stored types read object -> subject)
_NEEDS = ((DEPENDS_ON, CONSUMES_API), (PROVIDES_API, PART_OF))
_NEEDED_BY = ((PROVIDES_API, PART_OF), (DEPENDS_ON, CONSUMES_API))
_NEEDS_TYPES = (DEPENDS_ON, CONSUMES_API, PROVIDES_API, PART_OF)
MAX_NODES = 5000


@dataclass(frozen=True, slots=True)
class DependencyNode:
    """One entity reached by a walk: how far, through which relation, from which parent."""

    summary: EntitySummary
    depth: int
    relation: str
    parent: EntityRef
    owner: EntityRef | None = None


def dependencies(
    catalog: Catalog, root: EntityRef, *, reverse: bool = False, depth: int | None = 1
) -> list[DependencyNode]:
    """What ``root`` needs (or, ``reverse``, what needs it), to ``depth`` levels (None: all)."""
    found = _walk(catalog, root, reverse=reverse, depth=depth)
    refs = {key: ref_from_canonical(key) for key, *_ in found} | {str(root): root}
    summaries, owners = catalog.summaries_and_owners(refs.values())
    return [
        DependencyNode(summaries[refs[key]], lvl, rel, refs[parent], owners.get(refs[key]))
        for key, lvl, rel, parent in found
    ]


def _walk(
    catalog: Catalog, root: EntityRef, *, reverse: bool, depth: int | None
) -> list[tuple[str, int, str, str]]:
    """(entity, level, relation, parent) of every entity reached, nearest first, at most
    MAX_NODES; canonical strings, not refs: a walk reads tens of thousands of edges."""
    outgoing, incoming = _NEEDED_BY if reverse else _NEEDS
    edges = needs_edges(catalog)
    seen = {str(root)}
    frontier = [str(root)]
    found: list[tuple[str, int, str, str]] = []
    level = 0
    while frontier and (depth is None or level < depth) and len(found) < MAX_NODES:
        level += 1
        near: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, relation, target in edges.around(frontier, outgoing=outgoing, incoming=incoming):
            near[key].append((target, relation))
        next_frontier: list[str] = []
        for parent in frontier:
            for target, relation in sorted(near.get(parent, ())):
                if target in seen or _is_grouping(parent, relation, target):
                    continue
                seen.add(target)
                found.append((target, level, relation, parent))
                next_frontier.append(target)
        frontier = next_frontier
    return found[:MAX_NODES]


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """Everything that needs an entity, transitively (nearest first), and the owners to tell
    (most hit first)."""

    root: EntityRef
    dependents: list[EntityRef]
    owners: list[tuple[EntitySummary, list[EntityRef]]]
    unowned: list[EntityRef]


def blast_radius(catalog: Catalog, root: EntityRef, *, depth: int | None = None) -> BlastRadius:
    """Every transitive dependent of ``root`` with its owner, grouped by owning team."""
    # Only the owners' summaries are shown; thousands of dependents are listed by name.
    dependents = [
        ref_from_canonical(key) for key, *_ in _walk(catalog, root, reverse=True, depth=depth)
    ]
    owner_of = catalog.owners(dependents)
    by_owner: dict[EntityRef, list[EntityRef]] = defaultdict(list)
    unowned: list[EntityRef] = []
    for ref in dependents:
        owner = owner_of.get(ref)
        if owner is None:
            unowned.append(ref)
        else:
            by_owner[owner].append(ref)
    summaries = catalog.summaries(by_owner)
    owners = [
        (summaries[owner], refs)
        for owner, refs in sorted(by_owner.items(), key=lambda x: (-len(x[1]), str(x[0])))
    ]
    return BlastRadius(root, dependents, owners, unowned)


def _is_grouping(parent: str, relation: str, target: str) -> bool:
    """Domains group systems for navigation; they neither need nor are needed by anything."""
    return relation in {PART_OF, HAS_PART} and (
        parent.startswith("domain:") or target.startswith("domain:")
    )


class NeedsEdges:
    """The stored "needs" relations of one catalog generation, both ways, in memory."""

    def __init__(self, generation: int, rows: Iterable[tuple[str, str, str]]) -> None:
        self.generation = generation
        by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
        by_object: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for subject, type_, obj in rows:
            # Interned: every ref appears in many edges; one string each halves the memory.
            subject, type_, obj = sys.intern(subject), sys.intern(type_), sys.intern(obj)
            by_subject[subject].append((type_, obj))
            by_object[obj].append((type_, subject))
        # Tuples of strings, unlike lists, drop out of the garbage collector's view: hundreds
        # of thousands of lists made every full collection of an answering process 0.3 s.
        self._by_subject = {key: tuple(edges) for key, edges in by_subject.items()}
        self._by_object = {key: tuple(edges) for key, edges in by_object.items()}

    def around(
        self, keys: Iterable[str], *, outgoing: Collection[str], incoming: Collection[str]
    ) -> list[tuple[str, str, str]]:
        """What ``Catalog.neighbours`` answers, from memory, as (key, relation, target) rows
        of canonical strings."""
        found: list[tuple[str, str, str]] = []
        for key in keys:
            found.extend((key, t, o) for t, o in self._by_subject.get(key, ()) if t in outgoing)
            found.extend(
                (key, INVERSE.get(t, t), s)
                for t, s in self._by_object.get(key, ())
                if t in incoming
            )
        return found


_loaded: weakref.WeakKeyDictionary[Catalog, NeedsEdges] = weakref.WeakKeyDictionary()
_loading = threading.Lock()


def needs_edges(catalog: Catalog) -> NeedsEdges:
    """The "needs" edges of ``catalog`` as it is now (loaded when it changed since last time)."""
    generation = catalog.generation()
    cached = _loaded.get(catalog)
    if cached is not None and cached.generation == generation:
        return cached
    with _loading:
        cached = _loaded.get(catalog)
        if cached is None or cached.generation != generation:
            # Read the generation before the edges: a sync meanwhile only means a reload.
            cached = NeedsEdges(generation, catalog.edges_of_type(_NEEDS_TYPES))
            _loaded[catalog] = cached
    return cached
