"""``team [group]``: a group's page (people, sub-teams, what it owns by kind); without a group,
the caller's own teams."""

from __future__ import annotations

from collections import Counter, defaultdict

from slack_bolt import App

from catalog import EntitySummary
from catalog.groups import Team, ancestors, groups_of_user, owned_by, team_of
from catalog.lookup import find_entity
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import (
    entity_line,
    kind_heading,
    kind_label,
    people_text,
    ref_text,
    team_contacts,
)
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]


def register(app: App, deps: Deps) -> None:
    """Add the ``team`` subcommand."""

    def answer_team(ask: Ask) -> Reply:
        name = ask.options().rest
        if name:
            stored = find_entity(deps.catalog, name, kinds=("group",))
            if stored.ref.kind != "group":
                raise UsageError(
                    f"{stored.ref.short} is a {stored.ref.kind}, not a team; "
                    f"`owner {stored.ref.short}` tells who owns it."
                )
            return _team_page(deps, ask, team_of(deps.catalog, stored.ref))
        return _my_teams(deps, ask)

    deps.router.add(
        "team",
        answer_team,
        summary="A team's page: people, sub-teams and what it owns; yours without a name",
        usage="team [group]",
        examples=("team", "team {group}"),
        aliases=("group", "teams"),
    )


def _team_page(deps: Deps, ask: Ask, team: Team) -> Reply:
    facts = [ref_text(team.ref)] + ([bk.escape(team.type)] if team.type else [])
    head: list[Block] = [bk.header(team.display_name), bk.context(" · ".join(facts))]
    if team.description:
        head.append(bk.context(bk.plain(" ".join(team.description.split()), 2000)))
    lines = []
    chain = ancestors(deps.catalog, team.ref)
    if chain:
        lines.append("*Part of:* " + " → ".join(ref_text(r) for r in chain[:6]))
    if team.children:
        lines.append("*Sub-teams:* " + ", ".join(ref_text(c.ref) for c in team.children[:25]))
    slack_ids = deps.users.slack_ids(ask.client, ask.caller.team_id, team.members)
    members = people_text(team.members, slack_ids) if team.members else "_none listed_"
    lines.append(f"*Members ({len(team.members)}):* {members}")
    contacts = team_contacts(team)
    if contacts:
        lines.append(f"*Contact:* {contacts}")
    head.append(bk.section("\n".join(lines)))
    owned = owned_by(deps.catalog, [team.ref])
    extra = tuple(deps.team_page.render(team))
    if not owned:
        head.append(bk.section("*Owns:* _nothing in the catalog_"))
        return Reply(f"{team.display_name}: {len(team.members)} members", (*head, *extra))
    counts = Counter(s.ref.kind for s in owned)
    head.append(
        bk.section("*Owns:* " + ", ".join(kind_label(k, n) for k, n in sorted(counts.items())))
    )
    return Reply(
        f"{team.display_name}: {len(team.members)} members, owns {len(owned)} entities",
        tuple(head),
        _owned_lines(owned),
        extra,
    )


def _my_teams(deps: Deps, ask: Ask) -> Reply:
    caller = ask.caller
    if caller.person is None:
        raise UsageError(
            "I can't tell which teams are yours: your Slack account is not matched to a catalog "
            "user (`whoami` says why). Name a team instead, e.g. `team payments-core`."
        )
    teams = groups_of_user(deps.catalog, caller.person.ref)
    if not teams:
        return Reply.simple(
            f"{caller.person.display_name} is not a member of any team in the catalog."
        )
    if len(teams) == 1:
        return _team_page(deps, ask, team_of(deps.catalog, teams[0]))
    owned = deps.catalog.owned_refs(teams)
    blocks: list[Block] = [bk.header(f"Your {len(teams)} teams")]
    for ref in teams[:20]:
        team = team_of(deps.catalog, ref)
        blocks.append(bk.section(_team_summary(deps, team, owned.get(ref, []))))
    return Reply(f"Your teams: {', '.join(t.name for t in teams)}", tuple(blocks))


def _team_summary(deps: Deps, team: Team, owned: list[EntitySummary]) -> str:
    counts = Counter(s.ref.kind for s in owned)
    owns = ", ".join(kind_label(k, n) for k, n in sorted(counts.items())) or "nothing"
    chain = ancestors(deps.catalog, team.ref)
    part_of = (" · part of " + " → ".join(ref_text(r) for r in chain[:4])) if chain else ""
    return (
        f"*{bk.escape(team.display_name)}* {ref_text(team.ref)}{part_of}\n"
        f"{len(team.members)} members · owns {owns} · `team {bk.escape(team.ref.name)}` for more"
    )


def _owned_lines(owned: list[EntitySummary]) -> tuple[str, ...]:
    by_kind: dict[str, list[EntitySummary]] = defaultdict(list)
    for summary in owned:
        by_kind[summary.ref.kind].append(summary)
    lines: list[str] = []
    for kind in sorted(by_kind):
        items = by_kind[kind]
        lines.append(f"*{kind_heading(kind)} ({len(items)})*")
        lines.extend(entity_line(s) for s in items)
    return tuple(lines)
