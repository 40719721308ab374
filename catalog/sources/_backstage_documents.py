"""Backstage's API answers read as greenroom needs them: an entity without Backstage's
bookkeeping, the processing errors Backstage recorded, and the unprocessed-entities lists.

What an entity *says* is compared between syncs; what Backstage regenerates is dropped, so a
Backstage restarted on a fresh database (new uids and etags, relations in another order)
changes nothing here:

- dropped: ``metadata.uid``, ``metadata.etag``, ``metadata.generation`` (older backends) and
  ``status`` (its errors become problems of the sync instead);
- kept, order-free: ``relations``, as a sorted, de-duplicated list of ``{type, targetRef}``.
"""

from __future__ import annotations

from typing import Any

from catalog.annotations import MANAGED_BY_LOCATION, PROCESSING_ERROR_TYPE
from catalog.refs import EntityRef
from catalog.sources.base import Problem

__all__ = [
    "MANAGED_BY_LOCATION",
    "bookkeeping_free",
    "location_of",
    "ref_of",
    "status_problems",
    "unprocessed_problem",
]

#: ``status.items[].type`` of the catalog's own processing.
_PROCESSING = PROCESSING_ERROR_TYPE
_SERVER_METADATA = ("uid", "etag", "generation")


def bookkeeping_free(item: dict[str, Any]) -> dict[str, Any]:
    """The entity as written plus its relations, without what Backstage regenerates."""
    document = {k: v for k, v in item.items() if k != "status"}
    metadata = item.get("metadata")
    if isinstance(metadata, dict):
        document["metadata"] = {k: v for k, v in metadata.items() if k not in _SERVER_METADATA}
    relations = item.get("relations")
    if isinstance(relations, list):
        pairs = {
            (str(r["type"]), str(r["targetRef"]))
            for r in relations
            if isinstance(r, dict) and r.get("type") and r.get("targetRef")
        }
        document["relations"] = [{"type": t, "targetRef": ref} for t, ref in sorted(pairs)]
    return document


def ref_of(item: dict[str, Any]) -> EntityRef | None:
    """The entity's ref, or None when kind or name cannot be read."""
    metadata = item.get("metadata")
    kind = item.get("kind")
    if not isinstance(metadata, dict) or not isinstance(kind, str):
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace") or "default"
    if not isinstance(name, str) or not isinstance(namespace, str):
        return None
    return EntityRef.of(kind, namespace, name)


def location_of(item: dict[str, Any]) -> str | None:
    """``backstage.io/managed-by-location`` of an entity, when it has one."""
    metadata = item.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    value = annotations.get(MANAGED_BY_LOCATION) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) else None


def status_problems(item: dict[str, Any], ref: str) -> list[Problem]:
    """The errors and warnings Backstage's processing recorded on a served entity (it still
    serves the last version that processed)."""
    status = item.get("status")
    items = status.get("items") if isinstance(status, dict) else None
    problems = []
    for entry in items if isinstance(items, list) else []:
        if not isinstance(entry, dict) or entry.get("type") != _PROCESSING:
            continue
        level = entry.get("level")
        if level not in {"error", "warning"}:
            continue
        message = _text(entry.get("message")) or _error_text(entry.get("error")) or "no message"
        said = f"Backstage could not process it: {message}"
        problems.append(Problem(level, said, location_of(item), None, ref))
    return problems


def unprocessed_problem(state: dict[str, Any]) -> tuple[str, Problem] | None:
    """An entity of ``/entities/unprocessed/failed``: its ref and why Backstage failed on it."""
    ref = _text(state.get("entity_ref"))
    entity = state.get("unprocessed_entity")
    if not ref:
        parsed = ref_of(entity) if isinstance(entity, dict) else None
        ref = str(parsed) if parsed else ""
    if not ref:
        return None
    errors = state.get("errors")
    reasons = [_error_text(e) for e in errors] if isinstance(errors, list) else []
    reason = "; ".join(r for r in reasons if r) or "no reason given"
    where = (location_of(entity) if isinstance(entity, dict) else None) or _text(
        state.get("location_key")
    )
    message = f"Backstage could not process it, so it does not serve it: {reason}"
    return ref.lower(), Problem("error", message, where or None, None, ref.lower())


def _error_text(error: Any) -> str:
    if not isinstance(error, dict):
        return ""
    name, message = _text(error.get("name")), _text(error.get("message"))
    return f"{name}: {message}" if name and message else message or name


def _text(value: Any) -> str:
    return value[:1000] if isinstance(value, str) else ""
