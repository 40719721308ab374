"""``/greenroom find <text>``."""

from __future__ import annotations

from tests.scenarios.workspace import Workspace


def test_find_matches_names_and_descriptions(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("find payments"))
    assert "results for “payments”" in text
    assert "component:payments-api" in text and "resource:payments-db" in text


def test_find_tolerates_typos(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("find chekout"))
    assert "component:checkout" in text


def test_find_with_nothing_matching_says_so(workspace: Workspace) -> None:
    reply = workspace.ask("find zzzqqqxxx")
    assert "Nothing in the catalog matches “zzzqqqxxx”." in workspace.text(reply)
    assert workspace.buttons(reply) == []


def test_find_without_text_asks_what_to_look_for(workspace: Workspace) -> None:
    assert "What should I look for?" in workspace.text(workspace.ask("find"))


def test_many_results_are_paged(workspace: Workspace) -> None:
    reply = workspace.ask("find shard")
    text = workspace.text(reply)
    assert "30 results" in text and "Showing 1-20 of 30" in text
    assert "Show more" in workspace.buttons(reply)
