"""Deciding whether an entity is in a migration's scope."""

from __future__ import annotations

from collections.abc import Collection

from catalog.store import StoredEntity
from catalog.tech_migrations.definition import Scope
from catalog.tech_migrations.facts import CatalogIndex

__all__ = ["ScopeMatcher"]


class ScopeMatcher:
    """A scope with its owner groups expanded to their sub-groups, ready to test entities."""

    def __init__(
        self, scope: Scope, *, owners: Collection[str], excluded_owners: Collection[str]
    ) -> None:
        exclude = scope.exclude
        self.kinds = frozenset(scope.kinds)
        self.types, self.lifecycles = frozenset(scope.types), frozenset(scope.lifecycles)
        self.tags, self.systems = frozenset(scope.tags), frozenset(scope.systems)
        self.owners = frozenset(owners) if scope.owners else None
        self.not_kinds, self.not_types = frozenset(exclude.kinds), frozenset(exclude.types)
        self.not_lifecycles, self.not_tags = frozenset(exclude.lifecycles), frozenset(exclude.tags)
        self.not_systems = frozenset(exclude.systems)
        self.not_owners = frozenset(excluded_owners)
        self.not_refs = frozenset(exclude.refs)

    def matches(self, stored: StoredEntity, owner: str | None, index: CatalogIndex) -> bool:
        """In scope: matches every given key of the scope and no key of its ``exclude``."""
        entity = stored.entity
        kind = stored.ref.kind
        if (self.kinds and kind not in self.kinds) or kind in self.not_kinds:
            return False
        if self.owners is not None and owner not in self.owners:
            return False
        if owner is not None and owner in self.not_owners:
            return False
        if str(stored.ref) in self.not_refs:
            return False
        if self.types or self.not_types:
            type_ = (entity.spec_str("type") or "").lower()
            if (self.types and type_ not in self.types) or type_ in self.not_types:
                return False
        if self.lifecycles or self.not_lifecycles:
            lifecycle = (entity.spec_str("lifecycle") or "").lower()
            if (self.lifecycles and lifecycle not in self.lifecycles) or (
                lifecycle in self.not_lifecycles
            ):
                return False
        if self.tags or self.not_tags:
            tags = {t.lower() for t in entity.metadata.tags}
            if (self.tags and not tags & self.tags) or tags & self.not_tags:
                return False
        if self.systems or self.not_systems:
            systems = {str(t) for t in index.targets(stored.ref, "partOf") if t.kind == "system"}
            if (self.systems and not systems & self.systems) or systems & self.not_systems:
                return False
        return True
