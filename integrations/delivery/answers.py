"""The delivery answers: an entity's open pull requests, its deployments and what runs, and
where one pull request is. Each is read from the host (and the clusters) and kept as the last
good answer; when the host is rate limited, down or refuses the token, that answer is given
again with its age and the reason. A repository that is gone is said plainly."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

import httpx
from sqlalchemy import Engine

from catalog.model import Entity
from integrations.delivery.base import DeliveryHost
from integrations.delivery.config import DeliverySettings
from integrations.delivery.errors import HostUnavailable, RepositoryGone
from integrations.delivery.github import GitHubDelivery
from integrations.delivery.gitlab import GitLabDelivery
from integrations.delivery.hosts import RepositoryTarget, target_for
from integrations.delivery.models import (
    DeploysReport,
    EnvironmentDeploy,
    Freshness,
    PullRequestJourney,
    PullRequestsReport,
    Repository,
    RunningWorkload,
)
from integrations.delivery.running import ImageRevision, main_image, revision_of, workload_state
from integrations.delivery.snapshots import load_snapshot, save_snapshot
from integrations.repositories import RepositoryHostSettings

if TYPE_CHECKING:
    from integrations.kubernetes import ClusterAnswer, ClusterSet

__all__ = [
    "DeliveryContext",
    "cluster_answers",
    "deploys_of",
    "last_good",
    "open_host",
    "pull_requests_of",
    "running_of",
]

R = TypeVar("R", PullRequestsReport, DeploysReport, PullRequestJourney)
_K8S_RESERVE = 0.2


@dataclass(frozen=True)
class DeliveryContext:
    """What delivery answers need: settings, the hosts (with their tokens), the database for
    the last good answers, and the clusters (None: none configured)."""

    settings: DeliverySettings
    hosts: Sequence[RepositoryHostSettings]
    engine: Engine
    clusters: ClusterSet | None = None
    kubernetes_timeout: float = 2.5
    transport: httpx.BaseTransport | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@contextmanager
def open_host(context: DeliveryContext, target: RepositoryTarget) -> Iterator[DeliveryHost]:
    """The adapter for a repository, its HTTP client closed afterwards."""
    client = target.client(
        timeout=context.settings.timeout_seconds,
        transport=context.transport,
        api_url=context.settings.api_urls.get(target.host.url),
    )
    try:
        if target.platform == "github":
            yield GitHubDelivery(client, target.web_url)
        else:
            yield GitLabDelivery(client, target.web_url)
    finally:
        client.close()


def pull_requests_of(
    context: DeliveryContext, entity: Entity, *, fallback: bool = True
) -> PullRequestsReport:
    """The entity's repository's open pull requests (``NoRepository``, ``RepositoryGone``, or
    ``HostUnavailable`` when there is no last good answer to give)."""
    target = target_for(entity, context.hosts)

    def fetch() -> PullRequestsReport:
        with open_host(context, target) as host:
            repository = host.repository()
            pulls, more = host.open_pull_requests(limit=context.settings.max_pull_requests)
        return PullRequestsReport(
            entity=str(entity.ref),
            repository=repository,
            pull_requests=tuple(pulls),
            more=more,
            freshness=Freshness(fetched_at=context.now()),
        )

    return last_good(context, str(entity.ref), "prs", PullRequestsReport, fetch, fallback=fallback)


def deploys_of(context: DeliveryContext, entity: Entity, *, fallback: bool = True) -> DeploysReport:
    """Per environment the last deploy and the change since; per cluster what runs
    (``fallback=False``: raise instead of giving the last good answer)."""
    target = target_for(entity, context.hosts)

    def fetch() -> DeploysReport:
        # Every wait that does not need another's answer runs at once: the clusters, the
        # head of the branch, the environments (then the change since each), what runs.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="delivery") as pool:
            answers = pool.submit(cluster_answers, context, entity)
            with open_host(context, target) as host:
                repository = host.repository()
                branch = repository.default_branch
                head = pool.submit(host.commit, branch)
                environments = pool.submit(
                    lambda: _with_changes(
                        host, host.environments(context.settings.production_environments), branch
                    )
                )
                running, problems, note = running_of(
                    host, repository, answers, hints=(entity.metadata.name, target.slug)
                )
                environments_found, head_found = environments.result(), head.result()
        return DeploysReport(
            entity=str(entity.ref),
            repository=repository,
            head=head_found,
            environments=tuple(
                sorted(environments_found, key=lambda e: (not e.production, e.name))
            ),
            running=tuple(running),
            cluster_problems=tuple(problems),
            running_note=note,
            freshness=Freshness(fetched_at=context.now()),
        )

    return last_good(context, str(entity.ref), "deploys", DeploysReport, fetch, fallback=fallback)


_Answers = tuple[list["ClusterAnswer"] | None, str | None]


def running_of(
    host: DeliveryHost,
    repository: Repository,
    answers: Future[_Answers],
    *,
    hints: Sequence[str],
) -> tuple[list[RunningWorkload], list[tuple[str, str]], str | None]:
    """Each workload the clusters report, mapped to a commit and compared with the default
    branch; the clusters that did not answer; or why nothing was asked."""
    cluster_answers, note = answers.result()
    if cluster_answers is None:
        return [], [], note
    from integrations.kubernetes import ClusterState

    problems: list[tuple[str, str]] = []
    hint_names = [h.rsplit("/", 1)[-1] for h in hints]
    found: list[tuple[RunningWorkload, ImageRevision]] = []
    for answer in cluster_answers:
        if answer.state != ClusterState.OK:
            if answer.state == ClusterState.FAILED:
                problems.append((answer.cluster, answer.reason or "did not answer"))
            continue
        for workload in answer.objects.workloads:
            image = main_image(workload.images, hint_names) or ""
            base = RunningWorkload(
                cluster=answer.cluster,
                namespace=workload.namespace,
                kind=workload.kind,
                name=workload.name,
                image=image,
            )
            found.append((base, revision_of(image, workload.revision)))
    # Each distinct ref is resolved once, and each distinct commit compared once, in parallel.
    refs = sorted({r.ref for _, r in found if r.ref})
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="delivery-refs") as pool:
        commits = dict(zip(refs, pool.map(host.commit, refs), strict=True))
        shas = sorted({c.sha for c in commits.values() if c is not None})
        branch = repository.default_branch
        compared = dict(
            zip(shas, pool.map(lambda sha: host.compare(sha, branch, limit=1), shas), strict=True)
        )
    running = [
        workload_state(
            base,
            revision,
            lambda ref: commit.sha if (commit := commits.get(ref)) else None,
            compared.get,
        )
        for base, revision in found
    ]
    if not running and not problems:
        note = "no workloads found in any cluster"
    return running, problems, note


def cluster_answers(context: DeliveryContext, entity: Entity) -> _Answers:
    """What every cluster says about the entity's workloads, or why none was asked."""
    if context.clusters is None or not context.clusters.settings.clusters:
        return None, "no Kubernetes clusters are configured"
    from integrations.kubernetes import WorkloadQuery, collect, selector_for

    selector = selector_for(entity)
    if selector is None:
        return None, "it has no Kubernetes annotations, so what runs is not known"
    query = WorkloadQuery(selector.label_selector, selector.namespace)
    answers = collect(
        context.clusters.connections(),
        [query],
        timeout=max(context.kubernetes_timeout - _K8S_RESERVE, 0.05),
        now=context.now(),
        label_seconds=context.kubernetes_timeout,
    )[query]
    return answers, None


