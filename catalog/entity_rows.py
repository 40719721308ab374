"""An entity as the rows the store writes: the ``entities`` row (indexed columns, the document,
its content hash) and the ``relations`` rows its spec declares."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any

from catalog.relations import OWNED_BY
from catalog.sources import SourcedEntity, content_hash

__all__ = ["ROW_COLUMNS", "SEARCH_TEXT_LIMIT", "PreparedEntity", "prepare_entity"]

#: Searchable text kept per entity (fits any database's index entry size).
SEARCH_TEXT_LIMIT = 500


#: The ``entities`` columns a prepared entity holds, in the order of ``PreparedEntity.values``.
ROW_COLUMNS = (
    "ref",
    "kind",
    "namespace",
    "name",
    "title",
    "description",
    "spec_type",
    "lifecycle",
    "owner_ref",
    "search_text",
    "document",
    "content_hash",
    "etag",
    "source",
    "location",
    "line",
    "entity_dir",
    "repo_dir",
    "updated_at",
)
_CONTENT_HASH = ROW_COLUMNS.index("content_hash")
_OWNER_REF = ROW_COLUMNS.index("owner_ref")


@dataclass(frozen=True, slots=True)
class PreparedEntity:
    """An entity turned into the rows the store writes (entity row and relation rows).

    Held compactly until written (a full sync holds every entity of a source at once): the
    row's values as a tuple, and the relations as one flat tuple of subject, type, object,
    subject, ... (a tuple per relation cost 80 bytes each, 30 MB at 100k entities); their
    origin is ``ref``. ``row`` and ``relation_tuples`` build the rows the store writes.
    """

    ref: str
    location: str
    values: tuple[Any, ...]
    relations: tuple[str, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # From a parsing worker as plain values (loading slots one by one is far slower).
        return (PreparedEntity, (self.ref, self.location, self.values, self.relations))

    @property
    def row(self) -> dict[str, Any]:
        return dict(zip(ROW_COLUMNS, self.values, strict=True))

    @property
    def relation_tuples(self) -> Iterator[tuple[str, str, str, str]]:
        """The relation rows as (subject, type, object, origin), as ``insert_tuples`` takes
        them."""
        flat = self.relations
        return zip(flat[::3], flat[1::3], flat[2::3], repeat(self.ref), strict=False)

    def sharing(self, shared: dict[str, str]) -> PreparedEntity:
        """The same entity with its relations' strings and its owner taken from ``shared``:
        rows that come from parsing workers hold their own copies of each (a target or an
        owner named by thousands of entities), as many as the chunks they came in."""
        share, flat = shared.setdefault, self.relations
        relations = tuple(map(share, flat, flat))  # no Python-level call per string
        values, owner = self.values, self.values[_OWNER_REF]
        if owner is not None:
            values = (*values[:_OWNER_REF], share(owner, owner), *values[_OWNER_REF + 1 :])
        return PreparedEntity(self.ref, self.location, values, relations)

    @property
    def content_hash(self) -> str:
        return str(self.values[_CONTENT_HASH])


def prepare_entity(
    sourced: SourcedEntity, now: datetime, shared: dict[str, str] | None = None
) -> PreparedEntity:
    """The rows for one entity; the parsed model is not needed after this. Strings that
    repeat across entities (kinds, owners, targets of relations) are taken from ``shared``
    when given, so a catalog's worth of rows holds each once."""
    share = shared.setdefault if shared is not None else _same
    row = _entity_row(sourced, now, share)
    ref = row[0]
    relations = tuple(
        text
        for e in sourced.parsed.edges
        for text in (_text(e.source, ref, share), e.type, _text(e.target, ref, share))
    )
    return PreparedEntity(ref, sourced.origin.location, row, relations)


def _same(text: str, _default: str) -> str:
    return text


def _text(ref: object, own: str, share: Callable[[str, str], str]) -> str:
    text = str(ref)
    return own if text == own else share(text, text)


def _entity_row(
    sourced: SourcedEntity, now: datetime, share: Callable[[str, str], str]
) -> tuple[Any, ...]:
    parsed = sourced.parsed
    entity, origin = parsed.entity, sourced.origin
    meta = entity.metadata
    document = json.dumps(parsed.document, ensure_ascii=False, separators=(",", ":"), default=str)
    fingerprint = f"{document}\x00{origin.location}\x00{origin.line}\x00{origin.repo_dir}"
    digest = content_hash(fingerprint.encode())
    owner = next((e.target for e in parsed.edges if e.type == OWNED_BY), None)
    words = [meta.name, meta.title or "", meta.description or "", *meta.tags]
    spec_type, lifecycle = entity.spec_str("type"), entity.spec_str("lifecycle")
    owner_ref = str(owner) if owner else None
    return (
        str(entity.ref),
        share(kind := entity.kind.lower(), kind),
        share(namespace := meta.namespace.lower(), namespace),
        meta.name.lower(),
        meta.title,
        meta.description,
        share(spec_type, spec_type) if spec_type is not None else None,
        share(lifecycle, lifecycle) if lifecycle is not None else None,
        share(owner_ref, owner_ref) if owner_ref is not None else None,
        " ".join(words).lower()[:SEARCH_TEXT_LIMIT],
        document,
        digest,
        digest,  # etag
        origin.source,
        origin.location,
        origin.line,
        origin.entity_dir,
        origin.repo_dir,
        now,
    )
