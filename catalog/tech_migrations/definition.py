"""A migration definition as written in YAML: what it is, which entities it covers, the checks
they must all pass, and (opt-in) how often to nudge the teams that are not done."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalog.errors import InvalidRef
from catalog.refs import parse_ref
from catalog.tech_migrations.catalog_checks import (
    AnnotationEquals,
    AnnotationExists,
    AnnotationMatches,
    RelationExists,
    SpecEquals,
    SpecMatches,
)
from catalog.tech_migrations.custom_checks import CustomCheck
from catalog.tech_migrations.repository_checks import (
    FileAbsent,
    FileExists,
    FileMatches,
    FileNotMatches,
)
from catalog.tech_migrations.settings import QUALITY_SUBJECT

__all__ = ["Check", "MigrationDefinition", "Nudges", "Scope", "ScopeExclude"]

Check = Annotated[
    AnnotationExists
    | AnnotationEquals
    | AnnotationMatches
    | SpecEquals
    | SpecMatches
    | RelationExists
    | FileExists
    | FileAbsent
    | FileMatches
    | FileNotMatches
    | CustomCheck,
    Field(discriminator="type"),
]

_Words = list[Annotated[str, Field(min_length=1, max_length=255)]]


def _refs(values: list[str], default_kind: str) -> list[str]:
    try:
        return [str(parse_ref(v, default_kind=default_kind)) for v in values]
    except InvalidRef as error:
        raise ValueError(str(error)) from None


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: _Words = []
    types: _Words = []
    lifecycles: _Words = []
    tags: _Words = []
    systems: list[str] = Field(default=[], description="system refs (kind system by default)")
    owners: list[str] = Field(default=[], description="group refs; their sub-groups count too")

    @field_validator("kinds", "types", "lifecycles", "tags")
    @classmethod
    def _lowercase(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]

    @field_validator("systems")
    @classmethod
    def _systems(cls, values: list[str]) -> list[str]:
        return _refs(values, "system")

    @field_validator("owners")
    @classmethod
    def _owners(cls, values: list[str]) -> list[str]:
        return _refs(values, "group")


class ScopeExclude(_Filter):
    """Entities matching any one of these keys are left out; ``refs`` names them one by one."""

    refs: list[str] = Field(default=[], description="entity refs (kind component by default)")

    @field_validator("refs")
    @classmethod
    def _entity_refs(cls, values: list[str]) -> list[str]:
        return _refs(values, "component")


class Scope(_Filter):
    """Which entities the migration covers: every key given must match (any of its values)."""

    kinds: _Words = ["component"]
    exclude: ScopeExclude = ScopeExclude()


_INTERVAL = re.compile(r"^(\d{1,4})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class Nudges(BaseModel):
    """Remind owning teams of what is left, at most once per ``interval`` (like ``7d``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    interval: str = Field(default="7d", description="a number and h, d or w, at least 1h")
    send_to: Literal["members", "channel"] = "members"

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        match = _INTERVAL.match(value.strip())
        if not match or int(match.group(1)) < 1:
            raise ValueError("must be a number and a unit, like 12h, 7d or 2w")
        return value.strip()

    @property
    def every(self) -> timedelta:
        """The interval as a timedelta."""
        match = _INTERVAL.match(self.interval)
        assert match is not None
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class MigrationDefinition(BaseModel):
    """One tech migration: every entity in ``scope`` must pass all ``checks``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="lowercase, digits, -")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    owner: str = Field(description="the group driving the migration")
    deadline: date | None = None
    scope: Scope = Scope()
    checks: list[Check] = Field(min_length=1)
    nudges: Nudges | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value == QUALITY_SUBJECT:
            raise ValueError(
                f"{QUALITY_SUBJECT!r} names the catalog-quality digest; choose another id"
            )
        return value

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return _refs([value], "group")[0]

    @property
    def relation_types(self) -> set[str]:
        """Relations the checks and scope need, loaded in bulk before evaluating."""
        needed = {c.relation for c in self.checks if isinstance(c, RelationExists)}
        if self.scope.systems or self.scope.exclude.systems:
            needed.add("partOf")
        return needed
