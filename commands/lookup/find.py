"""``find <text>``: search names, titles, descriptions and tags (fuzzy when nothing matches)."""

from __future__ import annotations

from slack_bolt import App

from catalog.search import search_entities
from slackkit import blocks as bk
from slackkit.catalog_blocks import entity_line
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]

MAX_RESULTS = 100
_MAX_WORDS = 12


def register(app: App, deps: Deps) -> None:
    """Add the ``find`` subcommand."""

    def answer_find(ask: Ask) -> Reply:
        words = ask.text.split()[:_MAX_WORDS]
        if not words:
            raise UsageError("What should I look for? For example `find payments`.")
        query = " ".join(words)
        hits = search_entities(deps.catalog, query, limit=MAX_RESULTS)
        if not hits:
            text = f"Nothing in the catalog matches “{query}”."
            return Reply(text, (bk.section(bk.escape(text)),), shareable=False)
        count = f"{len(hits)}+" if len(hits) == MAX_RESULTS else str(len(hits))
        title = f"{count} results for “{query}”"
        return Reply(title, (bk.header(title),), tuple(entity_line(h.summary) for h in hits))

    deps.router.add(
        "find",
        answer_find,
        summary="Search the catalog by name, title, description or tag",
        usage="find <text>",
        examples=("find {component}",),
        aliases=("search",),
    )
