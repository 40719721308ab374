"""``deps <entity> [--reverse] [--depth N|all]`` and ``impact <entity>`` (the blast radius)."""

from __future__ import annotations

import logging
from functools import partial

from slack_bolt import App

from catalog import EntityRef, EntitySummary
from catalog.graph import DependencyNode, blast_radius, dependencies
from catalog.groups import slack_channels
from catalog.lookup import find_entity
from slackkit import blocks as bk
from slackkit.catalog_blocks import entity_line, entity_title, ref_text
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.replies import LazyLines, Reply
from slackkit.router import Ask

__all__ = ["register"]

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 2
MAX_DEPTH = 10
_NAMES_PER_TEAM = 12


def register(app: App, deps: Deps) -> None:
    """Add the ``deps`` and ``impact`` subcommands."""

    def answer_deps(ask: Ask) -> Reply:
        opts = ask.options(flags={"reverse"}, values={"depth"})
        if not opts.rest:
            raise UsageError("Which entity? For example `deps checkout --reverse`.")
        depth = _depth(opts.values.get("depth"))
        stored = find_entity(deps.catalog, opts.rest)
        reverse = "reverse" in opts.flags
        nodes = dependencies(deps.catalog, stored.ref, reverse=reverse, depth=depth)
        levels = "all levels" if depth is None else f"{depth} level{'s' * (depth != 1)}"
        verb = "is needed by" if reverse else "depends on"
        title = f"{stored.entity.display_name} {verb} {len(nodes)} entities ({levels})"
        head = [bk.header(title), bk.context(entity_title(stored.summary))]
        if not nodes:
            empty = (
                "Nothing in the catalog depends on it." if reverse else "It has no dependencies."
            )
            return Reply(title, (*head, bk.section(empty)))
        return Reply(title, tuple(head), LazyLines([partial(_node_line, n) for n in nodes]))

    def answer_impact(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which entity? For example `impact payments-api`.")
        stored = find_entity(deps.catalog, name)
        radius = blast_radius(deps.catalog, stored.ref)
        teams = len(radius.owners)
        title = (
            f"If {stored.entity.display_name} breaks: {len(radius.dependents)} dependents, "
            f"{teams} team{'s' * (teams != 1)} to tell"
        )
        head = [bk.header(bk.truncate(title, 150)), bk.context(entity_title(stored.summary))]
        if not radius.dependents:
            return Reply(title, (*head, bk.section("Nothing in the catalog depends on it.")))
        channels = _channels(deps, [owner for owner, _ in radius.owners])
        contacts = _contacts(deps, ask, [(owner.ref, refs) for owner, refs in radius.owners])
        # thousands of teams for a hub: only the page sent is formatted
        lines = [
            partial(_team_line, owner, refs, channels.get(str(owner.ref)), contacts.get(owner.ref))
            for owner, refs in radius.owners
        ]
        if radius.unowned:
            lines.append(partial(_unowned_line, radius.unowned))
        return Reply(title, tuple(head), LazyLines(lines))

    deps.router.add(
        "deps",
        answer_deps,
        summary="What an entity depends on, or with --reverse what depends on it",
        usage="deps <entity> [--reverse] [--depth N|all]",
        examples=("deps {component}", "deps {component} --reverse --depth all"),
        aliases=("dependencies",),
    )
    deps.router.add(
        "impact",
        answer_impact,
        summary="The blast radius: everything that breaks with it, and which teams to tell",
        usage="impact <entity>",
        examples=("impact {resource}",),
        aliases=("blast",),
    )


def _depth(value: str | None) -> int | None:
    if value is None:
        return DEFAULT_DEPTH
    if value.lower() == "all":
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_DEPTH:
        raise UsageError(f"--depth takes a number from 1 to {MAX_DEPTH}, or `all`.")
    return int(value)


def _channels(deps: Deps, owners: list[EntitySummary]) -> dict[str, str]:
    found = slack_channels(deps.catalog, [o.ref for o in owners])
    return {str(ref): channel for ref, channel in found.items() if channel}


def _contacts(
    deps: Deps, ask: Ask, teams: list[tuple[EntityRef, list[EntityRef]]]
) -> dict[EntityRef, str]:
    """What capabilities add about whom to reach in each team (the person on call); one that
    fails is logged and left out, the answer still goes."""
    found: dict[EntityRef, str] = {}
    for contact in deps.team_contacts:
        try:
            found.update(contact(ask.client, ask.caller.team_id, teams))
        except Exception:
            log.exception("A team contact hook failed")
    return found


def _node_line(node: DependencyNode) -> str:
    owner = f" · owner {ref_text(node.owner)}" if node.owner else ""
    detail = f"_{bk.escape(node.relation)}_{owner}"
    return entity_line(node.summary, indent=node.depth - 1, detail=detail)


def _unowned_line(unowned: list[EntityRef]) -> str:
    names = ", ".join(ref_text(r) for r in unowned[:_NAMES_PER_TEAM])
    more = len(unowned) - _NAMES_PER_TEAM
    names += f" and {more} more" if more > 0 else ""
    return f"• :warning: *No owner* ({len(unowned)}): {names}"


def _team_line(
    owner: EntitySummary, refs: list[EntityRef], channel: str | None, contact: str | None = None
) -> str:
    names = ", ".join(ref_text(r) for r in refs[:_NAMES_PER_TEAM])
    more = len(refs) - _NAMES_PER_TEAM
    names += f" and {more} more" if more > 0 else ""
    where = f" {bk.channel(channel)}" if channel else ""
    reach = f" · {contact}" if contact else ""
    return f"• Tell {entity_title(owner)}{where}{reach} ({len(refs)}): {names}"
