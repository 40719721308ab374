"""The catalog-quality digest as a Slack message: entities without an owner (or owned by
nobody who exists), dangling refs, the last sync's errors and services without docs, each with
its change since the previous digest. Every name, ref and error text is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from catalog.quality import CatalogQuality
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import entity_line, ref_text

__all__ = ["quality_message", "quality_summary"]

_SHOWN = 8
_ERROR_LIMIT = 300


def quality_summary(quality: CatalogQuality) -> dict[str, int]:
    """The counts a digest shows, stored with it so the next digest can say what changed."""
    return {
        "entities": quality.entities,
        "without_owner": quality.without_owner_total,
        "dangling_owner": quality.dangling_owner_total,
        "dangling_refs": quality.dangling_refs_total,
        "sync_errors": _sync_problems(quality),
        "services_without_docs": quality.services_without_docs_total,
    }


def quality_message(
    quality: CatalogQuality,
    *,
    previous: Mapping[str, Any] | None = None,
    since: datetime | None = None,
    command: str = "/greenroom",
) -> tuple[str, list[Block]]:
    """The digest's notification text and blocks; ``previous`` is the summary of the digest
    posted at ``since`` (None for the first one)."""
    counts = quality_summary(quality)
    problems = sum(v for k, v in counts.items() if k != "entities")
    compared = f" · change since {since:%a %d %b}" if since and previous is not None else ""
    blocks: list[Block] = [
        bk.header("Catalog quality"),
        bk.context(f"{quality.entities} entities{compared}"),
    ]
    if problems == 0:
        blocks.append(
            bk.section(
                ":white_check_mark: Every entity has an owner that exists, "
                "every ref resolves, the last sync had no errors and every "
                "service has docs."
            )
        )
        return "Catalog quality: nothing to fix", blocks

    def heading(key: str, label: str) -> str:
        return f"*{label}: {counts[key]}*{_change(counts[key], previous, key)}"

    sections = [
        (
            heading("without_owner", "Without an owner"),
            [entity_line(s) for s in quality.without_owner],
            counts["without_owner"],
        ),
        (
            heading("dangling_owner", "Owned by someone not in the catalog"),
            [f"• {ref_text(ref)} → {ref_text(owner)}" for ref, owner in quality.dangling_owner],
            counts["dangling_owner"],
        ),
        (
            heading("dangling_refs", "Refs to entities that do not exist"),
            [
                f"• {bk.code(d.declared_by)} {bk.escape(d.type)} {bk.code(d.missing)}"
                for d in quality.dangling_refs
            ],
            counts["dangling_refs"],
        ),
        (
            heading("sync_errors", "Errors in the last sync"),
            _sync_lines(quality),
            counts["sync_errors"],
        ),
        (
            heading("services_without_docs", "Services without docs"),
            [entity_line(s) for s in quality.services_without_docs],
            counts["services_without_docs"],
        ),
    ]
    for title, lines, total in sections:
        if total == 0 and not lines:
            blocks.append(bk.section(f"{title} :white_check_mark:"))
            continue
        blocks.append(bk.section("\n".join([title, *_first(lines, total)])))
    blocks.append(
        bk.context(
            f"Look anything up with {bk.code(command + ' owner <entity>')}; "
            f"`greenroom sync --json` on the server lists every problem with file:line."
        )
    )
    return f"Catalog quality: {problems} things to fix", blocks


def _sync_problems(quality: CatalogQuality) -> int:
    last = quality.last_sync
    return last.error_count + len(last.unavailable) if last else 0


def _sync_lines(quality: CatalogQuality) -> list[str]:
    last = quality.last_sync
    if last is None:
        return ["• no sync has finished yet"]
    lines = [
        f"• could not read {bk.escape(bk.truncate(u, _ERROR_LIMIT))}" for u in last.unavailable
    ]
    lines += [f"• {bk.escape(bk.truncate(e, _ERROR_LIMIT))}" for e in last.errors]
    return lines


def _first(lines: Sequence[str], total: int) -> list[str]:
    shown = list(lines[:_SHOWN])
    more = max(total, len(lines)) - len(shown)
    return [*shown, f"_and {more} more_"] if more > 0 else shown


def _change(now: int, previous: Mapping[str, Any] | None, key: str) -> str:
    if previous is None or not isinstance(previous.get(key), int):
        return ""
    delta = now - int(previous[key])
    if delta == 0:
        return " (no change)"
    mark = ":chart_with_upwards_trend:" if delta > 0 else ":tada:"
    return f" ({delta:+d} {mark})"
