"""``/greenroom docs <entity>``: docs home, top-level pages, links, owner, build state."""

from __future__ import annotations

from catalog.lookup import find_entity
from integrations.techdocs import DocsLink, docs_overview

from .docs_world import World


def test_overview_of_a_built_site(world: World) -> None:
    view = docs_overview(world.catalog, world.settings, find_entity(world.catalog, "payments-api"))
    site = "/docs/default/component/payments-api/"
    assert view.home_url == site
    assert view.nav == (
        DocsLink("Overview", site),
        DocsLink("Runbook", site + "runbook/"),
        DocsLink("Refunds guide", site + "guides/refunds/"),
    )
    assert view.links == (DocsLink("Dashboard", "https://grafana.example/d/payments-api"),)
    assert (view.owner_name, str(view.owner_ref)) == ("Payments Core", "group:default/team-pay")
    assert view.status == "ok" and view.built_at is not None and view.reason is None


def test_overview_says_why_there_is_no_site(world: World) -> None:
    broken = docs_overview(world.catalog, world.settings, find_entity(world.catalog, "broken"))
    assert broken.home_url is None and broken.status == "failing"
    assert broken.reason is not None and "links to missing missing.md" in broken.reason
    none = docs_overview(world.catalog, world.settings, find_entity(world.catalog, "no-docs"))
    assert (none.status, none.annotation, none.nav) == ("no_docs", None, ())
