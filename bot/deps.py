"""What every capability's ``register(app, deps)`` receives."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.badges import BadgeRegistry
from bot.deliveries import DeliveryLog
from bot.home import HomeRegistry
from bot.metrics import Metrics
from bot.router import SubcommandRouter
from bot.runtime import Runtime
from bot.settings import Settings
from bot.users import Caller, UserResolver
from catalog import Catalog, EntityRef
from catalog.groups import ancestors, groups_of_user

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
    badges: BadgeRegistry
    runtime: Runtime  # what the process builds lazily: Kubernetes clusters, the scaffolder

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
