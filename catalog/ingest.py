"""Raw documents -> validated entities and the relations their specs emit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from catalog.errors import InvalidEntity, InvalidRef
from catalog.kinds import COMMON_REFS, RefField, kind_schema
from catalog.model import Entity, describe_validation_error
from catalog.policies import DEFAULT_POLICY, EntityPolicy
from catalog.refs import parse_ref
from catalog.relations import Edge, canonical_edge

__all__ = ["ParsedEntity", "emit_edges", "parse_entity"]

_FILE_ROOT_KEYS = frozenset({"apiVersion", "kind", "metadata", "spec"})
_API_ROOT_KEYS = _FILE_ROOT_KEYS | {"relations", "status"}


@dataclass(frozen=True, slots=True)
class ParsedEntity:
    """A valid entity, the document exactly as written, and its relations (canonical direction)."""

    entity: Entity
    document: dict[str, Any]
    edges: tuple[Edge, ...]


def parse_entity(
    document: Any,
    *,
    from_api: bool = False,
    policy: EntityPolicy = DEFAULT_POLICY,
) -> ParsedEntity:
    """Validate one document as Backstage would; ``from_api`` accepts ``relations``/``status``."""
    if not isinstance(document, dict):
        found = type(document).__name__ if document is not None else "null"
        raise InvalidEntity(f"Expected object at root, found {found}", expected="an object")
    allowed = _API_ROOT_KEYS if from_api else _FILE_ROOT_KEYS
    for key in document:
        if key not in allowed:
            raise InvalidEntity(f"Unknown field {key}", field=str(key), found=key)
    try:
        entity = Entity.model_validate(document)
    except ValidationError as error:
        raise describe_validation_error(error) from None
    entity = policy.enforce(entity)
    edges = _api_edges(entity) if from_api else emit_edges(entity)
    return ParsedEntity(entity, document, edges)


def emit_edges(entity: Entity) -> tuple[Edge, ...]:
    """The relations an entity's spec declares; refs default to the entity's namespace.

    A kind without a schema of its own emits what Backstage's common fields imply
    (``COMMON_REFS``), checked as strictly as a built-in kind's.
    """
    schema = kind_schema(entity.kind)
    fields = schema.ref_fields(entity.spec) if schema is not None else COMMON_REFS
    source = entity.ref
    edges: dict[Edge, None] = {}
    for ref_field in fields:
        for where, text in _ref_values(entity, ref_field):
            try:
                target = parse_ref(
                    text,
                    default_kind=ref_field.default_kind,
                    default_namespace=entity.metadata.namespace,
                )
            except InvalidRef as error:
                raise InvalidEntity(
                    f'"{where}" is not a valid reference: {error}',
                    field=where,
                    expected="[<kind>:][<namespace>/]<name>",
                    found=text,
                ) from None
            edges[canonical_edge(Edge(source, ref_field.relation, target))] = None
    return tuple(edges)


def _ref_values(entity: Entity, ref_field: RefField) -> list[tuple[str, str]]:
    """``(field path, ref text)`` of each value; the type is checked here for kinds whose spec
    no model validated."""
    where = f"spec.{ref_field.field}"
    value = entity.spec.get(ref_field.field)
    if value is None:
        return []
    if not ref_field.many:
        if not isinstance(value, str):
            raise _wrong_type(where, "a string", value)
        return [(where, value)]
    if not isinstance(value, list):
        raise _wrong_type(where, "a list of references", value)
    found = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _wrong_type(f"{where}[{i}]", "a string", item)
        found.append((f"{where}[{i}]", item))
    return found


def _wrong_type(where: str, expected: str, found: object) -> InvalidEntity:
    shown = repr(found) if len(repr(found)) <= 80 else repr(found)[:77] + "..."
    return InvalidEntity(
        f'"{where}" must be {expected}, found {shown}', field=where, expected=expected, found=found
    )


def _api_edges(entity: Entity) -> tuple[Edge, ...]:
    edges: dict[Edge, None] = {}
    for relation in entity.relations:
        try:
            target = parse_ref(relation.targetRef)
        except InvalidRef:
            continue
        edges[canonical_edge(Edge(entity.ref, relation.type, target))] = None
    return tuple(edges)
