"""Lookup, search, ownership, dependencies, blast radius and groups on the example company."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import AmbiguousEntity, Catalog, EntityNotFound, parse_ref
from catalog.graph import blast_radius, dependencies
from catalog.groups import (
    ancestors,
    descendants,
    groups_of_user,
    members_of,
    owned_by,
    owner_summaries,
    slack_channels,
    team_of,
)
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.search import search_entities
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog


@pytest.mark.parametrize(
    "text",
    [
        "component:default/payments-api",
        "Component:Payments-API",
        "payments-api",
        "PAYMENTS-API",
        "default/payments-api",
        " payments-api ",
    ],
)
def test_an_entity_is_found_however_it_is_typed(globex_catalog: Catalog, text: str) -> None:
    assert str(find_entity(globex_catalog, text).ref) == "component:default/payments-api"


def test_a_near_miss_suggests_the_right_entity(globex_catalog: Catalog) -> None:
    with pytest.raises(EntityNotFound) as caught:
        find_entity(globex_catalog, "paymnts-api")
    assert caught.value.suggestions[0] == "component:payments-api"
    assert "Did you mean" in caught.value.user_message


def test_a_wrong_kind_is_not_found_but_suggests(globex_catalog: Catalog) -> None:
    with pytest.raises(EntityNotFound) as caught:
        find_entity(globex_catalog, "api:payments-api")
    assert "component:payments-api" in caught.value.suggestions


def test_a_bare_name_shared_by_two_kinds_is_ambiguous(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
        "spec: {type: service, lifecycle: production, owner: t}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: shop}\n"
        "spec: {owner: t}\n"
    )
    sync_catalog(engine, [DirectorySource("s", tmp_path)])
    with pytest.raises(AmbiguousEntity) as caught:
        find_entity(catalog, "shop")
    assert caught.value.candidates == ["component:shop", "system:shop"]
    assert str(find_entity(catalog, "shop", kinds=("system",)).ref) == "system:default/shop"


@pytest.mark.parametrize("text", ["", "x" * 500, "<!channel>", "component:", "🙂"])
def test_odd_input_is_simply_not_found(globex_catalog: Catalog, text: str) -> None:
    with pytest.raises(EntityNotFound):
        find_entity(globex_catalog, text)


def test_owner_with_members_parents_system_and_domain(globex_catalog: Catalog) -> None:
    answer = owner_of(globex_catalog, find_entity(globex_catalog, "payments-api"))
    assert answer.team is not None
    assert answer.team.display_name == "Payments Core"
    assert answer.team.slack_channel == "#payments-core"
    assert {p.email for p in answer.team.members} >= {"daniel.okafor@globex.example"}
    assert [p.ref.name for p in answer.team.parents] == ["payments-tribe"]
    assert answer.system is not None and answer.system.ref.name == "payments"
    assert answer.domain is not None and answer.domain.ref.name == "finance"
    assert answer.lifecycle == "production" and answer.owner_exists


def test_owner_that_is_a_user(globex_catalog: Catalog) -> None:
    answer = owner_of(globex_catalog, find_entity(globex_catalog, "recommendations-service"))
    assert answer.person is not None and answer.person.ref.name == "noah.johansson"
    assert answer.team is None


def test_dangling_owner_is_reported_not_crashed(globex_catalog: Catalog) -> None:
    answer = owner_of(globex_catalog, find_entity(globex_catalog, "loyalty-service"))
    assert answer.team is not None and not answer.team.exists
    assert not answer.owner_exists and str(answer.owner_ref) == "group:default/ghost-squad"


def test_direct_and_transitive_dependencies(globex_catalog: Catalog) -> None:
    root = parse_ref("component:web-storefront")
    direct = {n.summary.ref.short for n in dependencies(globex_catalog, root)}
    assert "component:checkout" in direct and "component:payments-api" not in direct
    deep = dependencies(globex_catalog, root, depth=5)
    by_ref = {n.summary.ref.short: n for n in deep}
    assert by_ref["component:payments-api"].depth == 2
    assert by_ref["resource:fraud-model-store"].depth == 4
    assert by_ref["component:checkout"].owner == parse_ref("group:checkout-squad")


def test_dependents_and_missing_targets(globex_catalog: Catalog) -> None:
    needed_by = dependencies(globex_catalog, parse_ref("component:payments-api"), reverse=True)
    assert "component:checkout" in {n.summary.ref.short for n in needed_by}
    missing = dependencies(globex_catalog, parse_ref("component:billing-exporter"))
    assert [n.summary.exists for n in missing if n.summary.ref.name == "legacy-mainframe"] == [
        False
    ]


def test_blast_radius_names_every_dependent_and_the_team_to_tell(globex_catalog: Catalog) -> None:
    radius = blast_radius(globex_catalog, parse_ref("component:fraud-detector"))
    refs = {ref.short for ref in radius.dependents}
    assert {"component:payments-api", "component:checkout", "component:web-storefront"} <= refs
    assert not any(r.startswith("domain:") for r in refs)
    owners = {owner.ref.name: [r.short for r in items] for owner, items in radius.owners}
    assert "component:checkout" in owners["checkout-squad"]
    assert radius.unowned == []
    assert sum(len(items) for _, items in radius.owners) == len(radius.dependents)


def test_cycles_are_safe(catalog: Catalog, engine: Engine, tmp_path: Path) -> None:
    docs = [
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {a}}}\n"
        f"spec: {{type: service, lifecycle: production, owner: t, dependsOn: [component:{b}]}}\n"
        for a, b in (("a", "b"), ("b", "c"), ("c", "a"))
    ]
    (tmp_path / "catalog-info.yaml").write_text("---\n".join(docs))
    sync_catalog(engine, [DirectorySource("s", tmp_path)])
    nodes = dependencies(catalog, parse_ref("component:a"), depth=None)
    assert [n.summary.ref.name for n in nodes] == ["b", "c"]
    assert len(blast_radius(catalog, parse_ref("component:a")).dependents) == 2


def test_a_walk_lists_each_level_by_parent_then_name_with_the_relation_it_came_through(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    def component(name: str, spec: str) -> str:
        return (
            f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}}}\n"
            f"spec: {{type: service, lifecycle: production, owner: t{spec}}}\n"
        )

    docs = [
        component("a", ", dependsOn: [component:z, component:m], consumesApis: [api:k]"),
        component("z", ", dependsOn: [component:b]"),
        component("m", ", dependsOn: [component:c, component:b]"),
        component("p", ", providesApis: [api:k]"),
        component("b", ""),
        component("c", ""),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: k}\n"
        "spec: {type: openapi, lifecycle: production, owner: t, definition: x}\n",
    ]
    (tmp_path / "catalog-info.yaml").write_text("---\n".join(docs))
    sync_catalog(engine, [DirectorySource("s", tmp_path)])

    nodes = dependencies(catalog, parse_ref("component:a"), depth=None)
    assert [(n.summary.ref.short, n.depth, n.relation, n.parent.short) for n in nodes] == [
        ("api:k", 1, "consumesApi", "component:a"),
        ("component:m", 1, "dependsOn", "component:a"),
        ("component:z", 1, "dependsOn", "component:a"),
        ("component:p", 2, "apiProvidedBy", "api:k"),
        ("component:b", 2, "dependsOn", "component:m"),  # m comes before z: b is m's
        ("component:c", 2, "dependsOn", "component:m"),
    ]
    assert [n.summary.ref.short for n in dependencies(catalog, parse_ref("component:a"))] == [
        "api:k",
        "component:m",
        "component:z",
    ]
    needed_by = dependencies(catalog, parse_ref("component:b"), reverse=True, depth=None)
    assert [(n.summary.ref.short, n.depth, n.relation) for n in needed_by] == [
        ("component:m", 1, "dependencyOf"),
        ("component:z", 1, "dependencyOf"),
        ("component:a", 2, "dependencyOf"),
    ]
    assert dependencies(catalog, parse_ref("component:nowhere"), depth=None) == []


def test_walks_see_the_catalog_as_it_is_after_each_sync(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    def sync(edges: tuple[tuple[str, str], ...]) -> None:
        docs = [
            f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {a}}}\n"
            f"spec: {{type: service, lifecycle: production, owner: t, dependsOn: [component:{b}]}}"
            for a, b in edges
        ]
        (tmp_path / "catalog-info.yaml").write_text("\n---\n".join(docs))
        sync_catalog(engine, [DirectorySource("s", tmp_path)])

    sync((("web", "api"), ("api", "db")))
    assert [r.name for r in blast_radius(catalog, parse_ref("component:db")).dependents] == [
        "api",
        "web",
    ]
    sync((("web", "db"), ("api", "cache")))  # api moved off db; web now uses it directly
    assert [r.name for r in blast_radius(catalog, parse_ref("component:db")).dependents] == ["web"]
    assert [n.summary.ref.name for n in dependencies(catalog, parse_ref("component:api"))] == [
        "cache"
    ]


def test_group_tree_members_and_ownership(globex_catalog: Catalog) -> None:
    tribe = parse_ref("group:payments-tribe")
    below = {g.name for g in descendants(globex_catalog, tribe)}
    assert {"payments-core", "fraud-squad", "checkout-squad"} <= below
    assert [g.name for g in ancestors(globex_catalog, parse_ref("group:payments-core"))] == [
        "payments-tribe",
        "globex",
    ]
    team = team_of(globex_catalog, tribe)
    assert team.parents[0].ref.name == "globex" and len(team.children) >= 3
    user = parse_ref("user:daniel.okafor")
    assert "payments-core" in {g.name for g in groups_of_user(globex_catalog, user)}
    assert "globex" in {g.name for g in groups_of_user(globex_catalog, user, transitive=True)}
    assert user in {p.ref for p in members_of(globex_catalog, parse_ref("group:payments-core"))}
    own = {s.ref.short for s in owned_by(globex_catalog, [parse_ref("group:payments-core")])}
    assert "component:payments-api" in own and "component:checkout" not in own
    tribe_owns = {s.ref.short for s in owned_by(globex_catalog, [tribe], include_subgroups=True)}
    assert {"component:payments-api", "component:checkout"} <= tribe_owns


def test_the_group_tree_is_the_one_of_the_last_sync(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    def sync(parents: dict[str, str]) -> None:
        docs = [
            f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {name}}}\n"
            f"spec: {{type: team, children: []"
            + (f", parent: {parents[name]}" if name in parents else "")
            + "}\n"
            for name in ("org", "tribe", "squad", "other")
        ]
        (tmp_path / "catalog-info.yaml").write_text("---\n".join(docs))
        sync_catalog(engine, [DirectorySource("s", tmp_path)])

    sync({"squad": "tribe", "tribe": "org"})
    assert [r.name for r in ancestors(catalog, parse_ref("group:squad"))] == ["tribe", "org"]
    assert [r.name for r in descendants(catalog, parse_ref("group:org"))] == ["tribe", "squad"]
    sync({"squad": "other", "tribe": "org"})  # the squad moved
    assert [r.name for r in ancestors(catalog, parse_ref("group:squad"))] == ["other"]
    assert [r.name for r in descendants(catalog, parse_ref("group:org"))] == ["tribe"]
    assert ancestors(catalog, parse_ref("group:nowhere")) == []


def test_teams_and_what_they_own_are_the_ones_of_the_last_sync(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    def sync(squad_parent: str, member: str, owner: str) -> None:
        docs = [
            "kind: Group\nmetadata: {name: org}\nspec: {type: org, children: []}\n",
            "kind: Group\nmetadata: {name: other}\nspec: {type: org, children: []}\n",
            f"kind: Group\nmetadata: {{name: squad}}\n"
            f"spec: {{type: team, children: [], parent: {squad_parent}}}\n",
            f"kind: User\nmetadata: {{name: {member}}}\nspec: {{memberOf: [squad]}}\n",
            f"kind: Component\nmetadata: {{name: api}}\n"
            f"spec: {{type: service, lifecycle: production, owner: {owner}}}\n",
        ]
        text = "---\n".join(f"apiVersion: backstage.io/v1alpha1\n{d}" for d in docs)
        (tmp_path / "catalog-info.yaml").write_text(text)
        sync_catalog(engine, [DirectorySource("s", tmp_path)])

    squad, org = parse_ref("group:squad"), parse_ref("group:org")
    sync("org", "ada", "squad")
    for _ in range(2):  # asked again: the same answer
        team = team_of(catalog, squad)
        assert [p.name for p in team.parents] == ["org"]
        assert [p.ref.name for p in team.members] == ["ada"]
        assert [s.ref.name for s in owned_by(catalog, [org], include_subgroups=True)] == ["api"]
    sync("other", "grace", "org")  # the squad moved, its member changed, the api went up
    team = team_of(catalog, squad)
    assert [p.name for p in team.parents] == ["other"]
    assert [p.ref.name for p in team.members] == ["grace"]
    assert [s.ref.name for s in owned_by(catalog, [squad])] == []
    assert [s.ref.name for s in owned_by(catalog, [org], include_subgroups=True)] == ["api"]
    assert owner_of(catalog, catalog.get(parse_ref("component:api"))).team.ref == org  # type: ignore[arg-type, union-attr]


def test_the_teams_to_tell_and_their_channels_are_the_ones_of_the_last_sync(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    def sync(web_owner: str, channel: str) -> None:
        docs = [
            "kind: Group\nmetadata: {name: red, annotations: {slack.com/channel: "
            f"{channel}}}}}\nspec: {{type: team, children: []}}\n",
            "kind: Group\nmetadata: {name: blue, title: Blue}\nspec: {type: team, children: []}\n",
            "kind: Component\nmetadata: {name: db}\n"
            "spec: {type: service, lifecycle: production, owner: blue}\n",
            "kind: Component\nmetadata: {name: web}\nspec: {type: service, lifecycle: "
            f"production, owner: {web_owner}, dependsOn: [component:db]}}\n",
        ]
        text = "---\n".join(f"apiVersion: backstage.io/v1alpha1\n{d}" for d in docs)
        (tmp_path / "catalog-info.yaml").write_text(text)
        sync_catalog(engine, [DirectorySource("s", tmp_path)])

    red, blue = parse_ref("group:red"), parse_ref("group:blue")
    sync("red", "red-alerts")
    for _ in range(2):  # asked again: the same answer
        radius = blast_radius(catalog, parse_ref("component:db"))
        assert [(o.ref.name, [r.name for r in refs]) for o, refs in radius.owners] == [
            ("red", ["web"])
        ]
        assert slack_channels(catalog, [red, blue]) == {red: "red-alerts"}
    sync("blue", "red-oncall")  # web changed hands, red its channel
    radius = blast_radius(catalog, parse_ref("component:db"))
    assert [(o.display_name, [r.name for r in refs]) for o, refs in radius.owners] == [
        ("Blue", ["web"])
    ]
    assert slack_channels(catalog, [blue, red]) == {red: "red-oncall"}
    assert (
        owner_summaries(catalog, [parse_ref("group:gone")])[parse_ref("group:gone")].exists is False
    )


def test_what_an_owner_owns_is_a_new_list_for_each_caller(globex_catalog: Catalog) -> None:
    core = parse_ref("group:payments-core")
    first = owned_by(globex_catalog, [core])
    first.clear()
    assert owned_by(globex_catalog, [core])


def test_search_ranks_names_over_descriptions(globex_catalog: Catalog) -> None:
    hits = search_entities(globex_catalog, "refund")
    assert hits[0].summary.ref.short == "component:refunds-worker"
    assert all(h.score <= hits[0].score for h in hits)
    assert search_entities(globex_catalog, "chargeback")[0].summary.ref.name in {
        "disputes-service",
        "payments",
    }


def test_search_with_several_words_needs_all_of_them(globex_catalog: Catalog) -> None:
    hits = {h.summary.ref.short for h in search_entities(globex_catalog, "payments refund")}
    assert "component:payments-api" in hits
    assert "component:checkout" not in hits


def test_search_falls_back_to_fuzzy_names(globex_catalog: Catalog) -> None:
    hits = search_entities(globex_catalog, "fraud-detectr")
    assert hits and hits[0].summary.ref.short == "component:fraud-detector"


def test_search_treats_sql_wildcards_literally(globex_catalog: Catalog) -> None:
    assert search_entities(globex_catalog, "%") == [] or all(
        "%" in (h.summary.description or "") for h in search_entities(globex_catalog, "%")
    )
    assert search_entities(globex_catalog, "   ") == []


def test_annotations_are_read_for_exactly_the_entities_that_have_them(
    catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    key = "backstage.io/techdocs-ref"
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: documented, annotations: {{{key}: 'dir:.'}}}}\n"
        "spec: {type: service, lifecycle: production, owner: t}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: talks-about-it, description: 'no {key} here yet'}}\n"
        "spec: {type: service, lifecycle: production, owner: t}\n"
    )
    sync_catalog(engine, [DirectorySource("s", tmp_path)])
    refs = [
        parse_ref(r) for r in ("component:documented", "component:talks-about-it", "component:gone")
    ]

    assert catalog.annotations(refs, key) == {parse_ref("component:documented"): "dir:."}
    assert catalog.annotations(refs, "backstage.io/other") == {}
