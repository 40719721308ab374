"""``owner <entity>``: the owning team (or user), its people, parents, contacts, system and
domain."""

from __future__ import annotations

from slack_bolt import App

from catalog.groups import ancestors
from catalog.lookup import find_entity
from catalog.ownership import Ownership, owner_of
from slackkit import blocks as bk
from slackkit.catalog_blocks import (
    entity_title,
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
    """Add the ``owner`` subcommand."""

    def answer_owner(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which entity? For example `owner payments-api`.")
        ownership = owner_of(deps.catalog, find_entity(deps.catalog, name))
        return render_owner(deps, ask, ownership)

    deps.router.add(
        "owner",
        answer_owner,
        summary="Who owns an entity, its people and how to reach them",
        usage="owner <entity>",
        examples=("owner {component}", "owner {api}"),
        aliases=("who", "owners"),
    )


def render_owner(deps: Deps, ask: Ask, answer: Ownership) -> Reply:
    """The ownership answer as Block Kit."""
    stored = answer.entity
    entity = stored.entity
    facts = [ref_text(stored.ref)]
    facts += [bk.escape(f) for f in (entity.spec_str("type"), answer.lifecycle) if f]
    head = [bk.header(entity.display_name), bk.context(" · ".join(facts))]
    if entity.metadata.description:
        head.append(bk.context(bk.plain(" ".join(entity.metadata.description.split()), 2000)))
    team, person = answer.team, answer.person
    if team is not None and team.exists:
        kind = f", {bk.escape(team.type)}" if team.type else ""
        lines = [f"*Owner:* *{bk.escape(team.display_name)}* ({ref_text(team.ref)}{kind})"]
        slack_ids = deps.users.slack_ids(ask.client, ask.caller.team_id, team.members)
        if team.members:
            lines.append(f"*Members ({len(team.members)}):* {people_text(team.members, slack_ids)}")
        else:
            lines.append("*Members:* _none listed in the catalog_")
        chain = ancestors(deps.catalog, team.ref)
        if chain:
            lines.append("*Part of:* " + " → ".join(ref_text(r) for r in chain[:6]))
        contacts = team_contacts(team)
        if contacts:
            lines.append(f"*Contact:* {contacts}")
    elif team is not None:
        lines = [f"*Owner:* {ref_text(team.ref)} :warning: _that group is not in the catalog_"]
    elif person is not None:
        slack_ids = deps.users.slack_ids(ask.client, ask.caller.team_id, [person])
        missing = "" if person.exists else " :warning: _not in the catalog_"
        lines = [f"*Owner:* {people_text([person], slack_ids)} ({ref_text(person.ref)}){missing}"]
        if person.email:
            lines.append(f"*Contact:* {bk.link('mailto:' + person.email, person.email)}")
    else:
        lines = ["*Owner:* :warning: _nobody: this entity has no owner in the catalog_"]
    where = []
    if answer.system is not None:
        where.append(f"*System:* {entity_title(answer.system)}")
    if answer.domain is not None:
        where.append(f"*Domain:* {entity_title(answer.domain)}")
    body = [bk.section("\n".join(lines))]
    if where:
        body.append(bk.section("\n".join(where)))
    links = [bk.link(link.url, link.title) for link in entity.metadata.links[:5]]
    if links:
        body.append(bk.context("Links: " + " · ".join(links)))
    owner_name = team.display_name if team else (person.display_name if person else "nobody")
    return Reply(f"{entity.display_name} is owned by {owner_name}", (*head, *body))
