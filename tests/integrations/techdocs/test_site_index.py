"""Reading one site's mkdocs search index: words, sections, what counts where."""

from __future__ import annotations

from integrations.techdocs.site_index import SiteIndex, tokenize


def test_tokenize_splits_on_punctuation_and_drops_single_letters() -> None:
    assert tokenize("On-call: kubectl rollout_restart a B2B") == [
        "on", "call", "kubectl", "rollout", "restart", "b2b",
    ]  # fmt: skip


def test_sections_keep_their_page_title_and_split_pages_their_text_for_snippets() -> None:
    site = SiteIndex.from_json(
        "k",
        {
            "docs": [
                {"location": "run/", "title": "Runbook", "text": "Restarts Restart pods."},
                {"location": "run/#restarts", "title": "Restarts", "text": "Restart pods."},
                {"location": "faq/", "title": "FAQ", "text": "No headings here."},
                {"location": "bad"},
                "not an entry",
            ]
        },
    )
    by_location = {s.location: s for s in site.sections}
    assert by_location["run/#restarts"].page_title == "Runbook"
    assert by_location["run/#restarts"].heading == "Restarts"
    assert by_location["run/"].text == "Restarts Restart pods."
    assert site.pages == {"run/": 0, "faq/": 2, "bad": 3}
    words = {site.tokens[c] for c in site.codes.tolist()}
    assert {"runbook", "restarts", "restart", "pods", "faq", "headings"} <= words
