"""Catalog checks on the test company: annotations, spec fields, relations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog import Catalog

from .conftest import verdicts


def test_annotation_exists_fails_with_the_missing_key(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([{"type": "annotation-exists", "key": "backstage.io/techdocs-ref"}])
    found = verdicts(catalog, migration)
    assert found["payments-api"] == ("pass", [])
    assert found["checkout"] == ("pass", [])
    assert found["ledger"] == ("fail", ["annotation backstage.io/techdocs-ref is missing"])


def test_annotation_equals_shows_what_was_found(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration(
        [{"type": "annotation-equals", "key": "backstage.io/techdocs-ref", "value": "dir:."}],
        scope={"kinds": ["component"], "types": ["service"], "tags": ["python"]},
    )
    found = verdicts(catalog, migration)
    assert found["search"][0] == "pass"
    assert found["ledger"] == (
        "fail",
        ['annotation backstage.io/techdocs-ref is missing; expected "dir:."'],
    )
    other = make_migration(
        [{"type": "annotation-equals", "key": "backstage.io/kubernetes-id", "value": "payments"}]
    )
    assert verdicts(catalog, other)["payments-api"] == (
        "fail",
        ['annotation backstage.io/kubernetes-id is "x"; expected "payments"'],
    )


def test_annotation_matches_uses_the_regex(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration(
        [{"type": "annotation-matches", "key": "backstage.io/techdocs-ref", "pattern": "^dir:"}]
    )
    found = verdicts(catalog, migration)
    assert found["checkout"][0] == "pass"
    strict = make_migration(
        [{"type": "annotation-matches", "key": "backstage.io/techdocs-ref", "pattern": "^url:"}]
    )
    assert verdicts(catalog, strict)["checkout"] == (
        "fail",
        ['annotation backstage.io/techdocs-ref ("dir:.") does not match /^url:/'],
    )


def test_spec_field_equals_and_matches(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    equals = make_migration([{"type": "spec-equals", "field": "lifecycle", "value": "production"}])
    found = verdicts(catalog, equals)
    assert found["search"][0] == "pass"
    assert found["legacy-search"] == (
        "fail",
        ['spec.lifecycle is "deprecated"; expected "production"'],
    )
    matches = make_migration([{"type": "spec-matches", "field": "owner", "pattern": "-squad$"}])
    found = verdicts(catalog, matches)
    assert found["checkout"][0] == "pass"
    assert found["ledger"] == ("fail", ['spec.owner ("payments-core") does not match /-squad$/'])
    nested = make_migration([{"type": "spec-equals", "field": "profile.tier", "value": 1}])
    assert verdicts(catalog, nested)["search"] == (
        "fail",
        ["spec.profile.tier is not set; expected 1"],
    )


def test_relation_exists_needs_a_system_and_an_owner_that_exists(
    catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration(
        [
            {"type": "relation-exists", "relation": "partOf", "target_kind": "system"},
            {"type": "relation-exists", "relation": "ownedBy", "title": "owner exists"},
        ],
        scope={"kinds": ["component"]},
    )
    found = verdicts(catalog, migration)
    assert found["payments-api"] == ("pass", [])
    assert found["search"] == ("fail", ["no partOf relation to a system"])
    assert found["gateway"] == (
        "fail",
        [
            "no partOf relation to a system",
            "ownedBy group:ghost-team, which is not in the catalog",
        ],
    )
    assert found["toolbox"][1] == ["no partOf relation to a system"]


def test_scope_filters_and_exclusions(catalog: Catalog, company: Path, make_migration: Any) -> None:
    check = [{"type": "annotation-exists", "key": "backstage.io/techdocs-ref"}]
    by_type = make_migration(check, scope={"types": ["service"]})
    assert set(verdicts(catalog, by_type)) == {
        "payments-api",
        "ledger",
        "checkout",
        "search",
        "legacy-search",
        "toolbox",
        "gateway",
    }
    narrowed = make_migration(
        check,
        scope={
            "types": ["service"],
            "tags": ["python"],
            "owners": ["shopping-tribe"],
            "exclude": {"lifecycles": ["deprecated"], "refs": ["component:search"]},
        },
    )
    assert set(verdicts(catalog, narrowed)) == {"checkout"}
    by_system = make_migration(check, scope={"systems": ["payments"]})
    assert set(verdicts(catalog, by_system)) == {"payments-api", "ledger"}
    groups = make_migration(check, scope={"kinds": ["Group"], "lifecycles": []})
    assert len(verdicts(catalog, groups)) == 6
    exclude_owner = make_migration(
        check, scope={"types": ["service"], "exclude": {"owners": ["payments-tribe"]}}
    )
    assert "ledger" not in verdicts(catalog, exclude_owner)
