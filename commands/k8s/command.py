"""``k8s <entity>``: a service's Kubernetes health across every cluster, asked after the ack
and answered within ``kubernetes.timeout_seconds``; plus a health badge per owned service (from
the latest sweep) on the Home tab and team pages.

The ``kubernetes`` client takes about a second to import and each cluster's client is made
once per process, so both happen in a background thread when the app starts, never in an ack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from slack_bolt import App

from catalog import EntitySummary
from catalog.groups import Team, owned_by
from catalog.lookup import find_entity
from commands.k8s.blocks import health_reply, health_section
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

if TYPE_CHECKING:
    from integrations.kubernetes import ClusterSet

__all__ = ["register"]

log = logging.getLogger(__name__)

_SERVICE_KINDS = ("component", "resource")
_connecting = threading.Lock()


def register(app: App, deps: Deps) -> None:
    """Add the ``k8s`` subcommand and the health sections of the Home tab and team pages."""
    if deps.settings.kubernetes.clusters:
        threading.Thread(target=_warm_up, args=(deps,), name="k8s-connect", daemon=True).start()

    def answer_k8s(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which service? For example `k8s payments-api`.")
        stored = find_entity(deps.catalog, name, kinds=_SERVICE_KINDS)
        from integrations.kubernetes import check_health

        health = check_health(_clusters(deps), stored.entity)
        fixes = [block for hook in deps.finding_actions for block in hook(health)]
        return health_reply(
            health,
            title=stored.entity.display_name,
            actions=fixes,
            command=deps.settings.slack.command,
        )

    deps.router.add(
        "k8s",
        answer_k8s,
        summary="A service's Kubernetes health in every cluster: workloads, problems and fixes",
        usage="k8s <entity>",
        examples=("k8s {component}",),
        aliases=("kubernetes",),
    )

    def health_of(owned: Sequence[EntitySummary]) -> list[bk.Block]:
        if not owned:
            return []
        from integrations.kubernetes import health_badges

        return health_section(
            owned,
            health_badges(deps.engine, [s.ref for s in owned]),
            now=datetime.now(UTC),
            sweep_every=timedelta(minutes=deps.settings.kubernetes.sweep_interval_minutes),
            command=deps.settings.slack.command,
        )

    def home_section(home: HomeContext) -> list[bk.Block]:
        return health_of(home.owned)

    def team_section(team: Team) -> list[bk.Block]:
        return health_of(owned_by(deps.catalog, [team.ref]))

    deps.home.add_section("kubernetes health", home_section, order=25, max_blocks=4)
    deps.team_page.add_section("kubernetes health", team_section, order=20, max_blocks=4)


def _clusters(deps: Deps) -> ClusterSet:
    with _connecting:  # one ClusterSet per process, even when the first asks race
        return deps.runtime.clusters


def _warm_up(deps: Deps) -> None:
    try:
        _clusters(deps).connections()
    except Exception:  # a broken cluster is reported when someone asks; never kill the app
        log.exception("Connecting to the Kubernetes clusters failed")
