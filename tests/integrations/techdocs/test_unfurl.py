"""A pasted docs URL resolves to its entity, page title, heading and owner."""

from __future__ import annotations

from integrations.techdocs import unfurl_docs_url

from .docs_world import World


def test_page_url_unfurls_to_entity_page_heading_and_owner(world: World) -> None:
    settings = world.settings.model_copy(update={"base_url": "https://bot.example.com/docs"})
    preview = unfurl_docs_url(
        world.catalog,
        settings,
        "https://bot.example.com/docs/default/component/payments-api/runbook/#restarts",
    )
    assert preview is not None
    assert (preview.entity_title, preview.site_name) == ("Payments API", "Payments API")
    assert (preview.page_title, preview.heading) == ("Runbook", "Restarts")
    assert preview.owner_name == "Payments Core"
    elsewhere = "https://evil.example.com/docs/default/component/payments-api/runbook/"
    assert unfurl_docs_url(world.catalog, settings, elsewhere) is None


def test_external_techdocs_urls_unfurl_too(world: World) -> None:
    settings = world.settings.model_copy(
        update={"external_base_url": "https://backstage.example.com/docs"}
    )
    preview = unfurl_docs_url(
        world.catalog,
        settings,
        "https://backstage.example.com/docs/default/component/checkout/on-call/",
    )
    assert preview is not None and preview.page_title == "On-call"


def test_home_page_and_unknown_entities(world: World) -> None:
    home = unfurl_docs_url(world.catalog, world.settings, "/docs/default/component/payments-api/")
    assert home is not None and home.page_title == "Overview"
    assert unfurl_docs_url(world.catalog, world.settings, "/docs/default/component/ghost/") is None
    assert unfurl_docs_url(world.catalog, world.settings, "https://example.com/blog/") is None
