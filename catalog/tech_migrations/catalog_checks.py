"""Checks on the catalog entry itself: annotations, spec fields, relations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from catalog.refs import EntityRef
from catalog.tech_migrations.check_model import CheckModel, Pattern, quote
from catalog.tech_migrations.facts import EntityFacts
from catalog.tech_migrations.outcome import CheckOutcome
from catalog.tech_migrations.patterns import PatternTimeout, first_match_line

__all__ = [
    "AnnotationEquals",
    "AnnotationExists",
    "AnnotationMatches",
    "RelationExists",
    "SpecEquals",
    "SpecMatches",
]

_KEY = Field(min_length=1, max_length=253)
_PASS = CheckOutcome.passed()


class AnnotationExists(CheckModel):
    """``metadata.annotations[key]`` is set and not blank."""

    type: Literal["annotation-exists"]
    key: str = _KEY

    def describe(self) -> str:
        return f"annotation {self.key} is set"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        value = facts.stored.entity.annotation(self.key)
        if value is None or not str(value).strip():
            return CheckOutcome.failed(f"annotation {self.key} is missing")
        return _PASS


class AnnotationEquals(CheckModel):
    """``metadata.annotations[key]`` is exactly ``value``."""

    type: Literal["annotation-equals"]
    key: str = _KEY
    value: str

    def describe(self) -> str:
        return f"annotation {self.key} is {quote(self.value)}"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        found = facts.stored.entity.annotation(self.key)
        if found is None:
            return CheckOutcome.failed(
                f"annotation {self.key} is missing; expected {quote(self.value)}"
            )
        if found != self.value:
            return CheckOutcome.failed(
                f"annotation {self.key} is {quote(found)}; expected {quote(self.value)}"
            )
        return _PASS


class AnnotationMatches(CheckModel):
    """``metadata.annotations[key]`` contains a match of ``pattern``."""

    type: Literal["annotation-matches"]
    key: str = _KEY
    pattern: Pattern

    def describe(self) -> str:
        return f"annotation {self.key} matches /{self.pattern}/"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        found = facts.stored.entity.annotation(self.key)
        if found is None:
            return CheckOutcome.failed(f"annotation {self.key} is missing")
        return _match(f"annotation {self.key}", str(found), self.pattern, facts)


def _spec_value(spec: dict[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = spec
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


class SpecEquals(CheckModel):
    """``spec.<field>`` (a dotted path) equals ``value``."""

    type: Literal["spec-equals"]
    field: str = _KEY
    value: Any

    def describe(self) -> str:
        return f"spec.{self.field} is {quote(self.value)}"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        present, found = _spec_value(facts.stored.entity.spec, self.field)
        if not present:
            return CheckOutcome.failed(
                f"spec.{self.field} is not set; expected {quote(self.value)}"
            )
        if found != self.value:
            return CheckOutcome.failed(
                f"spec.{self.field} is {quote(found)}; expected {quote(self.value)}"
            )
        return _PASS


class SpecMatches(CheckModel):
    """``spec.<field>`` (a dotted path) is text containing a match of ``pattern``."""

    type: Literal["spec-matches"]
    field: str = _KEY
    pattern: Pattern

    def describe(self) -> str:
        return f"spec.{self.field} matches /{self.pattern}/"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        present, found = _spec_value(facts.stored.entity.spec, self.field)
        if not present:
            return CheckOutcome.failed(f"spec.{self.field} is not set")
        if not isinstance(found, str | int | float) or isinstance(found, bool):
            return CheckOutcome.failed(f"spec.{self.field} is not text (found {quote(found)})")
        return _match(f"spec.{self.field}", str(found), self.pattern, facts)


class RelationExists(CheckModel):
    """The entity has a ``relation`` (e.g. ``partOf``) to an entity of ``target_kind`` that,
    unless ``target_must_exist`` is false, is in the catalog."""

    type: Literal["relation-exists"]
    relation: str = Field(min_length=1, max_length=63, pattern=r"^[A-Za-z][A-Za-z0-9]*$")
    target_kind: str | None = Field(default=None, min_length=1, max_length=63)
    target_must_exist: bool = True

    @field_validator("target_kind")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value

    def describe(self) -> str:
        kind = f" a {self.target_kind}" if self.target_kind else " an entity"
        return f"has a {self.relation} relation to{kind}"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        targets: list[EntityRef] = [
            t
            for t in facts.index.targets(facts.stored.ref, self.relation)
            if self.target_kind is None or t.kind == self.target_kind
        ]
        kind = f" a {self.target_kind}" if self.target_kind else " anything"
        if not targets:
            return CheckOutcome.failed(f"no {self.relation} relation to{kind}")
        if self.target_must_exist and not any(facts.index.exists(t) for t in targets):
            missing = ", ".join(t.short for t in targets[:3])
            return CheckOutcome.failed(f"{self.relation} {missing}, which is not in the catalog")
        return _PASS


def _match(what: str, text: str, pattern: str, facts: EntityFacts) -> CheckOutcome:
    try:
        line = first_match_line(pattern, text, timeout=facts.limits.regex_timeout)
    except PatternTimeout as error:
        return CheckOutcome.errored(f"{what}: {error}")
    if line is None:
        return CheckOutcome.failed(f"{what} ({quote(text)}) does not match /{pattern}/")
    return _PASS
