"""The entity envelope as pydantic models: shape only; the rules live in ``policies.py``.

The store keeps each document exactly as written; these models are the typed view of it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.errors import InvalidEntity
from catalog.refs import DEFAULT_NAMESPACE, EntityRef

__all__ = [
    "Entity",
    "EntityLink",
    "EntityMetadata",
    "EntityRelation",
    "describe_validation_error",
]


class EntityLink(BaseModel):
    """An external hyperlink of an entity."""

    model_config = ConfigDict(extra="allow", frozen=True)

    url: str
    title: str | None = None
    icon: str | None = None
    type: str | None = None


class EntityMetadata(BaseModel):
    """``metadata``: identity and descriptive fields; unknown keys are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    namespace: str = DEFAULT_NAMESPACE
    title: str | None = None
    description: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    links: list[EntityLink] = Field(default_factory=list)
    uid: str | None = None
    etag: str | None = None


class EntityRelation(BaseModel):
    """One relation as Backstage's API returns it (only ``targetRef``; ``target`` is gone)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str
    targetRef: str


class Entity(BaseModel):
    """A catalog entity: ``apiVersion``, ``kind``, ``metadata``, ``spec`` (+ API-only fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    apiVersion: str
    kind: str
    metadata: EntityMetadata
    spec: dict[str, Any] = Field(default_factory=dict)
    relations: list[EntityRelation] = Field(default_factory=list)
    status: dict[str, Any] | None = None

    @property
    def ref(self) -> EntityRef:
        """This entity's canonical ref."""
        return EntityRef.of(self.kind, self.metadata.namespace, self.metadata.name)

    @property
    def display_name(self) -> str:
        """The title if there is one, else the name."""
        return self.metadata.title or self.metadata.name

    def annotation(self, key: str) -> str | None:
        """An annotation's value, or None."""
        return self.metadata.annotations.get(key)

    def spec_str(self, key: str) -> str | None:
        """A string field of the spec, or None when absent or not a string."""
        value = self.spec.get(key)
        return value if isinstance(value, str) else None


_TYPE_WORDS = {
    "string_type": "a string",
    "dict_type": "an object",
    "list_type": "a list",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "int_type": "an integer",
    "bool_type": "a boolean",
    "string_too_short": "a non-empty string",
    "too_short": "a non-empty list",
}


def describe_validation_error(error: ValidationError, *, prefix: str = "") -> InvalidEntity:
    """The first problem pydantic found, as an InvalidEntity naming the field and what it wanted."""
    first = error.errors(include_url=False)[0]
    path = ".".join(str(p) for p in (*(prefix.split(".") if prefix else ()), *first["loc"]))
    kind = first["type"]
    if kind == "missing":
        return InvalidEntity(f'"{path}" is required', field=path, expected="a value")
    if kind == "extra_forbidden":
        return InvalidEntity(
            f'Unknown field "{path}"; an entity has only apiVersion, kind, metadata and spec',
            field=path,
            found=path,
        )
    if kind == "value_error":
        reason = first["msg"].removeprefix("Value error, ")
        return InvalidEntity(f'"{path}" is not valid: {reason}', field=path, expected=reason)
    expected = _TYPE_WORDS.get(kind, first["msg"][:1].lower() + first["msg"][1:])
    found = first.get("input")
    return InvalidEntity(
        f'"{path}" must be {expected}, found {_short(found)}',
        field=path,
        expected=expected,
        found=found,
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
