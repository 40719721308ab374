"""A nudge as a Slack message: what one team still has to do for a migration, entity by
entity with the checks it fails, the deadline, and how often the reminder comes. Escaped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from catalog import EntityRef
from catalog.tech_migrations import Nudge, RemainingItem
from commands.migrations.blocks import deadline_text
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text

__all__ = ["nudge_message"]

_ITEMS = 25
_REASON = 160


def nudge_message(
    nudge: Nudge, *, today: date, links: Mapping[EntityRef, str], command: str
) -> tuple[str, list[Block]]:
    """The reminder's notification text (plain) and blocks; ``links`` are source URLs."""
    count = len(nudge.items)
    things = f"{count} {'entity' if count == 1 else 'entities'}"
    text = f"{nudge.migration_title}: {nudge.team_name} has {things} left"
    lines = [_item_line(item, links) for item in nudge.items[:_ITEMS]]
    if count > _ITEMS:
        lines.append(f"… and {count - _ITEMS} more")
    blocks: list[Block] = [
        bk.header(f"Reminder: {nudge.migration_title}"),
        bk.section(
            f"*{bk.escape(nudge.team_name)}* ({ref_text(nudge.team)}) has {things} left · "
            f"{deadline_text(nudge.deadline, today)}"
        ),
        *(bk.section(chunk) for chunk in bk.pack_lines(lines)[:5]),
        bk.context(
            f"{bk.code(f'{command} migrations {nudge.migration_id} mine')} lists what all "
            f"your teams have left · this reminder comes at most {_every(nudge.interval)}"
        ),
    ]
    return text, blocks


def _item_line(item: RemainingItem, links: Mapping[EntityRef, str]) -> str:
    url = links.get(item.ref)
    name = bk.truncate(" ".join(item.display_name.split()), 80)
    shown = bk.link(url, name) if url else bk.escape(name)
    failing = "; ".join(
        f"{bk.escape(bk.truncate(f.check, 100))}: {bk.escape(bk.truncate(f.reason, _REASON))}"
        for f in item.failures[:3]
    )
    more = f" (+{len(item.failures) - 3} more)" if len(item.failures) > 3 else ""
    return f"• *{shown}* {ref_text(item.ref)} — {failing or bk.escape(item.status)}{more}"


def _every(interval: timedelta) -> str:
    hours = int(interval.total_seconds() // 3600)
    if hours % (24 * 7) == 0:
        weeks = hours // (24 * 7)
        return "once a week" if weeks == 1 else f"every {weeks} weeks"
    if hours % 24 == 0:
        days = hours // 24
        return "once a day" if days == 1 else f"every {days} days"
    return "once an hour" if hours == 1 else f"every {hours} hours"