def _with_changes(
    host: DeliveryHost, environments: list[EnvironmentDeploy], branch: str
) -> list[EnvironmentDeploy]:
    def one(env: EnvironmentDeploy) -> EnvironmentDeploy:
        if env.sha is None:
            return env
        comparison = host.compare(env.sha, branch)
        if comparison is None:
            return env.model_copy(update={"note": f"{env.sha[:7]} is not in the repository"})
        update: dict[str, object] = {
            "behind_by": comparison.ahead_by,
            "changes": comparison.commits,
        }
        if comparison.behind_by:
            update["note"] = f"runs {comparison.behind_by} commits that are not on {branch}"
        return env.model_copy(update=update)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, environments))


def last_good(
    context: DeliveryContext,
    subject: str,
    view: str,
    model: type[R],
    fetch: Callable[[], R],
    *,
    fallback: bool = True,
) -> R:
    """A fresh answer (kept as the last good one), or the last good one with the reason the
    host could not be asked; a gone repository and a first failure raise."""
    cached = load_snapshot(context.engine, subject, view, model)
    now = context.now()
    if cached and (now - cached[1]).total_seconds() < context.settings.fresh_seconds:
        return cached[0]
    try:
        answer = fetch()
    except RepositoryGone:
        raise
    except HostUnavailable as error:
        if cached is None or not fallback:
            raise
        freshness = Freshness(fetched_at=cached[1], problem=error.user_message)
        return cached[0].model_copy(update={"freshness": freshness})
    save_snapshot(context.engine, subject, view, answer, answer.freshness.fetched_at)
    return answer
