"""Who is asking, and what they may do: scaffold at all (everyone, some users, members of
some groups), use a given template, and which teams they may make the owner (their own
groups; any group for admins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalog import Catalog, EntityRef, InvalidRef, NotAuthorized, parse_ref
from catalog.groups import Person, groups_of_user, person_of, users_with_email
from integrations.scaffolder.config import ScaffolderSettings
from integrations.scaffolder.discovery import Template

__all__ = ["Caller", "ScaffoldAccess", "caller_from_email", "caller_from_ref"]


@dataclass(frozen=True, slots=True)
class Caller:
    """A catalog User starting a scaffold; ``teams`` are direct memberships, ``groups`` add
    every ancestor group (for access rules)."""

    ref: EntityRef
    name: str
    email: str
    teams: tuple[EntityRef, ...]
    groups: tuple[EntityRef, ...]


def caller_from_email(catalog: Catalog, email: str) -> Caller:
    """The catalog User with this email; NotAuthorized when there is none (or several)."""
    people = users_with_email(catalog, email)
    if not people:
        raise NotAuthorized(
            f"No user in the catalog has the email {email}; "
            "ask your platform team to add you before creating repositories."
        )
    if len(people) > 1:
        refs = ", ".join(sorted(str(p.ref) for p in people))
        raise NotAuthorized(f"Several catalog users have the email {email} ({refs}).")
    return _caller(catalog, people[0], email)


def caller_from_ref(catalog: Catalog, user: EntityRef) -> Caller:
    """The caller for a catalog User already resolved (e.g. by the Slack middleware)."""
    stored = catalog.get(user)
    if stored is None or stored.ref.kind != "user":
        raise NotAuthorized(f"{user} is not a user in the catalog.")
    person = person_of(stored)
    if not person.email:
        raise NotAuthorized(f"{user} has no email in the catalog; it is needed as the author.")
    return _caller(catalog, person, person.email)


def _caller(catalog: Catalog, person: Person, email: str) -> Caller:
    return Caller(
        ref=person.ref,
        name=person.display_name,
        email=person.email or email,
        teams=tuple(groups_of_user(catalog, person.ref)),
        groups=tuple(groups_of_user(catalog, person.ref, transitive=True)),
    )


class ScaffoldAccess:
    """The rules of ``scaffolder.allowed_users/allowed_groups/admins`` and of each template."""

    def __init__(self, settings: ScaffolderSettings) -> None:
        self._users = settings.allowed_users
        self._groups = settings.allowed_groups
        self._admins = settings.admins

    def is_admin(self, caller: Caller) -> bool:
        """Admins may use every template and choose any owner."""
        return _is_user(self._admins, caller)

    def may_use(self, caller: Caller, template: Template) -> bool:
        """Whether the caller passes the global rule and the template's own."""
        return self._refusal(caller, template) is None

    def check(self, caller: Caller, template: Template | None = None) -> None:
        """Raise NotAuthorized, saying who may, unless the caller may use the template."""
        reason = self._refusal(caller, template)
        if reason is not None:
            raise NotAuthorized(reason)

    def owner_choices(self, catalog: Catalog, caller: Caller) -> list[EntityRef]:
        """The groups the caller may make owner: their own, or every group for admins."""
        if self.is_admin(caller):
            return [stored.ref for stored in catalog.entities(kinds=["group"])]
        return list(caller.teams)

    def _refusal(self, caller: Caller, template: Template | None) -> str | None:
        if self.is_admin(caller):
            return None
        if not _allowed(self._users, self._groups, caller):
            who = _describe(self._users, self._groups)
            return f"Creating repositories is limited to {who}."
        if template is not None:
            rule = template.metadata.allowed
            if not _allowed(rule.users, rule.groups, caller):
                who = _describe(rule.users, rule.groups)
                return f"The template {template.title!r} may only be used by {who}."
        return None


def _allowed(users: Sequence[str], groups: Sequence[str], caller: Caller) -> bool:
    if not users and not groups:
        return True
    return _is_user(users, caller) or bool(_refs(groups, "group") & set(caller.groups))


def _is_user(entries: Sequence[str], caller: Caller) -> bool:
    emails = {e.strip().lower() for e in entries if "@" in e and ":" not in e}
    return caller.email.lower() in emails or caller.ref in _refs(entries, "user")


def _refs(entries: Sequence[str], kind: str) -> set[EntityRef]:
    refs = set()
    for entry in entries:
        if "@" in entry and ":" not in entry:
            continue
        try:
            refs.add(parse_ref(entry, default_kind=kind))
        except InvalidRef:
            continue
    return refs


def _describe(users: Sequence[str], groups: Sequence[str]) -> str:
    parts = [f"members of {', '.join(groups)}"] if groups else []
    if users:
        parts.append(", ".join(users))
    return " and ".join(parts)
