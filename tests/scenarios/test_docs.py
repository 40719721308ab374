"""TechDocs in Slack: ``docs <entity>``, ``docs search``, link previews, docs coverage on the
Home tab and team pages, and the sites served by the running web process."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import Engine

from tests.scenarios.docs_company import (
    BASE_URL,
    DocsCompany,
    build_docs_company,
    load_docs_company,
)
from tests.scenarios.workspace import ALICE, CAROL, Workspace

PAYMENTS_HOME = f"{BASE_URL}/default/component/payments-api/"
_TOKENS = re.compile(r"<[!@#][^>]*>|<https?:[^>]*>")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> DocsCompany:
    """The sites, built once for the module."""
    return build_docs_company(tmp_path_factory.mktemp("docs-company"))


@pytest.fixture
def ws(
    engine: Engine, company: DocsCompany, serve_greenroom: Callable[..., Workspace]
) -> Workspace:
    """greenroom serving the company's docs, on this test's database."""
    load_docs_company(engine, company)
    return serve_greenroom(techdocs=company.techdocs)


def _links(payload: dict[str, Any]) -> dict[str, str]:
    """Every ``<url|label>`` link in a message: label -> url."""
    found: dict[str, str] = {}
    for chunk in json.dumps(payload, ensure_ascii=False).split("<")[1:]:
        inner = chunk.split(">", 1)[0]
        if "|" in inner and inner.startswith("http"):
            url, label = inner.split("|", 1)
            found[label] = url
    return found


def _tokens(payload: Any) -> set[str]:
    """Mention and link tokens Slack would act on (plain_text is never parsed for them)."""
    found: set[str] = set()
    if isinstance(payload, dict):
        text = payload.get("text")
        if payload.get("type") != "plain_text" and isinstance(text, str):
            found.update(_TOKENS.findall(text))
        for value in payload.values():
            found |= _tokens(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= _tokens(item)
    return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


# -- docs <entity> ----------------------------------------------------------------------------
def test_docs_answer_links_home_pages_and_links_and_the_pages_are_served(ws: Workspace) -> None:
    reply = ws.ask("docs payments-api", user=ALICE)
    text = ws.text(reply)
    assert "Docs: Payments API" in text
    assert "owner *Payments team* `group:payments`" in text and "site built 20" in text
    links = _links(reply)
    assert links["Open the docs"] == PAYMENTS_HOME
    assert links["Overview"] == PAYMENTS_HOME
    assert links["Runbook"] == PAYMENTS_HOME + "runbook/"
    assert links["Refunds guide"] == PAYMENTS_HOME + "guides/refunds/"
    assert links["Pager runbook"] == "https://runbooks.acme.example/payments"
    assert text.index("Overview") < text.index("Runbook") < text.index("Refunds guide")
    assert ws.buttons(reply) == ["Share in channel"]

    page = ws.http.get(_path(links["Runbook"]))  # the running greenroom serves the site
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Restart the pods" in page.text
    home = ws.http.get(_path(links["Open the docs"]))
    assert "authorises card payments" in home.text
    traversal = "/docs/default/component/payments-api/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"
    assert ws.http.get(traversal).status_code == 404


def test_docs_of_an_entity_without_docs_says_how_to_add_them(ws: Workspace) -> None:
    text = ws.text(ws.ask("docs wallet"))
    assert "No docs yet." in text and "backstage.io/techdocs-ref: dir:." in text
    assert "Open the docs" not in text


def test_docs_whose_rebuild_fails_say_why_and_link_the_last_good_site(ws: Workspace) -> None:
    reply = ws.ask("docs ledger")
    text = ws.text(reply)
    assert "The last docs build failed* because page index.md links to missing journal.md" in text
    assert "greenroom docs build component:ledger" in text
    kept = _links(reply)["Open the docs"]
    assert "last good site is still served" in text and kept.endswith("/component/ledger/")
    page = ws.http.get(_path(kept))
    assert page.status_code == 200 and "Double entry." in page.text and "journal" not in page.text


def test_docs_never_built_and_unavailable_are_told_apart(ws: Workspace) -> None:
    assert "Not built yet." in ws.text(ws.ask("docs fresh"))
    text = ws.text(ws.ask("docs remote"))
    assert "cannot be built here* because" in text and "github.com/acme/remote" in text


def test_unknown_entity_gets_did_you_mean_buttons_that_answer(ws: Workspace) -> None:
    reply = ws.ask("docs paymnts-api")
    assert "I could not find `paymnts-api`" in ws.text(reply)
    assert "component:payments-api" in ws.buttons(reply)
    answer = ws.reply(ws.click(reply, "component:payments-api"))
    assert "Docs: Payments API" in ws.text(answer)


def test_docs_without_an_entity_and_odd_input_get_clear_answers(ws: Workspace) -> None:
    assert "Which entity?" in ws.text(ws.ask("docs"))
    assert "I could not find `☃ 🚀`" in ws.text(ws.ask("docs ☃ 🚀"))
    assert "Unknown option --verbose" in ws.text(ws.ask("docs payments-api --verbose"))


def test_docs_is_in_help(ws: Workspace) -> None:
    text = ws.text(ws.ask("help"))
    assert "*docs*" in text and "docs search" in text


# -- docs search ------------------------------------------------------------------------------
def test_search_ranks_pages_and_links_to_the_heading(ws: Workspace) -> None:
    reply = ws.ask("docs search dead letter queue")
    text = ws.text(reply)
    assert "Docs matching “dead letter queue”" in text
    first = text.split("\n• ", 1)[1].split("\n")[0]
    assert first.startswith("*Runbook → Dead letter queue (")
    assert "`component:payments-api` — Refunds that failed five times" in first
    links = _links(reply)
    assert links["Runbook → Dead letter queue"] == PAYMENTS_HOME + "runbook/#dead-letter-queue"
    assert "`component:checkout`" in text  # mentions the queue too, ranked lower
    assert text.index("component:payments-api") < text.index("component:checkout")


def test_search_filters_by_owner_and_by_entity(ws: Workspace) -> None:
    text = ws.text(ws.ask("docs search dead letter queue --owner search"))
    assert "`component:checkout`" in text and "component:payments-api" not in text
    assert "owned by group:search" in text
    text = ws.text(ws.ask("docs search refund --entity payments-api"))
    assert "`component:payments-api`" in text and "component:checkout" not in text
    assert "docs of component:payments-api" in text
    text = ws.text(ws.ask("docs search refund --owner search --entity payments-api"))
    assert "No docs pages match “refund”" in text


def test_search_with_an_unknown_filter_offers_did_you_mean(ws: Workspace) -> None:
    reply = ws.ask("docs search refund --owner paymnts")
    assert "group:payments" in ws.buttons(reply)
    answer = ws.text(ws.reply(ws.click(reply, "group:payments")))
    assert "owned by group:payments" in answer and "Refunds guide" in answer
    text = ws.text(ws.ask("docs search refund --owner payments-api"))
    assert "--owner takes a team or a person; component:payments-api is a component" in text


def test_search_without_matches_or_words_says_so(ws: Workspace) -> None:
    assert "No docs pages match “zebra crossing”." in ws.text(ws.ask("docs search zebra crossing"))
    assert "No docs pages match “☃ 🚀 ünïcödé”" in ws.text(ws.ask("docs search ☃ 🚀 ünïcödé"))
    assert "What should I look for?" in ws.text(ws.ask("docs search"))
    assert "What should I look for?" in ws.text(ws.ask("docs search --owner payments"))
    assert "--owner needs a value" in ws.text(ws.ask("docs search refund --owner"))


def test_search_results_are_paged_with_show_more(
    engine: Engine, company: DocsCompany, serve_greenroom: Callable[..., Workspace]
) -> None:
    load_docs_company(engine, company)
    ws = serve_greenroom(techdocs=company.techdocs, page_size=5)
    reply = ws.ask("docs search deploy --entity handbook")
    text = ws.text(reply)
    assert "Showing 1-5 of 8" in text and text.count("Deploy step") == 5
    assert ws.buttons(reply) == ["Show more", "Share in channel"]
    more = ws.text(ws.reply(ws.click(reply, "Show more")))
    assert "Showing 6-8 of 8" in more and more.count("Deploy step") == 3


def test_slack_syntax_in_docs_titles_and_snippets_stays_inert(ws: Workspace) -> None:
    for question in ("docs search deploy carefully", "docs sneaky"):
        reply = ws.ask(question)
        assert all(t.startswith(f"<{BASE_URL}/") for t in _tokens(reply)), _tokens(reply)
        assert "<" not in reply["text"]
        for block in reply["blocks"]:
            assert Block.parse(block) is not None  # valid Block Kit, within Slack's limits
    text = ws.text(ws.ask("docs search deploy carefully"))
    assert "Step <@U0BOB> deploy" in text and "Deploy carefully <!everyone>." in text
    text = ws.text(ws.ask("docs sneaky"))
    assert "Docs: <!channel> *alert*" in text and "(<!here> site)" in text
    assert f"<!channel> *Deploy* ({BASE_URL}/default/component/sneaky/)" in text


# -- link previews ----------------------------------------------------------------------------
def _link_shared(ws: Workspace, *urls: str, **options: Any) -> None:
    event = {
        "type": "link_shared",
        "channel": "C0GENERAL",
        "user": ALICE,
        "message_ts": "1700000000.000100",
        "links": [{"domain": urlsplit(u).hostname, "url": u} for u in urls],
        **options.pop("event", {}),
    }
    assert ws.post(ws.requests.event(event, **options)).status_code == 200


def test_a_pasted_docs_link_is_unfurled_with_page_entity_and_owner(ws: Workspace) -> None:
    url = PAYMENTS_HOME + "runbook/#restarts"
    _link_shared(ws, url)
    [call] = ws.slack.wait_for("chat.unfurl")
    assert call.args["channel"] == "C0GENERAL" and call.args["ts"] == "1700000000.000100"
    preview = ws.text(call.args["unfurls"][url])
    assert "Runbook → Restarts" in preview
    assert "Payments API* `component:payments-api`" in preview
    assert "owner *Payments team* `group:payments`" in preview and "Takes card payments." in preview


def test_links_that_are_not_our_docs_are_left_alone(ws: Workspace) -> None:
    ours = PAYMENTS_HOME + "guides/refunds/"
    foreign = "https://elsewhere.example/docs/default/component/payments-api/"
    _link_shared(ws, foreign, "https://greenroom.acme.example/blog/")
    ws.wait_metric("greenroom_slack_replies_total", 1, command="unfurl", outcome="skipped")
    assert ws.slack.calls("chat.unfurl") == []
    _link_shared(ws, foreign, ours, f"{BASE_URL}/default/component/ghost/")
    [call] = ws.slack.wait_for("chat.unfurl")
    assert list(call.args["unfurls"]) == [ours]


def test_links_in_the_composer_and_slack_connect_channels(ws: Workspace) -> None:
    composer = {"source": "composer", "unfurl_id": "Uf0ABC", "channel": "COMPOSER"}
    _link_shared(ws, PAYMENTS_HOME, event=composer)
    [call] = ws.slack.wait_for("chat.unfurl")
    assert call.args["unfurl_id"] == "Uf0ABC" and call.args["source"] == "composer"
    _link_shared(ws, PAYMENTS_HOME, ext_shared=True)
    ws.wait_metric("greenroom_slack_replies_total", 1, command="unfurl", outcome="skipped")
    assert len(ws.slack.calls("chat.unfurl")) == 1


def test_link_shared_events_of_odd_shapes_are_skipped(ws: Workspace) -> None:
    _link_shared(ws, event={"links": {"url": PAYMENTS_HOME}})
    _link_shared(ws, event={"links": [PAYMENTS_HOME, {"url": 42}, {"url": "x" * 5000}]})
    ws.wait_metric("greenroom_slack_replies_total", 2, command="unfurl", outcome="skipped")
    assert ws.slack.calls("chat.unfurl") == []


def test_a_retried_link_shared_event_unfurls_once(ws: Workspace) -> None:
    _link_shared(ws, PAYMENTS_HOME, event_id="Ev0DOCS")
    _link_shared(ws, PAYMENTS_HOME, event_id="Ev0DOCS", retry_num=1)
    ws.wait_metric("greenroom_slack_duplicates_total", 1)
    ws.slack.wait_for("chat.unfurl")
    assert len(ws.slack.calls("chat.unfurl")) == 1


def test_slack_refusing_the_unfurl_is_counted(ws: Workspace) -> None:
    ws.slack.fail("chat.unfurl", error="cannot_unfurl_url")
    _link_shared(ws, PAYMENTS_HOME)
    ws.wait_metric("greenroom_slack_send_failures_total", 1, via="chat.unfurl")


# -- coverage ---------------------------------------------------------------------------------
def test_home_shows_which_of_my_components_lack_docs_or_fail(ws: Workspace) -> None:
    text = ws.view_text(ws.open_home(ALICE))
    section = text[text.index("Docs of your components") :]
    assert "2 of 5 have docs that build (40%)" in section
    lines = section.splitlines()
    ledger = next(i for i, line in enumerate(lines) if "component:ledger" in line)
    fresh = next(i for i, line in enumerate(lines) if "component:fresh" in line)
    wallet = next(i for i, line in enumerate(lines) if "component:wallet" in line)
    assert ledger < fresh < wallet  # failing builds first
    assert "build failed:" in lines[ledger] and "journal.md" in lines[ledger]
    assert "is not built yet" in lines[fresh] and "has no docs" in lines[wallet]
    assert "component:payments-api" not in section and "<!channel>" not in json.dumps(lines)


def test_team_page_shows_its_docs_coverage(ws: Workspace) -> None:
    text = ws.text(ws.ask("team search", user=CAROL))
    assert "Docs of its components*: 1 of 2 have docs that build (50%)" in text
    assert "`component:remote` cannot be built:" in text
    text = ws.text(ws.ask("team acme"))
    assert "Docs of its and its sub-teams' components*: 4 of 8" in text


def test_team_whose_docs_all_build_says_so(ws: Workspace) -> None:
    text = ws.text(ws.ask("team guides"))
    assert "1 of 1 have docs that build (100%)" in text and "Every one has docs that build" in text
