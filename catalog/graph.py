"""Dependencies, dependents and blast radius, over the relations that mean "needs".

``A needs B`` when A dependsOn B, A consumesApi B, B providesApi A (an API needs the component
behind it), or B partOf A (a system needs its parts; domains only group, so they are left
out). Walking forwards answers "what does it depend on"; walking backwards answers "what breaks
when it breaks". Walks are breadth first and safe on cycles.

A blast radius in a large catalog crosses thousands of entities over a dozen or more levels, so
walks read the "needs" edges from memory: each process loads them once per catalog generation
(about 1 s and 12 MB at 100k entities, as arrays of numbers) and loads them again after the
catalog changes.

"""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.generations import PerGeneration
from catalog.groups import owner_summaries
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

if TYPE_CHECKING:
    import numpy as np

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
    found = needs_edges(catalog).walk(str(root), outgoing=outgoing, incoming=incoming, depth=depth)
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
    outgoing, incoming = _NEEDED_BY
    keys, owner_keys = needs_edges(catalog).reach_with_owners(
        str(root), outgoing=outgoing, incoming=incoming, depth=depth, limit=MAX_NODES
    )
    dependents = [ref_from_canonical(key) for key in keys]
    owner_refs = {key: ref_from_canonical(key) for key in set(owner_keys) if key is not None}
    by_owner: dict[EntityRef, list[EntityRef]] = defaultdict(list)
    unowned: list[EntityRef] = []
    for ref, owner in zip(dependents, owner_keys, strict=True):
        if owner is None:
            unowned.append(ref)
        else:
            by_owner[owner_refs[owner]].append(ref)
    summaries = owner_summaries(catalog, list(by_owner))
    owners = [
        (summaries[owner], refs)
        for owner, refs in sorted(by_owner.items(), key=lambda x: (-len(x[1]), str(x[0])))
    ]
    return BlastRadius(root, dependents, owners, unowned)


