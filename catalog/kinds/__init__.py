"""The nine built-in kinds; any other kind is stored generically."""

from __future__ import annotations

from catalog.kinds._base import KindSchema, RefField, SpecModel
from catalog.kinds.api import API
from catalog.kinds.component import COMPONENT
from catalog.kinds.domain import DOMAIN
from catalog.kinds.group import GROUP
from catalog.kinds.location import LOCATION, LocationSpec
from catalog.kinds.resource import RESOURCE
from catalog.kinds.system import SYSTEM
from catalog.kinds.template import TEMPLATE
from catalog.kinds.user import USER

__all__ = ["BUILTIN_KINDS", "KindSchema", "LocationSpec", "RefField", "SpecModel", "kind_schema"]

#: Built-in kinds by lowercased kind name.
BUILTIN_KINDS: dict[str, KindSchema] = {
    k.kind.lower(): k
    for k in (COMPONENT, API, RESOURCE, SYSTEM, DOMAIN, GROUP, USER, LOCATION, TEMPLATE)
}


def kind_schema(kind: str) -> KindSchema | None:
    """The schema of a built-in kind (any case), or None for other kinds."""
    return BUILTIN_KINDS.get(kind.lower())
