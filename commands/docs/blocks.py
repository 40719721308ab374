"""How TechDocs answers read in Slack: an entity's docs, search results, coverage, unfurls.

Page titles, headings and snippets come from repositories' Markdown and are untrusted like
catalog text: everything goes through ``slackkit/blocks.py`` (escaped, links only for http(s) URLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from catalog import EntityRef
from integrations.techdocs import (
    TECHDOCS_REF,
    CoverageStatus,
    DocsCoverage,
    DocsCoverageItem,
    DocsOverview,
    DocsSearchHit,
    DocsUnfurl,
)
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.replies import Reply

__all__ = ["coverage_blocks", "overview_reply", "search_reply", "unfurl_blocks"]

_REASON_LIMIT = 600
_SNIPPET_LIMIT = 160
_PROBLEMS_SHOWN = 8
_ICONS = {"failing": ":x:", "no_docs": ":page_facing_up:", "not_built": ":hourglass:"}
_WORST_FIRST: tuple[CoverageStatus, ...] = ("failing", "unavailable", "not_built", "no_docs")


def overview_reply(view: DocsOverview, *, command: str) -> Reply:
    """``docs <entity>``: where the docs are, their pages and links, owner, build state."""
    facts = [ref_text(view.ref), _owner_text(view.owner_ref, view.owner_name)]
    if view.built_at is not None:
        facts.append(f"site built {_when(view.built_at)}")
    head: list[Block] = [bk.header(f"Docs: {view.display_name}"), bk.context(" · ".join(facts))]
    head.append(bk.section(_status_text(view, command)))
    if view.links:
        links = " · ".join(bk.link(link.url, link.title) for link in view.links[:10])
        head.append(bk.context(f"Links: {links}"))
    lines: tuple[str, ...] = ()
    if view.nav:
        lines = ("*Pages*", *(f"• {bk.link(n.url, n.title)}" for n in view.nav))
    text = f"Docs of {view.display_name}: " + _STATUS_WORDS[view.status]
    return Reply(text, tuple(head), lines)


_STATUS_WORDS = {
    "ok": "built",
    "failing": "the last build failed",
    "no_docs": "no docs yet",
    "not_built": "not built yet",
    "unavailable": "cannot be built here",
}


def _status_text(view: DocsOverview, command: str) -> str:
    home = bk.link(view.home_url, "Open the docs") if view.home_url else None
    named = view.site_name and view.site_name != view.display_name
    site = f" ({bk.escape(view.site_name)})" if named else ""
    reason = _reason(view.reason)
    rebuild = bk.code(f"greenroom docs build {view.ref.short}")
    if view.status == "ok":
        warned = f"\n_{len(view.warnings)} build warnings_" if view.warnings else ""
        return f":books: *{home}*{site}{warned}"
    if view.status == "failing":
        kept = f"\nThe last good site is still served: {home}{site}" if home else ""
        return (
            f":x: *The last docs build failed* because {reason}{kept}\nOnce it is fixed in the "
            f"repository, the next catalog sync rebuilds it (or run {rebuild})."
        )
    if view.status == "no_docs":
        return (
            f":page_facing_up: *No docs yet.* {ref_text(view.ref)} has no "
            f"{bk.code(TECHDOCS_REF)} annotation. Add {bk.code(TECHDOCS_REF + ': dir:.')} to "
            "its catalog-info.yaml and a docs/ folder with index.md beside it; the site is "
            "built after the next catalog sync."
        )
    if view.status == "not_built":
        return (
            f":hourglass: *Not built yet.* The docs are built after the next catalog sync "
            f"(or run {rebuild})."
        )
    return f":warning: *The docs cannot be built here* because {reason}"


def _reason(reason: str | None) -> str:
    if not reason:
        return "of an unknown error (see the worker's log)."
    return bk.escape(bk.truncate(" ".join(reason.split()), _REASON_LIMIT))


def search_reply(query: str, hits: Sequence[DocsSearchHit], *, filters: Sequence[str]) -> Reply:
    """``docs search``: ranked pages, one line each, paged by the framework."""
    scope = f" ({', '.join(filters)})" if filters else ""
    if not hits:
        text = f"No docs pages match “{query}”{scope}."
        return Reply(text, (bk.section(bk.escape(text)),), shareable=False)
    facts = [f"{len(hits)} pages, best first", *(bk.escape(f) for f in filters)]
    return Reply(
        f"{len(hits)} docs pages match “{query}”{scope}",
        (bk.header(f"Docs matching “{query}”"), bk.context(" · ".join(facts))),
        tuple(_hit_line(hit) for hit in hits),
    )


def _hit_line(hit: DocsSearchHit) -> str:
    where = hit.page_title + (f" → {hit.heading}" if hit.heading else "")
    line = f"• *{bk.link(hit.url, bk.truncate(where, 150))}* {ref_text(hit.entity_ref)}"
    snippet = " ".join(hit.snippet.split())
    if snippet:
        line += " — " + bk.escape(bk.truncate(snippet, _SNIPPET_LIMIT))
    return line


def coverage_blocks(coverage: DocsCoverage, *, title: str, command: str) -> list[Block]:
    """A coverage summary and the entities whose docs are missing or failing."""
    if not coverage.items:
        return []
    total = len(coverage.items)
    good = len(coverage.having("ok"))
    problems = sorted(coverage.having(*_WORST_FIRST), key=lambda i: _WORST_FIRST.index(i.status))
    head = f"*{bk.escape(title)}*: {good} of {total} have docs that build ({coverage.percent}%)"
    if not problems:
        return [bk.section(f"{head}\n:white_check_mark: Every one has docs that build.")]
    lines = [head, *(_problem_line(item) for item in problems[:_PROBLEMS_SHOWN])]
    more = len(problems) - _PROBLEMS_SHOWN
    if more > 0:
        lines.append(f"… and {more} more")
    hint = f"{bk.code(command + ' docs <entity>')} shows why and how to fix it."
    return [bk.section("\n".join(lines)), bk.context(hint)]


def _problem_line(item: DocsCoverageItem) -> str:
    icon = _ICONS.get(item.status, ":warning:")
    name = f"{icon} {ref_text(item.ref)}"
    if item.status == "failing":
        return f"{name} build failed: {bk.escape(bk.truncate(item.reason or 'unknown error', 150))}"
    if item.status == "no_docs":
        return f"{name} has no docs"
    if item.status == "not_built":
        return f"{name} is not built yet"
    return f"{name} cannot be built: {bk.escape(bk.truncate(item.reason or 'unknown', 150))}"


def unfurl_blocks(preview: DocsUnfurl) -> dict[str, Any]:
    """The ``chat.unfurl`` attachment for one docs URL: page, entity, owner."""
    page = preview.page_title or preview.site_name or preview.entity_title
    where = page + (f" → {preview.heading}" if preview.heading else "")
    lines = [f"*{bk.link(preview.url, bk.truncate(where, 150))}*"]
    entity = f":books: Docs of *{bk.escape(preview.entity_title)}* {ref_text(preview.entity_ref)}"
    lines.append(entity)
    facts = [_owner_text(preview.owner_ref, preview.owner_name)]
    if preview.built_at is not None:
        facts.append(f"built {_when(preview.built_at)}")
    blocks: list[Block] = [bk.section("\n".join(lines)), bk.context(" · ".join(facts))]
    if preview.description:
        text = " ".join(preview.description.split())
        blocks.insert(1, bk.context(bk.plain(bk.truncate(text, 300))))
    return {"blocks": blocks}


def _owner_text(owner_ref: EntityRef | None, owner_name: str | None) -> str:
    if owner_ref is None:
        return "no owner in the catalog"
    name = bk.escape(owner_name) if owner_name else "_not in the catalog_"
    return f"owner *{name}* {ref_text(owner_ref)}"


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%d %H:%M UTC")
    age = datetime.now(UTC) - moment
    if age.total_seconds() < 0:
        return stamp
    if age.days >= 2:
        return f"{stamp} ({age.days} days ago)"
    hours = int(age.total_seconds() // 3600)
    if hours >= 1:
        return f"{stamp} ({hours} h ago)"
    return f"{stamp} ({int(age.total_seconds() // 60)} min ago)"
