"""An entity as the rows the store writes: the ``entities`` row (indexed columns, the document,
its content hash) and the ``relations`` rows its spec declares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.relations import OWNED_BY
from catalog.sources import SourcedEntity, content_hash

__all__ = ["SEARCH_TEXT_LIMIT", "PreparedEntity", "prepare_entity"]

#: Searchable text kept per entity (fits any database's index entry size).
SEARCH_TEXT_LIMIT = 500


@dataclass(frozen=True, slots=True)
class PreparedEntity:
    """An entity turned into the rows the store writes (entity row and relation rows)."""

    ref: str
    location: str
    row: dict[str, Any]
    relation_rows: tuple[dict[str, str], ...]

    @property
    def content_hash(self) -> str:
        return str(self.row["content_hash"])


def prepare_entity(sourced: SourcedEntity, now: datetime) -> PreparedEntity:
    """The rows for one entity; the parsed model is not needed after this."""
    row = _entity_row(sourced, now)
    ref = row["ref"]
    relation_rows = tuple(
        {"subject": str(e.source), "type": e.type, "object": str(e.target), "origin": ref}
        for e in sourced.parsed.edges
    )
    return PreparedEntity(ref, sourced.origin.location, row, relation_rows)


def _entity_row(sourced: SourcedEntity, now: datetime) -> dict[str, Any]:
    parsed = sourced.parsed
    entity, origin = parsed.entity, sourced.origin
    meta = entity.metadata
    document = json.dumps(parsed.document, ensure_ascii=False, separators=(",", ":"), default=str)
    fingerprint = f"{document}\x00{origin.location}\x00{origin.line}\x00{origin.repo_dir}"
    digest = content_hash(fingerprint.encode())
    owner = next((e.target for e in parsed.edges if e.type == OWNED_BY), None)
    words = [meta.name, meta.title or "", meta.description or "", *meta.tags]
    return {
        "ref": str(entity.ref),
        "kind": entity.kind.lower(),
        "namespace": meta.namespace.lower(),
        "name": meta.name.lower(),
        "title": meta.title,
        "description": meta.description,
        "spec_type": entity.spec_str("type"),
        "lifecycle": entity.spec_str("lifecycle"),
        "owner_ref": str(owner) if owner else None,
        "search_text": " ".join(words).lower()[:SEARCH_TEXT_LIMIT],
        "document": document,
        "content_hash": digest,
        "etag": digest,
        "source": origin.source,
        "location": origin.location,
        "line": origin.line,
        "entity_dir": origin.entity_dir,
        "repo_dir": origin.repo_dir,
        "updated_at": now,
    }
