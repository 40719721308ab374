"""How catalog things read in Slack: entities, people, teams, contact links. All escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from catalog import EntityRef, EntitySummary
from catalog.groups import Person, Team
from slackkit import blocks as bk

__all__ = [
    "entity_line",
    "entity_title",
    "kind_heading",
    "kind_label",
    "kind_plural",
    "people_text",
    "person_text",
    "ref_text",
    "team_contacts",
]

_PEOPLE_SHOWN = 25
_KIND_PLURALS = {"api": "APIs", "system": "systems", "domain": "domains", "user": "users"}


def ref_text(ref: EntityRef) -> str:
    """``kind:name`` as inline code."""
    return bk.code(ref.short)


def entity_title(summary: EntitySummary) -> str:
    """The entity's title in bold, then its ref; a missing entity is marked."""
    missing = " :warning: _not in the catalog_" if not summary.exists else ""
    return f"*{bk.escape(bk.truncate(summary.display_name, 120))}* {ref_text(summary.ref)}{missing}"


def entity_line(summary: EntitySummary, *, detail: str = "", indent: int = 0) -> str:
    """One list line: title, ref, type and lifecycle, then ``detail`` (already escaped) or the
    start of the description."""
    facts = [bk.escape(f) for f in (summary.spec_type, summary.lifecycle) if f]
    text = "  " * indent + "• " + entity_title(summary)
    if facts:
        text += " · " + " · ".join(facts)
    if detail:
        text += " · " + detail
    elif summary.description:
        text += " — " + bk.escape(bk.truncate(" ".join(summary.description.split()), 100))
    return text


def kind_plural(kind: str) -> str:
    """``components``, ``APIs``."""
    return _KIND_PLURALS.get(kind, kind + "s")


def kind_heading(kind: str) -> str:
    """``Components``, ``APIs``."""
    plural = kind_plural(kind)
    return plural[:1].upper() + plural[1:]


def kind_label(kind: str, count: int) -> str:
    """``3 components``, ``1 API``."""
    if count == 1:
        return f"1 {'API' if kind == 'api' else kind}"
    return f"{count} {kind_plural(kind)}"


def person_text(person: Person, slack_ids: Mapping[EntityRef, str]) -> str:
    """A mention when the person is mapped to Slack, else their escaped name."""
    slack_id = slack_ids.get(person.ref)
    if slack_id:
        try:
            return bk.mention(slack_id)
        except ValueError:
            pass
    name = bk.escape(person.display_name)
    return name if person.exists else f"{name} _(not in the catalog)_"


def people_text(people: Sequence[Person], slack_ids: Mapping[EntityRef, str]) -> str:
    """Comma-separated people, the first 25, then how many more."""
    shown = [person_text(p, slack_ids) for p in people[:_PEOPLE_SHOWN]]
    more = len(people) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def team_contacts(team: Team) -> str:
    """The team's Slack channel, email and links, joined; empty when it has none."""
    parts: list[str] = []
    if team.slack_channel:
        parts.append(bk.channel(team.slack_channel))
    if team.email:
        parts.append(bk.link(f"mailto:{team.email}", team.email))
    parts.extend(bk.link(url, title) for title, url in _first(team.links, 5))
    return " · ".join(parts)


def _first(items: Iterable[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    return list(items)[:n]
