"""What every capability's ``register(app, deps)`` receives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from catalog import Catalog, EntityRef
from catalog.groups import ancestors, groups_of_user
from runtime.process import Runtime
from runtime.settings import Settings
from slackkit.blocks import Block
from slackkit.deliveries import DeliveryLog
from slackkit.home import HomeRegistry
from slackkit.metrics import Metrics
from slackkit.router import SubcommandRouter
from slackkit.team_page import TeamPageRegistry
from slackkit.users import Caller, UserResolver

__all__ = ["Deps"]


@dataclass(frozen=True)
class Deps:
    """The Slack app's shared parts, built once per process (see bot/app.py)."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    users: UserResolver
    router: SubcommandRouter
    home: HomeRegistry
    deliveries: DeliveryLog
    metrics: Metrics
    #: what the process builds once, lazily (``runtime.clusters``): touch heavy parts after
    #: the ack or in a start-up thread, as commands/k8s.py does
    runtime: Runtime
    team_page: TeamPageRegistry = field(default_factory=TeamPageRegistry)
    #: ``/greenroom admin <action>``: actions only ``slack.admins`` may run (commands/admin.py)
    admin: SubcommandRouter = field(default_factory=SubcommandRouter)
    #: what waits for an admin's decision, shown atop ``/greenroom admin`` (held sources, ...)
    admin_waiting: list[Callable[[], Sequence[Block]]] = field(default_factory=list)
    #: blocks that act on a ``k8s`` answer's findings (commands/actions adds its buttons)
    finding_actions: list[Callable[[Any], Sequence[Block]]] = field(default_factory=list)

    def is_admin(self, caller: Caller) -> bool:
        """Whether ``slack.admins`` lists the caller's Slack id, catalog user or a group
        they belong to (directly or through a parent group)."""
        admins = {a.strip().lower() for a in self.settings.slack.admins}
        if caller.user_id.lower() in admins:
            return True
        if caller.person is None:
            return False
        refs: set[EntityRef] = {caller.person.ref}
        for group in groups_of_user(self.catalog, caller.person.ref):
            refs.add(group)
            refs.update(ancestors(self.catalog, group))
        return any(str(r) in admins or r.short in admins for r in refs)
