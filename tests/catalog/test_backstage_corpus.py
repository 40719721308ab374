"""Backstage's own example catalog, ingested the way Backstage does: same refs, relations, errors.

Where greenroom deliberately differs it is said here: Backstage drops the whole `example-apis`
Location when one target is missing; greenroom loads the eight APIs that exist and reports the
missing one on that Location. As in Backstage's own app-config, only the org location
(`acme-corp.yaml`) may define Users and Groups (catalog rules).

Backstage 4.0.0 (catalog-backend, with the ai-model module) serving these files was compared
with greenroom: 57 entities and 129 relations (the sum of every entity's ``relations``).
Without the APIs Backstage lost, greenroom's file sync holds exactly those 129.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog, Relation, parse_ref
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.rules import CatalogRule, CatalogRules
from catalog.sources import LocationSource
from catalog.sync import SyncReport, sync_catalog
from catalog.sync_options import SyncOptions
from tests.catalog.corpus_served import relation_entries

# What Backstage 4.0.0 serves from these files (SOURCE.md), minus its per-registration
# Locations, plus the APIs it lost to the missing target.
BACKSTAGE_SERVES = {
    "airesource": 2,
    "component": 13,
    "domain": 3,
    "group": 8,
    "resource": 1,
    "system": 3,
    "user": 17,
    "location": 8,
}
EXTRA_APIS = {
    "backstage-mcp-server",
    "hello-world-trpc",
    "petstore",
    "petstore-webhook",
    "spotify",
    "streetlights",
    "starwars-graphql",
    "wayback-archive",
    "wayback-search",
}
RULES = CatalogRules.of(None, [("acme", [CatalogRule(allow=["User", "Group"])])])


@pytest.fixture
def synced(engine: Engine, corpus_dir: Path) -> SyncReport:
    return sync_catalog(
        engine,
        [
            LocationSource("examples", corpus_dir / "all.yaml", root=corpus_dir),
            LocationSource("acme", corpus_dir / "acme-corp.yaml", root=corpus_dir),
        ],
        SyncOptions(rules=RULES),
    )


def test_the_same_entities_as_backstage_plus_the_apis_it_lost(
    synced: SyncReport, catalog: Catalog
) -> None:
    counts = catalog.count_by_kind()
    apis = counts.pop("api")
    locations = counts.pop("location")
    assert counts == {k: v for k, v in BACKSTAGE_SERVES.items() if k != "location"}
    assert locations == 9  # the 8 in the files plus example-all registered as a root
    assert {e.ref.name for e in catalog.entities(kinds=["api"])} == EXTRA_APIS
    assert apis == len(EXTRA_APIS)


def test_the_only_error_is_the_missing_target_on_its_location(synced: SyncReport) -> None:
    errors = [p for s in synced.sources for p in s.errors]
    assert len(errors) == 1
    assert errors[0].file == "all-apis.yaml" and errors[0].line == 1
    assert errors[0].ref == "location:default/example-apis"
    assert "target ./apis/hello-world-api.yaml does not exist" in errors[0].message
    assert synced.status == "ok"


def test_remote_placeholders_are_reported_local_ones_inlined(
    synced: SyncReport, catalog: Catalog
) -> None:
    warned = {p.ref for s in synced.sources for p in s.warnings}
    assert warned == {
        "api:default/spotify",
        "api:default/wayback-archive",
        "api:default/wayback-search",
    }
    webhook = catalog.get("api:petstore-webhook")
    assert webhook is not None
    assert webhook.entity.spec["definition"].startswith("openapi: 3.1.0")


def test_dangling_refs_are_the_ones_backstage_shows(synced: SyncReport) -> None:
    assert {(d.declared_by, d.type, d.missing) for d in synced.dangling} == {
        ("component:default/petstore", "providesApi", "api:default/hello-world"),
        ("component:default/playback-order", "ownedBy", "group:default/guest"),
    }


@pytest.mark.parametrize(
    ("ref", "relation", "target"),
    [
        ("component:artist-lookup", "ownedBy", "group:default/team-a"),
        ("component:artist-lookup", "partOf", "system:default/artist-engagement-portal"),
        ("component:artist-lookup", "dependsOn", "resource:default/artists-db"),
        ("resource:artists-db", "dependencyOf", "component:default/artist-lookup"),
        ("component:wayback-archive-ingestion", "partOf", "component:default/wayback-archive"),
        ("component:wayback-archive", "hasPart", "component:default/wayback-archive-ingestion"),
        ("component:wayback-search", "consumesApi", "api:default/wayback-archive"),
        ("api:wayback-archive", "apiConsumedBy", "component:default/wayback-search"),
        ("api:wayback-archive", "apiProvidedBy", "component:default/wayback-archive"),
        ("domain:playback", "ownedBy", "user:default/frank.tiernan"),
        ("user:frank.tiernan", "ownerOf", "domain:default/playback"),
        ("domain:artists", "partOf", "domain:default/audio"),
        ("system:podcast", "partOf", "domain:default/playback"),
        ("group:team-a", "childOf", "group:default/backstage"),
        ("group:backstage", "parentOf", "group:default/team-a"),
        ("group:acme-corp", "parentOf", "group:default/infrastructure"),
        ("group:team-a", "hasMember", "user:default/breanna.davison"),
        ("user:development/guest", "memberOf", "group:default/team-a"),
        ("group:team-a", "hasMember", "user:development/guest"),
        ("component:searcher", "ownedBy", "user:default/guest"),
        ("component:petstore", "providesApi", "api:default/hello-world"),
    ],
)
def test_relations_match_backstage(
    synced: SyncReport, catalog: Catalog, ref: str, relation: str, target: str
) -> None:
    assert (relation, parse_ref(target)) in {(r.type, r.target) for r in catalog.relations(ref)}


def test_ai_resources_relate_as_the_ai_model_module_says(
    synced: SyncReport, catalog: Catalog
) -> None:
    assert catalog.relations("airesource:frontend-design") == [
        Relation("ownedBy", parse_ref("group:default/team-a")),
        Relation("partOf", parse_ref("system:default/artist-engagement-portal")),
    ]
    parts = catalog.relations("system:artist-engagement-portal", types={"hasPart"})
    assert {str(r.target) for r in parts} >= {
        "airesource:default/frontend-design",
        "airesource:default/use-internal-apis",
    }
    owned = catalog.relations("group:team-a", types={"ownerOf"})
    assert parse_ref("airesource:default/use-internal-apis") in {r.target for r in owned}


def test_an_ai_resource_has_an_owner_to_ask(synced: SyncReport, catalog: Catalog) -> None:
    stored = find_entity(catalog, "frontend-design")
    answer = owner_of(catalog, stored)
    assert answer.team is not None and answer.team.ref == parse_ref("group:team-a")
    assert answer.system is not None and answer.system.ref.name == "artist-engagement-portal"


def test_relations_without_the_lost_apis_are_the_129_backstage_serves(
    synced: SyncReport, catalog: Catalog
) -> None:
    served = {
        str(e.ref)
        for e in catalog.entities()
        if e.ref.kind != "api" and str(e.ref) != "location:default/example-apis"
    }
    assert len(served) + 2 == 57  # Backstage adds a Location per registered entry file
    assert relation_entries(catalog, served) == 129


def test_users_in_a_group_are_members_both_ways(synced: SyncReport, catalog: Catalog) -> None:
    members = {r.target.name for r in catalog.relations("group:team-b", types={"hasMember"})}
    assert members == {
        "amelia.park",
        "colette.brock",
        "jenny.doe",
        "jonathon.page",
        "justine.barrow",
    }


def test_resync_of_the_corpus_changes_nothing(
    engine: Engine, synced: SyncReport, corpus_dir: Path
) -> None:
    again = sync_catalog(
        engine,
        [
            LocationSource("examples", corpus_dir / "all.yaml", root=corpus_dir),
            LocationSource("acme", corpus_dir / "acme-corp.yaml", root=corpus_dir),
        ],
        SyncOptions(rules=RULES),
    )
    assert all(not (s.added or s.updated or s.removed) for s in again.sources)
    assert [str(p) for s in again.sources for p in s.errors] == [
        str(p) for s in synced.sources for p in s.errors
    ]


def test_without_rules_for_the_org_its_users_and_groups_are_refused_as_backstage_does(
    engine: Engine, catalog: Catalog, corpus_dir: Path
) -> None:
    report = sync_catalog(
        engine,
        [
            LocationSource("examples", corpus_dir / "all.yaml", root=corpus_dir),
            LocationSource("acme", corpus_dir / "acme-corp.yaml", root=corpus_dir),
        ],
        SyncOptions(rules=CatalogRules()),
    )
    counts = catalog.count_by_kind()
    assert "user" not in counts and "group" not in counts
    refused = [p for s in report.sources for p in s.errors if p.field == "kind"]
    kinds = sorted(p.ref.split(":")[0] for p in refused if p.ref)
    assert kinds == ["group"] * 8 + ["user"] * 17
    assert all("is not of an allowed kind for source 'acme'" in p.message for p in refused)
