"""``prs <entity|team>``, ``deploys <entity>`` and ``pr <url or repo#number>``: delivery in
Slack, asked after the ack. Plus the delivery section of team pages and the Home tab (from the
last good answers only, so the pages stay fast) and previews of pasted pull request URLs of
catalog repositories and of Backstage entity pages."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from slack_bolt import App

from catalog import EntityRef, EntitySummary, GreenroomError, StoredEntity
from catalog.groups import Team, owned_by
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from commands.delivery.blocks import (
    deploys_reply,
    entity_preview,
    journey_reply,
    pull_request_preview,
    pull_requests_reply,
    team_pull_requests_reply,
    team_section,
)
from integrations.delivery import (
    DeliveryContext,
    PullRequestsReport,
    deploys_of,
    entities_of_repository,
    follow_pull_request,
    parse_pull_request_ref,
    parse_pull_request_url,
    pull_requests_of,
    team_delivery,
)
from integrations.delivery.answers import open_host
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["delivery_context", "register"]

log = logging.getLogger(__name__)

_SERVICE_KINDS = ("component", "resource", "system")
_connecting = threading.Lock()
_TEAM_SERVICES = 20  # services of a team asked at once for ``prs <team>``


def delivery_context(deps: Deps) -> DeliveryContext:
    """What the delivery answers need, from the process's settings and runtime."""
    settings = deps.settings
    clusters = None
    if settings.kubernetes.clusters:
        with _connecting:  # one ClusterSet per process, even when the first asks race
            clusters = deps.runtime.clusters
    return DeliveryContext(
        settings=settings.delivery,
        hosts=settings.repositories.hosts,
        engine=deps.engine,
        clusters=clusters,
        kubernetes_timeout=settings.kubernetes.timeout_seconds,
    )


