"""Searching every built site, filtered by owner or entity, refreshed when builds change."""

from __future__ import annotations

from pathlib import Path

from catalog import parse_ref
from integrations.techdocs import build_all_docs, search_docs

from .docs_world import (
    PAYMENTS_DOCS,
    World,
    docs_settings,
    make_repo,
    sqlite_engine,
    sync_folder,
    write_files,
)


def test_hits_link_to_the_page_and_heading(world: World) -> None:
    hits = search_docs(world.catalog, world.settings, "restart pods")
    top = hits[0]
    assert top.entity_ref == parse_ref("component:payments-api")
    assert (top.site_name, top.page_title, top.heading) == ("Payments API", "Runbook", "Restarts")
    assert top.url == "/docs/default/component/payments-api/runbook/#restarts"
    assert "Restart the pods" in top.snippet


def test_search_spans_sites_and_ranks_the_titled_page_first(world: World) -> None:
    hits = search_docs(world.catalog, world.settings, "payments")
    refs = [h.entity_ref.name for h in hits]
    assert refs[0] == "payments-api" and "checkout" in refs
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_owner_filter_includes_sub_teams(world: World) -> None:
    tribe = parse_ref("group:payments-tribe")
    names = {
        h.entity_ref.name
        for h in search_docs(world.catalog, world.settings, "payments", owner=tribe)
    }
    assert names == {"payments-api"}
    shop = parse_ref("group:team-shop")
    names = {
        h.entity_ref.name
        for h in search_docs(world.catalog, world.settings, "payments", owner=shop)
    }
    assert names == {"checkout"}


def test_entity_filter_keeps_one_site(world: World) -> None:
    checkout = parse_ref("component:checkout")
    hits = search_docs(world.catalog, world.settings, "payments", entity=checkout)
    assert {h.entity_ref for h in hits} == {checkout}
    assert (
        search_docs(
            world.catalog,
            world.settings,
            "payments",
            entity=checkout,
            owner=parse_ref("group:team-pay"),
        )
        == []
    )


def test_external_techdocs_links_use_the_configured_base(world: World) -> None:
    settings = world.settings.model_copy(
        update={"external_base_url": "https://backstage.example.com/docs"}
    )
    (hit, *_) = search_docs(world.catalog, settings, "dead letter queue")
    assert (
        hit.url
        == "https://backstage.example.com/docs/default/component/payments-api/runbook/#dead-letter-queue"
    )


def test_index_is_refreshed_after_a_rebuild(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repos", "payments-api", PAYMENTS_DOCS, owner="team-pay")
    catalog = sync_folder(sqlite_engine(tmp_path / "db.sqlite"), tmp_path / "repos")
    settings = docs_settings(tmp_path / "sites")
    build_all_docs(catalog, settings)
    assert search_docs(catalog, settings, "chargeback") == []
    write_files(repo, {"docs/runbook.md": "# Runbook\n\n## Chargebacks\n\nA chargeback arrives.\n"})
    build_all_docs(catalog, settings)
    (hit,) = search_docs(catalog, settings, "chargeback")
    assert hit.heading == "Chargebacks"
