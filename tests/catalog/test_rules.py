"""Catalog rules: which kinds a source may define, with Backstage's matching semantics."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from catalog import Entity
from catalog.errors import KindNotAllowed
from catalog.rules import CatalogRule, CatalogRules
from catalog.sources import FileReader, Origin
from catalog.yaml_reader import YamlLimits


def entity(kind: str, spec_type: str | None = None) -> Entity:
    spec = {"type": spec_type} if spec_type else {}
    document = {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": "x"}}
    return Entity.model_validate(document | {"spec": spec})


def rules(*allow: Any) -> list[CatalogRule]:
    return [CatalogRule.model_validate({"allow": list(allow)})]


@pytest.mark.parametrize("kind", ["Component", "API", "System", "Template", "AiResource"])
def test_by_default_every_source_may_define_every_kind_but_people_and_teams(kind: str) -> None:
    assert CatalogRules().for_source("any").allows(entity(kind))


@pytest.mark.parametrize("kind", ["User", "Group", "user", "GROUP"])
def test_by_default_no_source_may_define_users_or_groups_in_any_spelling(kind: str) -> None:
    assert not CatalogRules().for_source("any").allows(entity(kind))


def test_a_sources_own_rules_add_to_the_global_ones() -> None:
    configured = CatalogRules.of(None, [("org", rules("User", "Group"))])
    assert configured.for_source("org").allows(entity("User"))
    assert configured.for_source("org").allows(entity("Component"))
    assert not configured.for_source("repos").allows(entity("User"))


def test_global_rules_replace_the_default_as_in_backstage() -> None:
    configured = CatalogRules.of(rules("Component", "api"), [("org", rules("User"))])
    repos = configured.for_source("repos")
    assert repos.allows(entity("Component")) and repos.allows(entity("API"))  # any case
    assert not repos.allows(entity("System"))
    assert configured.for_source("org").allows(entity("User"))
    nothing = CatalogRules.of([], [("org", rules("Group"))])
    assert not nothing.for_source("repos").allows(entity("Component"))
    assert nothing.for_source("org").allows(entity("Group"))


def test_a_rule_may_name_a_spec_type_which_must_match_exactly() -> None:
    only_databases = CatalogRules.of(rules({"kind": "Resource", "spec.type": "database"}))
    repos = only_databases.for_source("repos")
    assert repos.allows(entity("Resource", "database"))
    assert not repos.allows(entity("Resource", "Database"))
    assert not repos.allows(entity("Resource"))


def test_what_a_broken_file_may_keep_is_judged_by_kind_alone() -> None:
    trusted = CatalogRules.of(None, [("org", rules({"kind": "User", "spec.type": "staff"}))])
    assert trusted.for_source("org").allows_kind("user")
    assert trusted.for_source("org").allows_kind("component")
    assert not trusted.for_source("repos").allows_kind("group")
    assert not CatalogRules.of(rules("Component")).for_source("repos").allows_kind("system")


def test_a_refusal_names_the_entity_the_source_and_what_it_may_define() -> None:
    repos = CatalogRules.of(None, [("org", rules("User", "Group"))]).for_source("repos")
    with pytest.raises(KindNotAllowed) as caught:
        repos.enforce(entity("User"))
    message = caught.value.message
    assert message.startswith("Entity user:default/x is not of an allowed kind for source 'repos'")
    assert "every kind except User and Group" in message
    assert "rules: [{allow: [User, Group]}]" in message
    assert caught.value.field == "kind" and caught.value.found == "User"
    strict = CatalogRules.of(rules("Component", {"kind": "Resource", "spec.type": "db"}))
    with pytest.raises(KindNotAllowed, match=r"may define Component, Resource \(spec.type db\)"):
        strict.for_source("repos").enforce(entity("System"))


def test_the_fingerprint_follows_the_rules_that_hold_for_the_source() -> None:
    default = CatalogRules().for_source("repos").fingerprint
    assert CatalogRules().for_source("repos").fingerprint == default
    trusted = CatalogRules.of(None, [("repos", rules("User"))]).for_source("repos")
    assert trusted.fingerprint != default
    assert CatalogRules.of([]).for_source("repos").fingerprint != default


@pytest.mark.parametrize(
    "bad",
    [{"allow": [{"kind": "User", "type": "x"}]}, {"allow": [""]}, {"deny": ["User"]}],
)
def test_malformed_rules_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CatalogRule.model_validate(bad)


def test_a_refused_entity_is_not_kept_while_an_invalid_one_keeps_its_last_version() -> None:
    text = b"""\
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: mallory}
spec: {memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: broken}
spec: {type: service}
"""
    reader = FileReader({}, YamlLimits(), rules=CatalogRules().for_source("repos"))
    scanned = reader.read("c.yaml", text, origin=Origin("repos", "file:c.yaml"), root=None)
    assert scanned.entities == [] and scanned.refs == []
    assert scanned.kept_refs == ["component:default/broken"]
    assert [(p.line, p.ref, p.field) for p in scanned.problems] == [
        (1, "user:default/mallory", "kind"),
        (6, "component:default/broken", "spec.lifecycle"),
    ]
