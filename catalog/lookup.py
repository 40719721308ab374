"""Finding the entity a person means: a full ref, ``kind:name``, or a bare name, any case."""

from __future__ import annotations

from catalog.errors import AmbiguousEntity, EntityNotFound, InvalidRef
from catalog.refs import parse_ref
from catalog.search import suggest_refs
from catalog.store import Catalog, StoredEntity

__all__ = ["find_entity"]


def find_entity(catalog: Catalog, text: str, *, kinds: tuple[str, ...] = ()) -> StoredEntity:
    """The one entity ``text`` names; EntityNotFound (with suggestions) or AmbiguousEntity."""
    query = text.strip()
    if not query or len(query) > 400:
        raise EntityNotFound(query[:80])
    has_kind = ":" in query.split("/", 1)[0]
    if has_kind:
        try:
            ref = parse_ref(query)
        except InvalidRef:
            raise EntityNotFound(query, _suggest(catalog, query)) from None
        stored = catalog.get(ref)
        if stored is not None:
            return stored
        raise EntityNotFound(query, _suggest(catalog, query))
    namespace, _, name = query.rpartition("/")
    candidates = catalog.named(name, namespace=namespace or None)
    if kinds:
        candidates = [c for c in candidates if c.ref.kind in kinds] or candidates
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise AmbiguousEntity(query, [c.ref.short for c in candidates])

    raise EntityNotFound(query, _suggest(catalog, query))


def _suggest(catalog: Catalog, query: str) -> list[str]:
    return [ref.short for ref in suggest_refs(catalog, query)]
