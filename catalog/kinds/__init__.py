"""The nine built-in kinds, the kinds of Backstage's official modules (AiResource), and the
relations any other kind's common fields imply."""

from __future__ import annotations

from catalog.kinds._base import KindSchema, RefField, SpecModel
from catalog.kinds.ai_resource import AI_RESOURCE
from catalog.kinds.api import API
from catalog.kinds.component import COMPONENT
from catalog.kinds.domain import DOMAIN
from catalog.kinds.group import GROUP
from catalog.kinds.location import LOCATION, LocationSpec
from catalog.kinds.resource import RESOURCE
from catalog.kinds.system import SYSTEM
from catalog.kinds.template import TEMPLATE
from catalog.kinds.user import USER
from catalog.relations import DEPENDENCY_OF, DEPENDS_ON, OWNED_BY, PART_OF

__all__ = [
    "BUILTIN_KINDS",
    "COMMON_REFS",
    "MODULE_KINDS",
    "KindSchema",
    "LocationSpec",
    "RefField",
    "SpecModel",
    "kind_schema",
]

#: Built-in kinds by lowercased kind name.
BUILTIN_KINDS: dict[str, KindSchema] = {
    k.kind.lower(): k
    for k in (COMPONENT, API, RESOURCE, SYSTEM, DOMAIN, GROUP, USER, LOCATION, TEMPLATE)
}
#: Kinds of Backstage's official catalog modules, by lowercased kind name. Only the exact
#: spelling selects them; another (``AIResource``, an older name) is an other kind.
MODULE_KINDS: dict[str, KindSchema] = {AI_RESOURCE.kind.lower(): AI_RESOURCE}

#: The relations a kind without a schema of its own emits: Backstage's common spec fields,
#: read as its built-in kinds read them (bare names default as for Component; dependsOn and
#: dependencyOf need a kind).
COMMON_REFS = (
    RefField("owner", OWNED_BY, "group"),
    RefField("system", PART_OF, "system"),
    RefField("domain", PART_OF, "domain"),
    RefField("dependsOn", DEPENDS_ON, None, many=True),
    RefField("dependencyOf", DEPENDENCY_OF, None, many=True),
)


def kind_schema(kind: str) -> KindSchema | None:
    """The schema of a built-in kind (any case) or a module's kind, or None for other kinds."""
    builtin = BUILTIN_KINDS.get(kind.lower())
    if builtin is not None:
        return builtin
    module = MODULE_KINDS.get(kind.lower())
    return module if module is not None and module.kind == kind else None
