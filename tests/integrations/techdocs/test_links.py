"""Docs links: our mount or an external TechDocs, Backstage's URL scheme, and back."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from catalog import parse_ref
from integrations.techdocs import DocsLinks, TechDocsSettings

REF = parse_ref("Component:Payments/Payments-API")


def test_internal_links_follow_backstages_scheme_lowercased() -> None:
    links = DocsLinks.from_settings(TechDocsSettings(base_url="https://bot.example.com/docs/"))
    assert links.site_url(REF) == "https://bot.example.com/docs/payments/component/payments-api/"
    assert links.page_url(REF, "runbook/", "restarts") == (
        "https://bot.example.com/docs/payments/component/payments-api/runbook/#restarts"
    )
    assert links.page_url(REF, "runbook/#restarts").endswith("/runbook/#restarts")
    assert links.page_url(REF, "./").endswith("/payments-api/")


def test_external_techdocs_wins_when_configured() -> None:
    settings = TechDocsSettings(
        base_url="https://bot.example.com/docs",
        external_base_url="https://backstage.example.com/docs",
    )
    links = DocsLinks.from_settings(settings)
    assert links.external
    assert (
        links.site_url(REF) == "https://backstage.example.com/docs/payments/component/payments-api/"
    )


def test_without_a_base_url_links_are_paths_on_our_mount() -> None:
    assert DocsLinks.from_settings(TechDocsSettings()).site_url(REF) == (
        "/docs/payments/component/payments-api/"
    )


def test_full_urls_in_navigation_are_left_alone() -> None:
    assert DocsLinks().page_url(REF, "https://status.example.com") == "https://status.example.com"


def test_parse_reads_back_entity_page_and_anchor() -> None:
    links = DocsLinks("https://bot.example.com/docs")
    url = links.page_url(REF, "guides/refunds/", "partial refunds")
    assert links.parse(url) == (REF, "guides/refunds/", "partial refunds")
    assert links.parse("https://bot.example.com/docs/default/component/") is None
    assert links.parse("https://elsewhere.example.com/docs/default/component/x/") is None
    assert links.parse("https://bot.example.com/other/default/component/x/") is None


def test_base_urls_must_be_http_or_a_path() -> None:
    with pytest.raises(ValidationError):
        TechDocsSettings(base_url="javascript:alert(1)")
