"""Who may act on an entity, decided from the catalog at the moment of the click.

Members of the owning group act directly (and, with ``parents_may_act``, members of its parent
groups); when a User owns the entity, that User does; admins act anywhere. Anyone else mapped
to the catalog may request, and only those who may act may approve. Nobody approves their own
request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from catalog import Catalog, EntityRef
from catalog.annotations import SLACK_CHANNEL
from catalog.groups import ancestors, groups_of_user
from catalog.relations import OWNED_BY
from integrations.actions.config import ActionsSettings
from integrations.actions.model import Actor

__all__ = ["Decision", "decide", "owner_channel", "owner_of"]

Mode = Literal["act", "request", "refuse"]


@dataclass(frozen=True, slots=True)
class Decision:
    """May this person act, request, or neither, and why (shown in the modal)."""

    mode: Mode
    reason: str
    owner: EntityRef | None

    @property
    def may_act(self) -> bool:
        return self.mode == "act"


def owner_of(catalog: Catalog, entity: EntityRef) -> EntityRef | None:
    """The entity's owner now (the ``ownedBy`` relation)."""
    return next((r.target for r in catalog.relations(entity, types={OWNED_BY})), None)


def decide(
    catalog: Catalog, settings: ActionsSettings, actor: Actor, entity: EntityRef
) -> Decision:
    """Act, request or refuse, read from the catalog now."""
    owner = owner_of(catalog, entity)
    owner_name = owner.short if owner else "nobody"
    if actor.is_admin:
        return Decision("act", "you are a greenroom admin", owner)
    if actor.person is None:
        return Decision(
            "refuse",
            "your Slack account is not matched to a user in the catalog (`whoami` says why), "
            "so greenroom cannot tell whether you own it",
            owner,
        )
    if owner is None:
        return Decision("request", f"{entity.short} has no owner in the catalog", None)
    if owner.kind == "user":
        if owner == actor.person:
            return Decision("act", "you own it", owner)
        return Decision("request", f"it is owned by {owner_name}", owner)
    mine = set(groups_of_user(catalog, actor.person))
    if owner in mine:
        return Decision("act", f"you are a member of {owner_name}, its owner", owner)
    if settings.parents_may_act:
        above = [g for g in ancestors(catalog, owner) if g in mine]
        if above:
            return Decision(
                "act", f"you are a member of {above[0].short}, above its owner {owner_name}", owner
            )
    return Decision("request", f"it is owned by {owner_name} and you are not a member", owner)


def owner_channel(
    catalog: Catalog, settings: ActionsSettings, owner: EntityRef | None
) -> str | None:
    """The Slack channel of the owning group (its annotation), else ``default_channel``."""
    if owner is not None and owner.kind == "group":
        stored = catalog.get(owner)
        channel = stored.entity.annotation(SLACK_CHANNEL) if stored else None
        if channel:
            return channel.strip()
    return settings.default_channel
