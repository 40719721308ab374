"""``docs <entity>`` and ``docs search <words>``: TechDocs in Slack; plus docs coverage on the
Home tab and team pages, and previews of docs links pasted in channels (``link_shared``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from catalog import EntityRef, GreenroomError
from catalog.groups import Team
from catalog.lookup import find_entity
from commands.docs.blocks import (
    coverage_blocks,
    overview_reply,
    search_reply,
    unfurl_blocks,
)
from integrations.techdocs import (
    docs_coverage,
    docs_overview,
    owner_coverage,
    search_docs,
    unfurl_docs_url,
)
from slackkit.blocks import Block
from slackkit.deps import Deps
from slackkit.grammar import UsageError, parse_options
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["MAX_HITS", "register"]


MAX_HITS = 60
_MAX_WORDS = 12
#: Coverage counts services and libraries: APIs are documented by their definition.
_COVERED_KINDS = ("component",)


def register(app: App, deps: Deps) -> None:
    """Add the ``docs`` subcommand, the docs coverage sections and the docs link previews."""
    catalog, techdocs = deps.catalog, deps.settings.techdocs
    command = deps.settings.slack.command

    def answer_docs(ask: Ask) -> Reply:
        words = ask.words
        if words and words[0].lower() == "search":
            return answer_search(words[1:])
        name = ask.options().rest
        if not name:
            raise UsageError(
                "Which entity? For example `docs payments-api`, or `docs search <words>`."
            )
        view = docs_overview(catalog, techdocs, find_entity(catalog, name))
        return overview_reply(view, command=command)

    def answer_search(words: list[str]) -> Reply:
        opts = parse_options(words, values={"owner", "entity"})
        query = " ".join(opts.positional[:_MAX_WORDS])
        if not query:
            raise UsageError(_empty_search_hint(deps))
        owner = entity = None
        filters = []
        if "owner" in opts.values:
            owner = _owner_ref(deps, opts.values["owner"])
            filters.append(f"owned by {owner.short}")
        if "entity" in opts.values:
            entity = find_entity(catalog, opts.values["entity"]).ref
            filters.append(f"docs of {entity.short}")
        hits = search_docs(catalog, techdocs, query, owner=owner, entity=entity, limit=MAX_HITS)
        return search_reply(query, hits, filters=filters)

    deps.router.add(
        "docs",
        answer_docs,
        summary="An entity's docs (pages, links, owner, last build), or search every docs site",
        usage="docs <entity> | docs search <words> [--owner TEAM] [--entity ENTITY]",
        examples=("docs {component}", "docs search deploy --owner {group}"),
        aliases=("techdocs", "documentation"),
    )

    def home_coverage(home: HomeContext) -> list[Block]:
        refs = [s.ref for s in home.owned if s.ref.kind in _COVERED_KINDS]
        if home.caller.person is None or not refs:
            return []
        coverage = docs_coverage(home.catalog, techdocs, refs)
        return coverage_blocks(coverage, title="Docs of your components", command=command)

    def team_coverage(team: Team) -> list[Block]:
        coverage = owner_coverage(catalog, techdocs, team.ref, kinds=_COVERED_KINDS)
        whose = "its and its sub-teams'" if team.children else "its"
        title = f"Docs of {whose} components"
        return coverage_blocks(coverage, title=title, command=command)

    deps.home.add_section("docs", home_coverage, order=40, max_blocks=2)
    deps.team_page.add_section("docs", team_coverage, order=40, max_blocks=2)

    def preview(url: str) -> dict[str, Any] | None:
        found = unfurl_docs_url(catalog, techdocs, url)
        return unfurl_blocks(found) if found is not None else None

    deps.link_previews.add("docs", preview)


def _owner_ref(deps: Deps, name: str) -> EntityRef:
    ref = find_entity(deps.catalog, name, kinds=("group", "user")).ref
    if ref.kind not in {"group", "user"}:
        raise UsageError(f"--owner takes a team or a person; {ref.short} is a {ref.kind}.")
    return ref


def _empty_search_hint(deps: Deps) -> str:
    hint = "What should I look for? For example `docs search deploy`."
    try:
        named = find_entity(deps.catalog, "search")
    except GreenroomError:
        return hint
    return f"{hint} For the docs of {named.ref.short}, type `docs {named.ref.short}`."
