"""Dependencies, dependents and blast radius, over the relations that mean "needs".

``A needs B`` when A dependsOn B, A consumesApi B, B providesApi A (an API needs the component
behind it), or B partOf A (a system needs its parts; domains only group, so they are left
out). Walking forwards answers "what does it depend on"; walking backwards answers "what breaks
when it breaks". Walks are breadth first, one query per level, and safe on cycles.

"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from catalog.refs import EntityRef
from catalog.relations import (
    CONSUMES_API,
    DEPENDS_ON,
    HAS_PART,
    OWNED_BY,
    PART_OF,
    PROVIDES_API,
)
from catalog.store import Catalog, EntitySummary

__all__ = ["BlastRadius", "DependencyNode", "blast_radius", "dependencies"]

# (stored types read subject -> object, stored types read object -> subject)
_NEEDS = ((DEPENDS_ON, CONSUMES_API), (PROVIDES_API, PART_OF))
_NEEDED_BY = ((PROVIDES_API, PART_OF), (DEPENDS_ON, CONSUMES_API))
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
    outgoing, incoming = _NEEDED_BY if reverse else _NEEDS
    seen = {root}
    frontier = [root]
    found: list[tuple[EntityRef, int, str, EntityRef]] = []
    level = 0
    while frontier and (depth is None or level < depth) and len(found) < MAX_NODES:
        level += 1
        near = catalog.neighbours(frontier, outgoing=outgoing, incoming=incoming)
        next_frontier: list[EntityRef] = []
        for parent in frontier:
            for relation, target in sorted(
                near.get(parent, set()), key=lambda x: (str(x[1]), x[0])
            ):
                if target in seen or _is_grouping(parent, relation, target):
                    continue
                seen.add(target)

                found.append((target, level, relation, parent))
                next_frontier.append(target)
        frontier = next_frontier
    found = found[:MAX_NODES]
    summaries = catalog.summaries(ref for ref, *_ in found)
    owners = _owners(catalog, [ref for ref, *_ in found])
    return [
        DependencyNode(summaries[ref], lvl, rel, parent, owners.get(ref))
        for ref, lvl, rel, parent in found
    ]


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """Everything that needs an entity, transitively, and the owners to tell (most hit first)."""

    root: EntityRef
    dependents: list[DependencyNode]
    owners: list[tuple[EntitySummary, list[EntityRef]]]
    unowned: list[EntityRef]


def blast_radius(catalog: Catalog, root: EntityRef, *, depth: int | None = None) -> BlastRadius:
    """Every transitive dependent of ``root`` with its owner, grouped by owning team."""
    nodes = dependencies(catalog, root, reverse=True, depth=depth)
    by_owner: dict[EntityRef, list[EntityRef]] = defaultdict(list)
    unowned: list[EntityRef] = []
    for node in nodes:
        if node.owner is None:
            unowned.append(node.summary.ref)
        else:
            by_owner[node.owner].append(node.summary.ref)
    summaries = catalog.summaries(by_owner)
    owners = [
        (summaries[owner], refs)
        for owner, refs in sorted(by_owner.items(), key=lambda x: (-len(x[1]), str(x[0])))
    ]
    return BlastRadius(root, nodes, owners, unowned)


def _is_grouping(parent: EntityRef, relation: str, target: EntityRef) -> bool:
    """Domains group systems for navigation; they neither need nor are needed by anything."""
    return relation in {PART_OF, HAS_PART} and "domain" in {parent.kind, target.kind}


def _owners(catalog: Catalog, refs: list[EntityRef]) -> dict[EntityRef, EntityRef]:
    near = catalog.neighbours(refs, outgoing=[OWNED_BY])
    return {ref: min(t for _, t in targets) for ref, targets in near.items() if targets}
