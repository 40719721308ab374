"""Which kinds each source may define: Backstage's ``catalog.rules``, per source.

An entity is allowed when a global rule (``catalog.rules``) or one of its own source's rules
(``catalog.sources[].rules``) allows its kind, and, when the rule names one, its ``spec.type``.
Kinds compare case-insensitively and ``spec.type`` exactly, as in Backstage. Every file a source
reads is judged by that source's rules, Location targets included (Backstage judges an entity by
the location it originated from).

Without ``catalog.rules`` the global rule allows every kind except User and Group. People and
teams decide who greenroom thinks a Slack user is, who its admins are and which team someone
may act for, so they come only from the sources the operator marks for them, e.g.
``rules: [{allow: [User, Group]}]`` on the org chart's source. Backstage's own default is
stricter (Component, API and Location only); greenroom keeps the other kinds open so existing
catalogs load unchanged, and is as strict as Backstage where it matters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.errors import KindNotAllowed
from catalog.model import Entity

__all__ = [
    "IDENTITY_KINDS",
    "CatalogRule",
    "CatalogRules",
    "KindMatcher",
    "SourceRules",
]

#: Kinds that say who people are and which teams they belong to (lowercase).
IDENTITY_KINDS = frozenset({"user", "group"})


class KindMatcher(BaseModel):
    """One allowed kind, optionally narrowed to one ``spec.type`` (``Template`` or
    ``{kind: Template, spec.type: website}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: str = Field(min_length=1, max_length=63, description="e.g. Component, User")
    spec_type: str | None = Field(
        default=None, alias="spec.type", description="only entities of this spec.type"
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_kind(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value

    def matches(self, entity: Entity) -> bool:
        """Whether the entity is of this kind (and spec.type, when given)."""
        if entity.kind.lower() != self.kind.lower():
            return False
        return self.spec_type is None or entity.spec.get("type") == self.spec_type

    def __str__(self) -> str:
        return f"{self.kind} (spec.type {self.spec_type})" if self.spec_type else self.kind


class CatalogRule(BaseModel):
    """``{allow: [Component, API, ...]}``: the kinds a rule lets in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow: list[KindMatcher] = Field(
        description="kinds it lets in: Kind, or {kind: Kind, spec.type: type}"
    )

    def allows(self, entity: Entity) -> bool:
        """Whether one of the rule's matchers takes the entity."""
        return any(m.matches(entity) for m in self.allow)


class SourceRules:
    """The rules that hold for one source, as an entity policy (see catalog/policies.py)."""

    def __init__(
        self, source: str, own: Sequence[CatalogRule], global_rules: Sequence[CatalogRule] | None
    ) -> None:
        self.source = source
        self._rules = (*own, *(global_rules or ()))
        self._default = global_rules is None
        described = {
            "default": self._default,
            "rules": [r.model_dump(by_alias=True) for r in self._rules],
        }
        text = json.dumps(described, sort_keys=True)
        #: changes whenever the rules do, so files judged under other rules are read again
        self.fingerprint = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def allows(self, entity: Entity) -> bool:
        """Whether this source may define the entity."""
        if self._default and entity.kind.lower() not in IDENTITY_KINDS:
            return True
        return any(rule.allows(entity) for rule in self._rules)

    def allows_kind(self, kind: str) -> bool:
        """Whether some entity of ``kind`` may come from this source (for what a broken file
        keeps, where only the ref's kind is known)."""
        if self._default and kind.lower() not in IDENTITY_KINDS:
            return True
        return any(m.kind.lower() == kind.lower() for rule in self._rules for m in rule.allow)

    def enforce(self, entity: Entity) -> Entity:
        """The entity, or KindNotAllowed (the entity is refused, not kept)."""
        if self.allows(entity):
            return entity
        allowed = self._allowed_kinds()
        message = (
            f"Entity {entity.ref} is not of an allowed kind for source {self.source!r}; "
            f"it may define {allowed}"
        )
        if entity.kind.lower() in IDENTITY_KINDS:
            message += (
                f". {entity.kind} entities come only from sources trusted for people and "
                "teams (a source's rules in greenroom.yaml, e.g. rules: [{allow: [User, Group]}])"
            )
        raise KindNotAllowed(message, field="kind", expected=allowed, found=entity.kind)

    def _allowed_kinds(self) -> str:
        kinds = list(dict.fromkeys(str(m) for rule in self._rules for m in rule.allow))
        if self._default:
            kinds.insert(0, "every kind except User and Group")
        return ", ".join(kinds) if kinds else "no kinds at all"


@dataclass(frozen=True)
class CatalogRules:
    """Global rules (None: greenroom's default) and each source's own rules, by source name."""

    global_rules: tuple[CatalogRule, ...] | None = None
    by_source: Mapping[str, tuple[CatalogRule, ...]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        global_rules: Iterable[CatalogRule] | None,
        sources: Iterable[tuple[str, Iterable[CatalogRule]]] = (),
    ) -> CatalogRules:
        """Rules from configuration: ``catalog.rules`` and (name, rules) of each source."""
        own = {name: tuple(rules) for name, rules in sources if rules}
        return cls(None if global_rules is None else tuple(global_rules), own)

    def for_source(self, source: str) -> SourceRules:
        """What ``source`` may define: its own rules plus the global ones."""
        return SourceRules(source, self.by_source.get(source, ()), self.global_rules)
