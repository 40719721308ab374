"""Backstage's validation rules as policies: ``enforce(entity)`` returns the entity or raises.

The default pipeline (``DEFAULT_POLICY``) is field formats, then the kind's own spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pydantic import ValidationError

from catalog import validation as v
from catalog.errors import InvalidEntity
from catalog.kinds import kind_schema
from catalog.model import Entity, describe_validation_error

__all__ = [
    "DEFAULT_POLICY",
    "AllOfPolicy",
    "EntityPolicy",
    "FieldFormatPolicy",
    "KindSpecPolicy",
    "all_of",
]


class EntityPolicy(Protocol):
    """One rule or set of rules about entities."""

    def enforce(self, entity: Entity) -> Entity:
        """Return the entity (possibly a fixed copy), or raise InvalidEntity."""
        ...


def _invalid(field: str, rule: str, found: object) -> InvalidEntity:
    expected = v.EXPECTED[rule]
    return InvalidEntity(
        f'"{field}" is not valid; expected {expected} but found {found!r}',
        field=field,
        expected=expected,
        found=found,
    )


class FieldFormatPolicy:
    """apiVersion, kind, names, namespaces, labels, annotations, tags and link URLs."""

    def enforce(self, entity: Entity) -> Entity:
        if not v.is_valid_api_version(entity.apiVersion):
            raise _invalid("apiVersion", "apiVersion", entity.apiVersion)
        if not v.is_valid_kind(entity.kind):
            raise _invalid("kind", "kind", entity.kind)
        meta = entity.metadata
        if not v.is_valid_entity_name(meta.name):
            raise _invalid("metadata.name", "name", meta.name)
        if not v.is_valid_namespace(meta.namespace):
            raise _invalid("metadata.namespace", "namespace", meta.namespace)
        for key, value in meta.labels.items():
            if not v.is_valid_label_key(key):
                raise _invalid("metadata.labels", "label key", key)
            if not v.is_valid_label_value(value):
                raise _invalid(f"metadata.labels.{key}", "label value", value)
        for key in meta.annotations:
            if not v.is_valid_annotation_key(key):
                raise _invalid("metadata.annotations", "annotation key", key)
        for i, tag in enumerate(meta.tags):
            if not v.is_valid_tag(tag):
                raise _invalid(f"metadata.tags[{i}]", "tag", tag)
        for i, link in enumerate(meta.links):
            if not v.is_valid_url(link.url):
                raise _invalid(f"metadata.links[{i}].url", "url", link.url)
        return entity


class KindSpecPolicy:
    """A built-in kind must use one of its apiVersions and have a valid spec."""

    def enforce(self, entity: Entity) -> Entity:
        schema = kind_schema(entity.kind)
        if schema is None:
            return entity
        if entity.kind != schema.kind:
            raise InvalidEntity(
                f"Unknown kind {entity.kind!r}; built-in kinds are matched case-sensitively, "
                f"did you mean {schema.kind!r}?",
                field="kind",
                expected=schema.kind,
                found=entity.kind,
            )
        if entity.apiVersion not in schema.api_versions:
            expected = " or ".join(sorted(schema.api_versions))
            raise InvalidEntity(
                f"Unknown apiVersion {entity.apiVersion!r} for kind {schema.kind}; "
                f"expected {expected}",
                field="apiVersion",
                expected=expected,
                found=entity.apiVersion,
            )
        try:
            schema.spec_model(entity.spec).model_validate(entity.spec)
        except ValidationError as error:
            raise describe_validation_error(error, prefix="spec") from None
        return entity


class AllOfPolicy:
    """Every policy in turn."""

    def __init__(self, policies: Iterable[EntityPolicy]) -> None:
        self.policies = tuple(policies)

    def enforce(self, entity: Entity) -> Entity:
        for policy in self.policies:
            entity = policy.enforce(entity)
        return entity


def all_of(*policies: EntityPolicy) -> AllOfPolicy:
    """Compose policies; the first to object wins."""
    return AllOfPolicy(policies)


DEFAULT_POLICY = all_of(FieldFormatPolicy(), KindSpecPolicy())
