"""Deciding whether an entity is in a migration's scope."""

from __future__ import annotations

from collections.abc import Collection

from catalog.refs import EntityRef
from catalog.store import StoredEntity
from catalog.tech_migrations.definition import Scope
from catalog.tech_migrations.facts import CatalogIndex

__all__ = ["ScopeMatcher"]


class ScopeMatcher:
    """A scope with its owner groups expanded to their sub-groups, ready to test entities."""

    def __init__(self, scope: Scope, *, owners: Collection[str], excluded_owners: Collection[str]):
        self.scope = scope
        self.kinds = frozenset(scope.kinds)
        self._owners = frozenset(owners)
        self._excluded_owners = frozenset(excluded_owners)
        self._excluded_refs = frozenset(scope.exclude.refs)

    def matches(self, stored: StoredEntity, owner: str | None, index: CatalogIndex) -> bool:
        """In scope: matches every given key of the scope and no key of its ``exclude``."""
        scope, exclude = self.scope, self.scope.exclude
        entity = stored.entity
        kind = stored.ref.kind
        type_ = (entity.spec_str("type") or "").lower()
        lifecycle = (entity.spec_str("lifecycle") or "").lower()
        tags = {t.lower() for t in entity.metadata.tags}
        if scope.kinds and kind not in self.kinds:
            return False
        if scope.types and type_ not in scope.types:
            return False
        if scope.lifecycles and lifecycle not in scope.lifecycles:
            return False
        if scope.tags and not tags & set(scope.tags):
            return False
        if scope.owners and owner not in self._owners:
            return False
        if scope.systems and not _systems(stored.ref, index) & set(scope.systems):
            return False
        return not (
            str(stored.ref) in self._excluded_refs
            or kind in exclude.kinds
            or type_ in exclude.types
            or lifecycle in exclude.lifecycles
            or tags & set(exclude.tags)
            or (exclude.owners and owner in self._excluded_owners)
            or (exclude.systems and _systems(stored.ref, index) & set(exclude.systems))
        )


def _systems(ref: EntityRef, index: CatalogIndex) -> set[str]:
    return {str(t) for t in index.targets(ref, "partOf") if t.kind == "system"}
