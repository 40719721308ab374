"""Delivery: pull requests, deployments and what is running, per service (docs/delivery.md).

``pull_requests_of(context, entity)``, ``deploys_of(context, entity)`` and
``follow_pull_request(context, catalog, parse_pull_request_ref(context, catalog, text))``
read GitHub or GitLab (the host of the entity's repository, from ``repositories.hosts``) and
the Kubernetes clusters, and keep each answer as the last good one: a host that is rate
limited or down is answered from it, with its age. ``team_delivery`` reads only those.
"""

from __future__ import annotations

from integrations.delivery.answers import DeliveryContext, deploys_of, pull_requests_of
from integrations.delivery.base import DeliveryHost, pull_request_of
from integrations.delivery.config import DeliverySettings
from integrations.delivery.errors import (
    HostRejected,
    HostUnavailable,
    NoRepository,
    PullRequestNotFound,
    RateLimited,
    RepositoryGone,
)
from integrations.delivery.follow import (
    entities_of_repository,
    follow_pull_request,
    parse_pull_request_ref,
)
from integrations.delivery.hosts import (
    PullRequestLink,
    RepositoryTarget,
    parse_pull_request_url,
    target_for,
)
from integrations.delivery.models import (
    ChecksState,
    Commit,
    Comparison,
    DeploysReport,
    EnvironmentDeploy,
    Freshness,
    PullRequest,
    PullRequestJourney,
    PullRequestsReport,
    Repository,
    ReviewState,
    RunningWorkload,
    WhereDeployed,
    WhereRunning,
)
from integrations.delivery.running import revision_of, split_image
from integrations.delivery.team import (
    BehindProduction,
    TeamDelivery,
    WaitingPullRequest,
    team_delivery,
)

__all__ = [
    "BehindProduction",
    "ChecksState",
    "Commit",
    "Comparison",
    "DeliveryContext",
    "DeliveryHost",
    "DeliverySettings",
    "DeploysReport",
    "EnvironmentDeploy",
    "Freshness",
    "HostRejected",
    "HostUnavailable",
    "NoRepository",
    "PullRequest",
    "PullRequestJourney",
    "PullRequestLink",
    "PullRequestNotFound",
    "PullRequestsReport",
    "RateLimited",
    "Repository",
    "RepositoryGone",
    "RepositoryTarget",
    "ReviewState",
    "RunningWorkload",
    "TeamDelivery",
    "WaitingPullRequest",
    "WhereDeployed",
    "WhereRunning",
    "deploys_of",
    "entities_of_repository",
    "follow_pull_request",
    "parse_pull_request_ref",
    "parse_pull_request_url",
    "pull_request_of",
    "pull_requests_of",
    "revision_of",
    "split_image",
    "target_for",
    "team_delivery",
]
