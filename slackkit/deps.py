"""What every capability's ``register(app, deps)`` receives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from catalog import Catalog, EntityRef
from catalog.groups import ancestors, groups_of_user
from runtime.process import Runtime
from runtime.settings import Settings
from slackkit.blocks import Block
from slackkit.deliveries import DeliveryLog
from slackkit.home import HomeRegistry
from slackkit.link_previews import LinkPreviewRegistry
from slackkit.metrics import Metrics
from slackkit.router import SubcommandRouter
from slackkit.team_page import TeamPageRegistry
from slackkit.users import Caller, UserResolver

if TYPE_CHECKING:
    from slack_sdk import WebClient

__all__ = ["Deps", "TeamContact"]

TeamContact = Callable[
    ["WebClient", str, Sequence[tuple[EntityRef, Sequence[EntityRef]]]], Mapping[EntityRef, str]
]


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
    #: who to reach in a team besides its channel (``impact``): given the Slack client, the
    #: caller's team id and (team, the entities it is told about) pairs, escaped mrkdwn per
    #: team, e.g. the person on call (commands/kpis)
    team_contacts: list[TeamContact] = field(default_factory=list)
    #: digest subjects other capabilities post, by the job kind that posts them
    #: (``/greenroom digest add kpis ...`` -> ``kpis.digest``; commands/migrations/digest.py)
    digest_kinds: dict[str, str] = field(default_factory=dict)
    #: previews of pasted links: one ``link_shared`` listener asks each (slackkit/link_previews.py)
    link_previews: LinkPreviewRegistry = field(default_factory=LinkPreviewRegistry)
    #: blocks that act on a ``k8s`` answer's findings (commands/actions adds its buttons)
    finding_actions: list[Callable[[Any], Sequence[Block]]] = field(default_factory=list)
    #: work an answer starts and does not wait for (a team's KPI chart upload); whoever stops
    #: the app lets it finish first (the console, before its loopback Slack goes away)
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="greenroom-background")
    )

    def is_admin(self, caller: Caller) -> bool:
        """Whether ``slack.admins`` lists the caller's Slack id, catalog user or a group
        they belong to (directly or through a parent group)."""
        admins = {a.strip().lower() for a in self.settings.slack.admins}
        if caller.user_id.lower() in admins:
            return True
        if caller.person is None or not admins:
            return False
        refs: set[EntityRef] = {caller.person.ref}
        for group in groups_of_user(self.catalog, caller.person.ref):
            refs.add(group)
            refs.update(ancestors(self.catalog, group))
        return any(str(r) in admins or r.short in admins for r in refs)
