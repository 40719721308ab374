"""Relation names, in symmetric pairs, and the edges each kind's spec emits.

Naming rules (as Backstage's ``kinds/relations.ts``): camelCase verbs read from the entity that
carries the relation: ``A ownedBy B`` <-> ``B ownerOf A``. Every pair is stored once, in the
direction of its first name below (the *canonical* direction); the reverse is derived on read.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.refs import EntityRef

__all__ = [
    "API_CONSUMED_BY",
    "API_PROVIDED_BY",
    "CANONICAL",
    "CHILD_OF",
    "CONSUMES_API",
    "DEPENDENCY_OF",
    "DEPENDS_ON",
    "HAS_MEMBER",
    "HAS_PART",
    "INVERSE",
    "MEMBER_OF",
    "OWNED_BY",
    "OWNER_OF",
    "PARENT_OF",
    "PART_OF",
    "PROVIDES_API",
    "Edge",
    "canonical_edge",
]

OWNED_BY, OWNER_OF = "ownedBy", "ownerOf"
CONSUMES_API, API_CONSUMED_BY = "consumesApi", "apiConsumedBy"
PROVIDES_API, API_PROVIDED_BY = "providesApi", "apiProvidedBy"
DEPENDS_ON, DEPENDENCY_OF = "dependsOn", "dependencyOf"
CHILD_OF, PARENT_OF = "childOf", "parentOf"
MEMBER_OF, HAS_MEMBER = "memberOf", "hasMember"
PART_OF, HAS_PART = "partOf", "hasPart"

_PAIRS = [
    (OWNED_BY, OWNER_OF),
    (CONSUMES_API, API_CONSUMED_BY),
    (PROVIDES_API, API_PROVIDED_BY),
    (DEPENDS_ON, DEPENDENCY_OF),
    (CHILD_OF, PARENT_OF),
    (MEMBER_OF, HAS_MEMBER),
    (PART_OF, HAS_PART),
]

#: Each relation type mapped to its reverse.
INVERSE: dict[str, str] = dict(_PAIRS) | {b: a for a, b in _PAIRS}
#: The direction each pair is stored in.
CANONICAL = frozenset(a for a, _ in _PAIRS)


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` --type--> ``target``: one relation as one entity sees it."""

    source: EntityRef
    type: str
    target: EntityRef


def canonical_edge(edge: Edge) -> Edge:
    """The same fact in its stored direction (``dependencyOf`` becomes a reversed ``dependsOn``).

    Relation types greenroom does not know (from a Backstage API source) stay as they are.
    """
    if edge.type in CANONICAL or edge.type not in INVERSE:
        return edge
    return Edge(edge.target, INVERSE[edge.type], edge.source)
