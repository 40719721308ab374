"""Raw documents -> validated entities and the relations their specs emit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from catalog.errors import InvalidEntity, InvalidRef
from catalog.kinds import kind_schema
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
    """The relations a built-in kind's spec declares; refs default to the entity's namespace."""
    schema = kind_schema(entity.kind)
    if schema is None:
        return ()
    source = entity.ref
    edges: dict[Edge, None] = {}
    for ref_field in schema.refs:
        value = entity.spec.get(ref_field.field)
        if value is None:
            continue
        values = value if ref_field.many else [value]
        for i, text in enumerate(values):
            try:
                target = parse_ref(
                    text,
                    default_kind=ref_field.default_kind,
                    default_namespace=entity.metadata.namespace,
                )
            except InvalidRef as error:
                where = f"spec.{ref_field.field}" + (f"[{i}]" if ref_field.many else "")
                raise InvalidEntity(
                    f'"{where}" is not a valid reference: {error}',
                    field=where,
                    expected="[<kind>:][<namespace>/]<name>",
                    found=text,
                ) from None
            edges[canonical_edge(Edge(source, ref_field.relation, target))] = None
    return tuple(edges)


def _api_edges(entity: Entity) -> tuple[Edge, ...]:
    edges: dict[Edge, None] = {}
    for relation in entity.relations:
        try:
            target = parse_ref(relation.targetRef)
        except InvalidRef:
            continue
        edges[canonical_edge(Edge(entity.ref, relation.type, target))] = None
    return tuple(edges)
