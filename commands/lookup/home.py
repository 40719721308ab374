"""The Home tab's built-in sections: my teams, what we own (by kind and lifecycle), and the
catalog problems in what we own (dangling references, parts of our systems with no owner)."""

from __future__ import annotations

from collections import Counter, defaultdict

from slack_bolt import App

from catalog import EntityRef, EntitySummary
from catalog.groups import ancestors, team_of
from catalog.relations import CONSUMES_API, DEPENDS_ON, HAS_PART, OWNED_BY, PART_OF, PROVIDES_API
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import entity_title, kind_heading, ref_text
from slackkit.deps import Deps
from slackkit.home import HomeContext

__all__ = ["register"]

_NAMES_PER_KIND = 12
_PROBLEMS_SHOWN = 15


def register(app: App, deps: Deps) -> None:
    """Add the teams, owned and problems sections to the Home tab."""
    command = deps.settings.slack.command

    def teams(home: HomeContext) -> list[Block]:
        if home.caller.person is None:
            return []
        if not home.teams:
            return [bk.section("*Your teams*\nYou are not a member of any team in the catalog.")]
        lines = ["*Your teams*"]
        for ref in home.teams[:10]:
            team = team_of(home.catalog, ref, with_members=False)
            chain = ancestors(home.catalog, ref)
            above = (" → " + " → ".join(ref_text(r) for r in chain[:4])) if chain else ""
            channel = f" · {bk.channel(team.slack_channel)}" if team.slack_channel else ""
            lines.append(f"• *{bk.escape(team.display_name)}* {ref_text(ref)}{above}{channel}")
        return [bk.section("\n".join(lines))]

    def owned(home: HomeContext) -> list[Block]:
        if home.caller.person is None:
            return []
        if not home.owned:
            return [bk.section("*What you own*\nNothing in the catalog is owned by your teams.")]
        by_kind: dict[str, list[EntitySummary]] = defaultdict(list)
        for summary in home.owned:
            by_kind[summary.ref.kind].append(summary)
        result: list[Block] = [bk.section(f"*What you own* ({len(home.owned)} entities)")]
        for kind in sorted(by_kind, key=lambda k: (-len(by_kind[k]), k)):
            items = by_kind[kind]
            stages = Counter(s.lifecycle for s in items if s.lifecycle)
            ordered = sorted(stages.items(), key=lambda x: (-x[1], x[0]))
            split = " · ".join(f"{bk.escape(stage)} {n}" for stage, n in ordered)
            names = ", ".join(ref_text(s.ref) for s in items[:_NAMES_PER_KIND])
            more = len(items) - _NAMES_PER_KIND
            names += f" and {more} more" if more > 0 else ""
            heading = f"*{kind_heading(kind)}* ({len(items)})" + (f": {split}" if split else "")
            result.append(bk.section(f"{heading}\n{names}"))
        result.append(bk.context(f"{bk.code(command + ' team')} lists everything, page by page."))
        return result

    def problems(home: HomeContext) -> list[Block]:
        if not home.owned:
            return []
        found = catalog_problems(home, [s.ref for s in home.owned])
        if not found:
            return [bk.section("*Catalog problems*\n:white_check_mark: None in what you own.")]
        lines = [f"*Catalog problems* ({len(found)})", *found[:_PROBLEMS_SHOWN]]
        if len(found) > _PROBLEMS_SHOWN:
            lines.append(f"… and {len(found) - _PROBLEMS_SHOWN} more")
        return [bk.section("\n".join(lines))]

    deps.home.add_section("teams", teams, order=10, max_blocks=3)
    deps.home.add_section("owned", owned, order=20, max_blocks=14)
    deps.home.add_section("problems", problems, order=30, max_blocks=3)


def catalog_problems(home: HomeContext, refs: list[EntityRef]) -> list[str]:
    """Lines describing dangling references from ``refs``, and parts of their systems that
    have no owner."""
    catalog = home.catalog
    out = catalog.neighbours(refs, outgoing=[DEPENDS_ON, CONSUMES_API, PROVIDES_API, PART_OF])
    targets = {t for edges in out.values() for _, t in edges}
    exists = catalog.summaries(targets)
    lines = [
        f":warning: {ref_text(ref)} {bk.escape(relation)} {entity_title(exists[target])}"
        for ref in sorted(out)
        for relation, target in sorted(out[ref], key=lambda e: (str(e[1]), e[0]))
        if not exists[target].exists
    ]
    systems = [r for r in refs if r.kind == "system"]
    parts = catalog.neighbours(systems, incoming=[PART_OF]) if systems else {}
    part_refs = sorted({t for edges in parts.values() for rel, t in edges if rel == HAS_PART})
    owners = catalog.neighbours(part_refs, outgoing=[OWNED_BY]) if part_refs else {}
    owner_refs = {t for edges in owners.values() for _, t in edges}
    owner_exists = catalog.summaries(owner_refs)
    for part in part_refs:
        part_owners = [t for _, t in owners.get(part, set())]
        if not part_owners or not any(owner_exists[o].exists for o in part_owners):
            lines.append(f":warning: {ref_text(part)} is part of your system but has no owner")
    return lines