def register(app: App, deps: Deps) -> None:
    """Add ``prs``, ``deploys`` and ``pr``, the team-page section and the link previews."""
    catalog, settings = deps.catalog, deps.settings.delivery
    stale_days = settings.stale_after_days

    def answer_prs(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which service or team? For example `prs payments-api`.")
        stored = find_entity(catalog, name, kinds=(*_SERVICE_KINDS, "group"))
        now = datetime.now(UTC)
        if stored.ref.kind == "group":
            return _team_prs(deps, stored, now)
        report = pull_requests_of(delivery_context(deps), stored.entity)
        return pull_requests_reply(
            report, title=stored.entity.display_name, now=now, stale_after_days=stale_days
        )

    def answer_deploys(ask: Ask) -> Reply:
        name = ask.options().rest
        if not name:
            raise UsageError("Which service? For example `deploys payments-api`.")
        stored = find_entity(catalog, name, kinds=_SERVICE_KINDS)
        report = deploys_of(delivery_context(deps), stored.entity)
        return deploys_reply(report, title=stored.entity.display_name, now=datetime.now(UTC))

    def answer_pr(ask: Ask) -> Reply:
        text = ask.options().rest
        if not text:
            raise UsageError(
                "Which pull request? Paste its URL, or write `pr owner/repo#12` or "
                "`pr payments-api#12`."
            )
        context = delivery_context(deps)
        link = parse_pull_request_ref(context, catalog, text)
        journey = follow_pull_request(context, catalog, link)
        return journey_reply(journey, now=datetime.now(UTC), stale_after_days=stale_days)

    deps.router.add(
        "prs",
        answer_prs,
        summary="Open pull requests of a service or a team: author, age, review, checks, stale",
        usage="prs <entity|team>",
        examples=("prs {component}", "prs {group}"),
        aliases=("pulls", "mrs"),
    )
    deps.router.add(
        "deploys",
        answer_deploys,
        summary="What each environment and cluster runs, and how far behind the main branch",
        usage="deploys <entity>",
        examples=("deploys {component}",),
        aliases=("deployments", "deployed"),
    )
    deps.router.add(
        "pr",
        answer_pr,
        summary="Where a pull request is: in review, merged, deployed, running",
        usage="pr <url | owner/repo#number | entity#number>",
        examples=("pr {component}#1",),
    )

    def section_of(owned: Sequence[EntitySummary]) -> list[Block]:
        """From the last answers kept (no host is asked while Slack waits)."""
        services = [s for s in owned if s.ref.kind in _SERVICE_KINDS]
        if not services:
            return []
        found = team_delivery(
            deps.engine,
            [str(s.ref) for s in services],
            now=datetime.now(UTC),
            stale_after_days=stale_days,
        )
        return team_section(found, now=datetime.now(UTC), command=deps.settings.slack.command)

    def team_page_section(team: Team) -> list[Block]:
        return section_of(owned_by(catalog, [team.ref]))

    def home_section(home: HomeContext) -> list[Block]:
        return section_of(home.owned)

    deps.team_page.add_section("delivery", team_page_section, order=30, max_blocks=3)
    deps.home.add_section("delivery", home_section, order=28, max_blocks=3)

    def preview_pull_request(url: str) -> dict[str, Any] | None:
        if not settings.preview_pull_requests:
            return None
        context = delivery_context(deps)
        link = parse_pull_request_url(url, context.hosts)
        if link is None:
            return None
        entities = entities_of_repository(context, catalog, link.target)
        if not entities:
            return None  # only repositories of the catalog: a preview names their owner
        try:
            with open_host(context, link.target) as host:
                pull = host.pull_request(link.number)
        except GreenroomError as error:
            log.info("No preview of %s: %s", link.target.key, type(error).__name__)
            return None
        if pull is None:
            return None
        owners = catalog.owners([entities[0].ref])
        owner = ref_text(owners[entities[0].ref]) if entities[0].ref in owners else None
        return pull_request_preview(pull, slug=link.target.slug, owner=owner, now=datetime.now(UTC))

    def preview_entity_page(url: str) -> dict[str, Any] | None:
        stored = _backstage_entity(deps, url)
        if stored is None:
            return None
        ownership = owner_of(catalog, stored)
        owner = ref_text(ownership.owner_ref) if ownership.owner_ref else "_no owner_"
        if ownership.team is not None and ownership.team.exists:
            owner = f"*{bk.escape(ownership.team.display_name)}* {owner}"
        return entity_preview(
            stored.summary,
            owner=owner,
            description=stored.entity.metadata.description,
            url=url,
        )

    deps.link_previews.add("delivery.pull_request", preview_pull_request)
    deps.link_previews.add("delivery.backstage_entity", preview_entity_page)


def _team_prs(deps: Deps, group: StoredEntity, now: datetime) -> Reply:
    services = [
        s
        for s in owned_by(deps.catalog, [group.ref], include_subgroups=True)
        if s.ref.kind in _SERVICE_KINDS
    ][:_TEAM_SERVICES]
    context = delivery_context(deps)
    stored = deps.catalog.get_many([s.ref for s in services])

    def one(summary: EntitySummary) -> tuple[EntitySummary, PullRequestsReport | None, str | None]:
        entity = stored.get(summary.ref)
        if entity is None:
            return summary, None, "not in the catalog any more"
        try:
            return summary, pull_requests_of(context, entity.entity), None
        except GreenroomError as error:
            return summary, None, error.user_message

    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="delivery-prs") as pool:
        reports = list(pool.map(one, services))
    with_repo = [r for r in reports if r[1] is not None] or reports
    return team_pull_requests_reply(
        group.entity.display_name,
        with_repo,
        now=now,
        stale_after_days=deps.settings.delivery.stale_after_days,
    )


def _backstage_entity(deps: Deps, url: str) -> StoredEntity | None:
    """The entity a ``<backstage>/catalog/<namespace>/<kind>/<name>`` URL shows."""
    base = deps.settings.delivery.backstage_url
    if base is None:
        return None
    parts, root = urlsplit(url), urlsplit(base)
    if (parts.scheme, parts.netloc.lower()) != (root.scheme, root.netloc.lower()):
        return None
    prefix = root.path.rstrip("/") + "/catalog/"
    if not parts.path.startswith(prefix):
        return None
    segments = [unquote(s) for s in parts.path[len(prefix) :].split("/") if s]
    if len(segments) < 3 or any(len(s) > 253 for s in segments[:3]):
        return None
    namespace, kind, name = segments[:3]
    return deps.catalog.get(EntityRef.of(kind, namespace, name))