class NeedsEdges:
    """The stored "needs" relations of one catalog generation, both ways, in memory.

    Compact: every entity that has such a relation is a number (its place in the sorted list
    of canonical refs, so numbers sort as the refs do), and the edges are arrays of numbers
    grouped by entity, once by subject and once by object. At 100k entities that is 12 MB
    where dicts of tuples of strings kept 54 MB, and a walk handles a whole level of the graph
    at a time in numpy.
    """

    def __init__(
        self,
        generation: int,
        rows: Iterable[tuple[str, str, str]],
        owners: Iterable[tuple[str, str]] = (),
    ) -> None:
        import numpy as np  # not at import: a CLI query that never walks does without it

        self.generation = generation
        # Numbered in the order met, renumbered in ref order below: the rows' strings are
        # dropped as they come (each ref is kept once), so loading holds little more than
        # the result.
        number: dict[str, int] = {}
        type_number: dict[str, int] = {}
        subject_of, object_of, type_of = array("i"), array("i"), array("b")
        for subject, type_, obj in rows:
            subject_of.append(number.setdefault(subject, len(number)))
            object_of.append(number.setdefault(obj, len(number)))
            type_of.append(type_number.setdefault(type_, len(type_number)))
        met = list(number)  # number n is met[n]
        del number
        by_ref = sorted(range(len(met)), key=met.__getitem__)
        #: canonical refs, sorted: an entity's number is its place here
        self.keys: list[str] = [met[n] for n in by_ref]
        renumber = np.empty(len(met), np.int32)
        renumber[by_ref] = np.arange(len(met), dtype=np.int32)
        del met, by_ref
        type_names = list(type_number)
        subjects = renumber[np.frombuffer(subject_of, np.int32)]
        objects = renumber[np.frombuffer(object_of, np.int32)]
        types = np.frombuffer(type_of, np.int8).copy()
        count = len(self.keys)
        self._out = _Grouped(subjects, objects, types, count)
        self._in = _Grouped(objects, subjects, types, count)
        self._type_names = type_names
        #: relations as seen from the entity walked from, sorted by name (their numbers then
        #: sort as their names do)
        self._relations = sorted(set(type_names) | {INVERSE.get(t, t) for t in type_names})
        rank = {name: n for n, name in enumerate(self._relations)}
        self._out_relation = np.array([rank[t] for t in type_names], np.int16)
        self._in_relation = np.array([rank[INVERSE.get(t, t)] for t in type_names], np.int16)
        self._grouping = np.array([r in {PART_OF, HAS_PART} for r in self._relations], bool)
        self._domain = np.array([key.startswith("domain:") for key in self.keys], bool)
        # The owner (``spec.owner``) of each entity, as a number into ``_owner_names`` (-1:
        # none): a blast radius groups thousands of dependents by owner, and reading their
        # owners was a query over all of them.
        keys = self.keys
        owner_number: dict[str, int] = {}
        self._owner_of = np.full(len(keys), -1, np.int32)
        for ref, owner in owners:
            place = bisect.bisect_left(keys, ref)
            if place < len(keys) and keys[place] == ref:
                self._owner_of[place] = owner_number.setdefault(owner, len(owner_number))
        self._owner_names: list[str] = list(owner_number)

    def walk(
        self,
        root: str,
        *,
        outgoing: Collection[str],
        incoming: Collection[str],
        depth: int | None,
    ) -> list[tuple[str, int, str, str]]:
        """Breadth first from ``root`` (a canonical ref) along stored ``outgoing`` types
        (subject -> object) and ``incoming`` types (object -> subject), to ``depth`` levels
        (None: all) or until a level ends with MAX_NODES found: (entity, level, relation,
        parent) of each entity reached, in the order a walk that visits each level's parents
        in turn, and each parent's (target, relation) pairs sorted, first reaches it.
        Domains' part-of relations are not followed (they only group)."""
        found: list[tuple[str, int, str, str]] = []
        keys, names = self.keys, self._relations
        for level, frontier, relation, parent in self._levels(root, outgoing, incoming, depth):
            found.extend(
                (keys[t], level, names[r], keys[p])
                for t, r, p in zip(
                    frontier.tolist(), relation.tolist(), parent.tolist(), strict=True
                )
            )
        return found

    def reach_with_owners(
        self,
        root: str,
        *,
        outgoing: Collection[str],
        incoming: Collection[str],
        depth: int | None,
        limit: int,
    ) -> tuple[list[str], list[str | None]]:
        """The first ``limit`` entities :meth:`walk` reaches, and the owner of each (None when
        it has none)."""
        import numpy as np

        levels = [t for _, t, _, _ in self._levels(root, outgoing, incoming, depth)]
        if not levels:
            return [], []
        reached = np.concatenate(levels)[:limit]
        keys, owner_names = self.keys, self._owner_names
        owners = [owner_names[o] if o >= 0 else None for o in self._owner_of[reached].tolist()]
        return [keys[t] for t in reached.tolist()], owners

    def _levels(
        self,
        root: str,
        outgoing: Collection[str],
        incoming: Collection[str],
        depth: int | None,
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """Each level of a walk: (level, targets, relations, parents), as numbers."""
        import numpy as np

        start = bisect.bisect_left(self.keys, root)
        if start == len(self.keys) or self.keys[start] != root:
            return
        take_out = np.array([t in outgoing for t in self._type_names], bool)
        take_in = np.array([t in incoming for t in self._type_names], bool)
        seen = np.zeros(len(self.keys), bool)
        seen[start] = True
        frontier = np.array([start], np.int64)
        reached = 0
        level = 0
        while len(frontier) and (depth is None or level < depth) and reached < MAX_NODES:
            level += 1
            at_out, to_out, type_out = self._out.around(frontier)
            at_in, to_in, type_in = self._in.around(frontier)
            keep_out, keep_in = take_out[type_out], take_in[type_in]
            at = np.concatenate((at_out[keep_out], at_in[keep_in]))
            to = np.concatenate((to_out[keep_out], to_in[keep_in]))
            relation = np.concatenate(
                (self._out_relation[type_out[keep_out]], self._in_relation[type_in[keep_in]])
            )
            parent = frontier[at]
            grouping = self._grouping[relation] & (self._domain[parent] | self._domain[to])
            new = ~seen[to] & ~grouping
            at, to, relation, parent = at[new], to[new], relation[new], parent[new]
            # the first (parent's place, target, relation) of each target is how it is reached
            order = np.lexsort((relation, to, at))
            _, first = np.unique(to[order], return_index=True)
            chosen = order[np.sort(first)]
            frontier = to[chosen].astype(np.int64)
            seen[frontier] = True
            reached += len(frontier)
            yield level, frontier, relation[chosen], parent[chosen]


class _Grouped:
    """Edges grouped by their first end: entity n's are ``other[start[n]:start[n + 1]]``."""

    def __init__(self, by: np.ndarray, other: np.ndarray, types: np.ndarray, count: int) -> None:
        import numpy as np

        order = np.argsort(by, kind="stable")
        self.start = np.searchsorted(by[order], np.arange(count + 1)).astype(np.int64)
        self.other = other[order]
        self.types = types[order]

    def around(self, entities: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge of ``entities``: (place of its entity in ``entities``, other end, type)."""
        import numpy as np

        first, last = self.start[entities], self.start[entities + 1]
        sizes = last - first
        at = np.repeat(np.arange(len(entities)), sizes)
        edge = np.arange(int(sizes.sum())) + np.repeat(first - np.cumsum(sizes) + sizes, sizes)
        return at, self.other[edge].astype(np.int64), self.types[edge]


def _read_needs_edges(catalog: Catalog, generation: int) -> NeedsEdges:
    return NeedsEdges(generation, catalog.edges_of_type(_NEEDS_TYPES), catalog.every_owner())


#: The "needs" edges of a catalog as it is now (loaded when it changed since last time).
needs_edges: PerGeneration[NeedsEdges] = PerGeneration(_read_needs_edges)
