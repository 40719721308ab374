"""Delivery: pull requests, deployments and what is running, per service (docs/delivery.md).

``pull_requests_of(context, entity)``, ``deploys_of(context, entity)`` and
``follow_pull_request(context, catalog, parse_pull_request_ref(context, catalog, text))``
read GitHub or GitLab (the host of the entity's repository, from ``repositories.hosts``) and
the Kubernetes clusters, and keep each answer as the last good one: a host that is rate
limited or down is answered from it, with its age. ``team_delivery`` reads only those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.delivery.answers import (
        DeliveryContext as DeliveryContext,
        deploys_of as deploys_of,
        pull_requests_of as pull_requests_of,
    )
    from integrations.delivery.base import (
        DeliveryHost as DeliveryHost,
        pull_request_of as pull_request_of,
    )
    from integrations.delivery.config import (
        DeliverySettings as DeliverySettings,
    )
    from integrations.delivery.errors import (
        HostRejected as HostRejected,
        HostUnavailable as HostUnavailable,
        NoRepository as NoRepository,
        PullRequestNotFound as PullRequestNotFound,
        RateLimited as RateLimited,
        RepositoryGone as RepositoryGone,
    )
    from integrations.delivery.follow import (
        entities_of_repository as entities_of_repository,
        follow_pull_request as follow_pull_request,
        parse_pull_request_ref as parse_pull_request_ref,
    )
    from integrations.delivery.hosts import (
        PullRequestLink as PullRequestLink,
        RepositoryTarget as RepositoryTarget,
        parse_pull_request_url as parse_pull_request_url,
        target_for as target_for,
    )
    from integrations.delivery.models import (
        ChecksState as ChecksState,
        Commit as Commit,
        Comparison as Comparison,
        DeploysReport as DeploysReport,
        EnvironmentDeploy as EnvironmentDeploy,
        Freshness as Freshness,
        PullRequest as PullRequest,
        PullRequestJourney as PullRequestJourney,
        PullRequestsReport as PullRequestsReport,
        Repository as Repository,
        ReviewState as ReviewState,
        RunningWorkload as RunningWorkload,
        WhereDeployed as WhereDeployed,
        WhereRunning as WhereRunning,
    )
    from integrations.delivery.running import (
        revision_of as revision_of,
        split_image as split_image,
    )
    from integrations.delivery.team import (
        BehindProduction as BehindProduction,
        TeamDelivery as TeamDelivery,
        WaitingPullRequest as WaitingPullRequest,
        team_delivery as team_delivery,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
