"""``/greenroom deps`` and ``/greenroom impact``, with paging."""

from __future__ import annotations

from sqlalchemy import Engine

from catalog import Catalog, parse_ref
from catalog.graph import blast_radius
from tests.scenarios.workspace import Workspace


def test_deps_lists_what_an_entity_needs_two_levels_deep(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps web"))
    assert "depends on 3 entities (2 levels)" in text
    assert "component:checkout" in text and "component:payments-api" in text
    assert "api:payments-v1" in text
    assert "resource:payments-db" not in text  # third level


def test_deps_depth_all_walks_the_whole_chain(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps web --depth all"))
    assert "resource:payments-db" in text and "(all levels)" in text


def test_deps_reverse_lists_what_depends_on_it_with_owners(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps payments-api --reverse --depth 1"))
    assert "is needed by" in text
    assert "component:checkout" in text and "owner `group:search`" in text
    assert "component:web" not in text


def test_deps_of_an_entity_with_none_says_so(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps payments-db"))
    assert "It has no dependencies." in text


def test_deps_marks_dependencies_missing_from_the_catalog(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps legacy-batch"))
    assert "component:vanished" in text and "not in the catalog" in text


def test_bad_depth_and_unknown_option_explain_the_usage(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("deps web --depth 99"))
    assert "--depth takes a number from 1 to 10" in text
    text = workspace.text(workspace.ask("deps web --sideways"))
    assert "Unknown option --sideways" in text and "--reverse" in text
    assert "Usage: `/greenroom deps <entity> [--reverse] [--depth N|all]`" in text


def test_long_lists_page_with_show_more(workspace: Workspace) -> None:
    first = workspace.ask("deps component:search --reverse")
    text = workspace.text(first)
    assert "is needed by 30 entities" in text
    assert "Showing 1-20 of 30" in text
    assert "search-shard-01" in text and "search-shard-21" not in text
    assert workspace.buttons(first) == ["Show more", "Share in channel"]
    second = workspace.reply(workspace.click(first, "Show more"))
    text = workspace.text(second)
    assert "Showing 21-30 of 30" in text
    assert "search-shard-21" in text and "search-shard-30" in text
    assert "search-shard-01" not in text
    assert second["replace_original"] is True
    assert workspace.buttons(second) == ["Share in channel"]


def test_page_size_is_configurable(serve_greenroom, acme) -> None:  # type: ignore[no-untyped-def]
    workspace = serve_greenroom(page_size=5)
    text = workspace.text(workspace.ask("deps component:search --reverse"))
    assert "Showing 1-5 of 30" in text


def test_impact_groups_every_dependent_by_the_team_to_tell(
    workspace: Workspace, engine: Engine
) -> None:
    radius = blast_radius(Catalog(engine), parse_ref("resource:payments-db"))
    reply = workspace.ask("impact payments-db")
    text = workspace.text(reply)
    assert f"If payments-db breaks: {len(radius.dependents)} dependents, 2 teams to tell" in text
    assert "Tell *search*" in text and "#search" in text
    assert "component:web" in text and "component:checkout" in text
    assert "Tell *Payments team*" in text and "#C0PAYMENTS" in text
    assert "<#C0PAYMENTS>" in str(reply["blocks"])


def test_impact_of_a_leaf_says_nothing_depends_on_it(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("impact web"))
    assert "Nothing in the catalog depends on it." in text
