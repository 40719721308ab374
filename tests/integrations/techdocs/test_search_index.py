"""Ranking over mkdocs search indexes: titles and headings first, phrases, prefixes."""

from __future__ import annotations

from typing import Any

from integrations.techdocs.search_index import SearchIndex
from integrations.techdocs.site_index import SiteIndex


def site(*pages: tuple[str, str, list[tuple[str, str, str]]]) -> dict[str, Any]:
    """A search_index.json: (location, title, [(anchor, heading, text)]) per page."""
    docs = []
    for location, title, sections in pages:
        docs.append(
            {"location": location, "title": title, "text": " ".join(s[2] for s in sections)}
        )
        docs.extend(
            {"location": f"{location}#{anchor}", "title": heading, "text": text}
            for anchor, heading, text in sections
        )
    return {"config": {"lang": ["en"]}, "docs": docs}


def index_of(*sites: dict[str, Any]) -> SearchIndex:
    index = SearchIndex()
    for number, data in enumerate(sites):
        index.add(SiteIndex.from_json(f"site{number}", data))
    return index


def locations(index: SearchIndex, query: str, **options: Any) -> list[str]:
    hits = index.search(query, **options)
    return [f"{index.sites[h.site].key}:{h.section.location}" for h in hits]


def test_heading_match_beats_a_mention_in_body_text() -> None:
    index = index_of(
        site(
            ("guide/", "Guide", [("intro", "Intro", "Mentions deployment once among many words.")])
        ),
        site(("ops/", "Operations", [("deployment", "Deployment", "How we ship.")])),
    )
    assert locations(index, "deployment")[0] == "site1:ops/#deployment"


def test_page_title_counts_for_its_sections() -> None:
    index = index_of(
        site(("refunds/", "Refunds", [("limits", "Limits", "At most three per day.")])),
        site(("other/", "Other", [("limits", "Limits", "Rate limits of the API.")])),
    )
    assert locations(index, "refunds limits")[0] == "site0:refunds/#limits"


def test_documents_with_every_word_come_before_partial_matches() -> None:
    index = index_of(
        site(("a/", "Alpha", [("x", "Kafka", "Kafka kafka kafka topics everywhere.")])),
        site(("b/", "Beta", [("y", "Consumers", "Kafka consumer lag alerts.")])),
    )
    assert locations(index, "kafka lag")[0] == "site1:b/#y"


def test_exact_phrase_earns_a_bonus() -> None:
    index = index_of(
        site(("a/", "A", [("x", "Notes", "The lag of the dead letter queue grows.")])),
        site(("b/", "B", [("y", "Notes", "A dead letter arrived; the queue grows.")])),
    )
    hits = index.search("dead letter queue")
    assert [index.sites[h.site].key for h in hits] == ["site0", "site1"]
    assert hits[0].score > hits[1].score


def test_prefix_finds_longer_words_ranked_below_exact_ones() -> None:
    index = index_of(
        site(("a/", "A", [("x", "Refunds", "How refunds are processed.")])),
        site(("b/", "B", [("y", "Refund", "One refund at a time.")])),
    )
    assert locations(index, "refund") == ["site1:b/#y", "site0:a/#x"]
    assert locations(index, "refu") != []
    assert locations(index, "re") == [], "two letters are too short to expand"


def test_one_result_per_page_with_the_best_heading() -> None:
    index = index_of(
        site(
            (
                "runbook/",
                "Runbook",
                [
                    ("restarts", "Restarts", "Restart pods."),
                    ("alerts", "Alerts", "Pods restart alerts."),
                ],
            )
        )
    )
    hits = index.search("restarts")
    assert [h.section.location for h in hits] == ["runbook/#restarts"]


def test_filter_keeps_only_the_allowed_sites() -> None:
    index = index_of(
        site(("a/", "Deploy", [("x", "Deploy", "deploy")])),
        site(("b/", "Deploy", [("y", "Deploy", "deploy")])),
    )
    assert locations(index, "deploy", sites={1}) == ["site1:b/#y"]


def test_snippet_shows_the_text_around_the_match() -> None:
    words = " ".join(f"word{n}" for n in range(80))
    index = index_of(site(("a/", "A", [("x", "Notes", f"{words} the needle is here {words}")])))
    (hit,) = index.search("needle")
    assert "the needle is here" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 200


def test_heading_without_text_borrows_the_page_text_for_its_snippet() -> None:
    data = {
        "docs": [
            {"location": "oncall/", "title": "On-call", "text": "On-call Rotation Weekly rota."},
            {"location": "oncall/#on-call", "title": "On-call", "text": ""},
            {"location": "oncall/#rotation", "title": "Rotation", "text": "Weekly rota."},
        ]
    }
    (hit,) = index_of(data).search("on call")
    assert hit.snippet == "On-call Rotation Weekly rota."


def test_html_entities_are_unescaped_and_empty_queries_find_nothing() -> None:
    index = index_of(site(("a/", "Q&amp;A", [("x", "Q&amp;A", "Ask &quot;why&quot;.")])))
    (hit,) = index.search("why")
    assert hit.section.page_title == "Q&A" and hit.snippet == 'Ask "why".'
    assert index.search("") == [] and index.search("!!") == []


def test_sites_can_be_replaced_without_rebuilding_the_others() -> None:
    index = index_of(
        site(("a/", "A", [("x", "Old", "legacy words")])),
        site(("b/", "B", [("y", "Keep", "stays")])),
    )
    index.remove(0)
    assert index.search("legacy") == []
    index.add(SiteIndex.from_json("site0-new", site(("a/", "A", [("x", "New", "fresh words")]))))
    assert locations(index, "fresh") == ["site0-new:a/#x"]
    assert locations(index, "stays") == ["site1:b/#y"]
    assert index.section_count == 4
