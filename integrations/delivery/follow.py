"""``pr <url or repo#number>``: where one pull request is. In review (with its review and
check state), or merged, and then which environments' last deploys and which clusters'
workloads contain its merge commit."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from catalog import Catalog
from catalog.lookup import find_entity
from catalog.model import Entity
from integrations.delivery.answers import (
    DeliveryContext,
    cluster_answers,
    last_good,
    open_host,
    running_of,
)
from integrations.delivery.errors import NoRepository, PullRequestNotFound
from integrations.delivery.hosts import (
    PullRequestLink,
    RepositoryTarget,
    parse_pull_request_url,
    target_for,
)
from integrations.delivery.models import (
    Freshness,
    PullRequestJourney,
    Repository,
    WhereDeployed,
    WhereRunning,
)

if TYPE_CHECKING:
    from integrations.delivery.base import DeliveryHost

__all__ = ["entities_of_repository", "follow_pull_request", "parse_pull_request_ref"]

_SHORT = re.compile(r"^(?P<repo>[A-Za-z0-9_.\-/:]{1,300})(?:#|!)(?P<number>\d{1,9})$")
_SERVICE_KINDS = ("component", "resource", "system", "api")


def parse_pull_request_ref(
    context: DeliveryContext, catalog: Catalog, text: str
) -> PullRequestLink:
    """A pull request named by its URL, ``owner/repo#12``, ``group/project!12`` or
    ``<entity>#12``; ``NoRepository`` when the repository is not one greenroom can read."""
    text = text.strip().strip("<>").split("|", 1)[0]
    if text.startswith(("http://", "https://")):
        link = parse_pull_request_url(text, context.hosts)
        if link is None:
            raise NoRepository(
                "That is not a pull request URL of a host in repositories.hosts "
                "(…/owner/repo/pull/12 on GitHub, …/group/project/-/merge_requests/12 on GitLab)."
            )
        return link
    match = _SHORT.match(text)
    if match is None:
        raise NoRepository(
            f"Cannot read {text[:80]!r} as a pull request: give its URL, owner/repo#12 or "
            "<entity>#12."
        )
    name, number = match["repo"], int(match["number"])
    if "/" not in name or ":" in name:
        return PullRequestLink(target_for(find_entity(catalog, name).entity, context.hosts), number)
    for entity in _services(catalog):
        target = _target_or_none(context, entity)
        if target is not None and target.slug.lower() == name.lower():
            return PullRequestLink(target, number)
    host = next((h for h in context.hosts if h.type), None)
    if host is None or host.type is None:
        raise NoRepository("No GitHub or GitLab host is configured in repositories.hosts.")
    link = parse_pull_request_url(_pull_url(host.url, host.type, name, number), [host])
    if link is None:
        raise NoRepository(f"{name[:100]!r} is not an owner/repo (or group/project) path.")
    return link


def follow_pull_request(
    context: DeliveryContext, catalog: Catalog, link: PullRequestLink
) -> PullRequestJourney:
    """The pull request and, once merged, where its merge commit is deployed and running."""
    entities = entities_of_repository(context, catalog, link.target)

    def fetch() -> PullRequestJourney:
        with open_host(context, link.target) as host:
            repository = host.repository()
            pull = host.pull_request(link.number)
            if pull is None:
                raise PullRequestNotFound(f"{repository.slug} has no pull request #{link.number}.")
            deployed: list[WhereDeployed] = []
            running: list[WhereRunning] = []
            if pull.merge_commit:
                deployed = _deployed(context, host, pull.merge_commit)
                running = _running(context, host, repository, entities, pull.merge_commit)
        owners = catalog.owners([e.ref for e in entities])
        return PullRequestJourney(
            repository=repository,
            pull_request=pull,
            entities=tuple(str(e.ref) for e in entities),
            owners=tuple(dict.fromkeys(str(o) for o in owners.values())),
            deployed=tuple(deployed),
            running=tuple(running),
            freshness=Freshness(fetched_at=context.now()),
        )

    subject = f"{link.target.key}#{link.number}"
    return last_good(context, subject, "pr", PullRequestJourney, fetch)


def entities_of_repository(
    context: DeliveryContext, catalog: Catalog, target: RepositoryTarget
) -> list[Entity]:
    """The catalog's services whose repository is ``target``."""
    return [
        entity
        for entity in _services(catalog)
        if (found := _target_or_none(context, entity)) is not None and found.key == target.key
    ]


def _deployed(
    context: DeliveryContext, host: DeliveryHost, merge_commit: str
) -> list[WhereDeployed]:
    environments = host.environments(context.settings.production_environments)

    def one(env_index: int) -> WhereDeployed:
        env = environments[env_index]
        contains = host.contains(merge_commit, env.sha) if env.sha else None
        return WhereDeployed(
            environment=env.name,
            production=env.production,
            contains=contains,
            deployed_at=env.deployed_at,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(one, range(len(environments))))
    return sorted(found, key=lambda w: (not w.production, w.environment))


def _running(
    context: DeliveryContext,
    host: DeliveryHost,
    repository: Repository,
    entities: list[Entity],
    merge_commit: str,
) -> list[WhereRunning]:
    found: list[WhereRunning] = []
    contains: dict[str, bool | None] = {}
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="delivery-k8s") as pool:
        futures = [(e, pool.submit(cluster_answers, context, e)) for e in entities]
        for entity, future in futures:
            workloads, _, _ = running_of(
                host, repository, future, hints=(entity.metadata.name, repository.slug)
            )
            for workload in workloads:
                if workload.commit and workload.commit not in contains:
                    contains[workload.commit] = host.contains(merge_commit, workload.commit)
                found.append(
                    WhereRunning(
                        cluster=workload.cluster,
                        namespace=workload.namespace,
                        workload=workload.name,
                        entity=str(entity.ref),
                        contains=contains.get(workload.commit) if workload.commit else None,
                    )
                )
    return found


def _pull_url(base: str, platform: str, slug: str, number: int) -> str:
    path = "pull" if platform == "github" else "-/merge_requests"
    return f"{base}/{slug}/{path}/{number}"


def _services(catalog: Catalog) -> list[Entity]:
    return [stored.entity for stored in catalog.entities(kinds=_SERVICE_KINDS)]


def _target_or_none(context: DeliveryContext, entity: Entity) -> RepositoryTarget | None:
    try:
        return target_for(entity, context.hosts)
    except NoRepository:
        return None
