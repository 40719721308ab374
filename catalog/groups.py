"""Teams and people: the group tree, a user's groups, members, and what a group owns.

Membership (``memberOf``/``hasMember``) counts only between a User and a Group, and the tree
(``childOf``/``parentOf``) only between Groups: whatever relations another kind carries (a
Backstage API source serves any relation an entity has), they never make anyone a member of
anything. Catalog rules (``catalog/rules.py``) let only trusted sources define Users and Groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from catalog.annotations import SLACK_CHANNEL, SLACK_USER_ID
from catalog.generations import PerGeneration, PerGenerationAnswers, PerGenerationLookup
from catalog.refs import EntityRef, ref_from_canonical
from catalog.relations import CHILD_OF, MEMBER_OF
from catalog.store import Catalog, EntitySummary, StoredEntity

__all__ = [
    "Person",
    "Team",
    "ancestors",
    "descendants",
    "groups_of_user",
    "members_of",
    "owned_by",
    "owner_summaries",
    "person_of",
    "slack_channels",
    "team_of",
    "users_with_email",
]

_MAX_TREE = 10_000


@dataclass(frozen=True, slots=True)
class Person:
    """A User (or a dangling user ref, ``exists=False``)."""

    ref: EntityRef
    display_name: str
    email: str | None = None
    slack_user_id: str | None = None
    exists: bool = True


@dataclass(frozen=True, slots=True)
class Team:
    """A Group with its people and place in the tree."""

    ref: EntityRef
    display_name: str
    exists: bool = True
    type: str | None = None
    description: str | None = None
    email: str | None = None
    slack_channel: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    members: tuple[Person, ...] = ()
    parents: tuple[EntitySummary, ...] = ()
    children: tuple[EntitySummary, ...] = ()


def person_of(stored: StoredEntity) -> Person:
    """A Person from a stored User."""
    profile = stored.entity.spec.get("profile") or {}
    name = profile.get("displayName") if isinstance(profile, dict) else None
    email = profile.get("email") if isinstance(profile, dict) else None
    return Person(
        stored.ref,
        str(name or stored.entity.metadata.title or stored.ref.name),
        str(email) if email else None,
        stored.entity.annotation(SLACK_USER_ID),
    )


def members_of(catalog: Catalog, group: EntityRef) -> list[Person]:
    """Direct members of a group (from ``members`` and from users' ``memberOf``)."""
    near = catalog.neighbours([group], incoming=[MEMBER_OF]).get(group, set())
    refs = {t for _, t in near if t.kind == "user"}
    found = catalog.get_many(refs)
    people = [person_of(found[r]) if r in found else Person(r, r.name, exists=False) for r in refs]
    return sorted(people, key=lambda p: (p.display_name.lower(), str(p.ref)))


def team_of(
    catalog: Catalog, group: EntityRef, *, with_members: bool = True, with_children: bool = True
) -> Team:
    """A group's page: profile, members, parents and children (dangling-safe)."""
    return _teams(catalog, (group, with_members, with_children))


def _read_team(catalog: Catalog, key: tuple[EntityRef, bool, bool]) -> Team:
    group, with_members, with_children = key
    stored = catalog.get(group)
    if stored is None:
        return Team(group, group.name, exists=False)
    entity = stored.entity
    profile = entity.spec.get("profile") or {}
    profile = profile if isinstance(profile, dict) else {}
    incoming = [CHILD_OF] if with_children else []
    near = catalog.neighbours([group], outgoing=[CHILD_OF], incoming=incoming).get(group, set())

    parents = sorted(t for rel, t in near if rel == CHILD_OF and t.kind == "group")
    children = sorted(t for rel, t in near if rel != CHILD_OF and t.kind == "group")
    summaries = catalog.summaries([*parents, *children])
    return Team(
        ref=group,
        display_name=str(profile.get("displayName") or entity.metadata.title or group.name),
        type=entity.spec_str("type"),
        description=entity.metadata.description,
        email=str(profile["email"]) if profile.get("email") else None,
        slack_channel=entity.annotation(SLACK_CHANNEL),
        links=tuple((link.title or link.url, link.url) for link in entity.metadata.links),
        members=tuple(members_of(catalog, group)) if with_members else (),
        parents=tuple(summaries[p] for p in parents),
        children=tuple(summaries[c] for c in children),
    )


#: Teams as read in this catalog generation: every owner answer reads its owning team, five
#: queries each. At most 5,000 people and sub-teams are kept (about 4 MB at 100k entities).
_teams: PerGenerationAnswers[tuple[EntityRef, bool, bool], Team] = PerGenerationAnswers(
    _read_team, size=5_000, weight=lambda team: 1 + len(team.members) + len(team.children)
)


def ancestors(catalog: Catalog, group: EntityRef) -> list[EntityRef]:
    """Parent, grandparent, ... up to the root (nearest first; cycles stop)."""
    return _climb(group_tree(catalog).parents, group)


def descendants(catalog: Catalog, group: EntityRef) -> list[EntityRef]:
    """Every group below ``group`` (breadth first; cycles stop)."""
    return _climb(group_tree(catalog).children, group)


def _climb(step: dict[str, tuple[str, ...]], group: EntityRef) -> list[EntityRef]:
    found: list[EntityRef] = []
    frontier = [group]
    seen = {group}
    while frontier and len(found) < _MAX_TREE:
        near = (ref_from_canonical(t) for r in frontier for t in step.get(str(r), ()))
        frontier = sorted(_groups(near) - seen)
        seen.update(frontier)
        found.extend(frontier)
    return found


class GroupTree:
    """The stored ``childOf`` relations of one catalog generation, both ways, in memory: a
    team page, an owner answer and ``whoami`` climb the group tree several times each, one
    query per level when read from the database."""

    def __init__(self, generation: int, rows: Iterable[tuple[str, str, str]]) -> None:
        self.generation = generation
        parents: dict[str, list[str]] = defaultdict(list)
        children: dict[str, list[str]] = defaultdict(list)
        for subject, _, obj in rows:
            parents[subject].append(obj)
            children[obj].append(subject)
        #: canonical ref -> what it is a child of / what is a child of it (any kind)
        self.parents = {key: tuple(found) for key, found in parents.items()}
        self.children = {key: tuple(found) for key, found in children.items()}


def _read_group_tree(catalog: Catalog, generation: int) -> GroupTree:
    return GroupTree(generation, catalog.edges_of_type([CHILD_OF]))


#: The group tree of a catalog as it is now (read again when it changed since).
group_tree: PerGeneration[GroupTree] = PerGeneration(_read_group_tree)


def groups_of_user(
    catalog: Catalog, user: EntityRef, *, transitive: bool = False
) -> list[EntityRef]:
    """The groups a user is a member of; with ``transitive``, their ancestors too."""
    if user.kind != "user":
        return []
    near = catalog.neighbours([user], outgoing=[MEMBER_OF]).get(user, set())
    direct = sorted(_groups(t for _, t in near))
    if not transitive:
        return direct
    result = list(direct)
    for group in direct:
        result.extend(g for g in ancestors(catalog, group) if g not in result)
    return result


def owned_by(
    catalog: Catalog, owners: Iterable[EntityRef], *, include_subgroups: bool = False
) -> list[EntitySummary]:
    """Everything the owners own (and, optionally, everything their sub-groups own)."""
    return list(_owned(catalog, (tuple(dict.fromkeys(owners)), include_subgroups)))


def _read_owned(
    catalog: Catalog, key: tuple[tuple[EntityRef, ...], bool]
) -> tuple[EntitySummary, ...]:
    wanted, include_subgroups = list(key[0]), key[1]
    if include_subgroups:
        for owner in list(wanted):
            if owner.kind == "group":
                wanted.extend(g for g in descendants(catalog, owner) if g not in wanted)
    owned = catalog.owned_refs(wanted)
    return tuple(sorted({s for items in owned.values() for s in items}, key=lambda s: str(s.ref)))


#: What owners own, per catalog generation: a team page asks it of its team in each section
#: (the list, docs coverage, deliveries, pipelines, KPIs, Kubernetes health). At most 5,000
#: summaries are kept (about 5 MB at 100k entities); an org's everything is read each time.
_owned: PerGenerationAnswers[tuple[tuple[EntityRef, ...], bool], tuple[EntitySummary, ...]] = (
    PerGenerationAnswers(_read_owned, size=5_000, weight=lambda owned: 1 + len(owned))
)


def users_with_email(catalog: Catalog, email: str) -> list[Person]:
    """Users whose ``spec.profile.email`` is ``email``."""
    found = catalog.get_many(catalog.with_user_email(email))
    return [person_of(s) for s in found.values()]


def _groups(refs: Iterable[EntityRef]) -> set[EntityRef]:
    return {r for r in refs if r.kind == "group"}


#: Summaries and Slack channels of owners, per ref and catalog generation: a blast radius
#: names hundreds of teams, and the same ones answer after answer.
_owner_summaries: PerGenerationLookup[EntityRef, EntitySummary] = PerGenerationLookup(
    lambda catalog, refs: catalog.summaries(refs), size=20_000
)
_channels: PerGenerationLookup[EntityRef, str] = PerGenerationLookup(
    lambda catalog, refs: catalog.annotations(refs, SLACK_CHANNEL), size=20_000
)


def owner_summaries(
    catalog: Catalog, owners: Collection[EntityRef]
) -> dict[EntityRef, EntitySummary]:
    """A summary for every owner (``Catalog.summaries``, kept per catalog generation)."""
    return _owner_summaries(catalog, owners)


def slack_channels(catalog: Catalog, refs: Collection[EntityRef]) -> dict[EntityRef, str]:
    """The Slack channel annotation of those ``refs`` that have one (kept per generation)."""
    return _channels(catalog, refs)
