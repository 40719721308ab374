"""A team's delivery at a glance, from the last good answers (never a call to a host, so a
team page stays fast): open pull requests waiting for review, and services whose production
runs behind the default branch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from integrations.delivery.models import DeploysReport, PullRequest, PullRequestsReport
from integrations.delivery.snapshots import load_snapshots

__all__ = ["BehindProduction", "TeamDelivery", "WaitingPullRequest", "team_delivery"]


@dataclass(frozen=True, slots=True)
class WaitingPullRequest:
    """An open pull request of one of the team's services that waits for a review."""

    entity: str
    pull_request: PullRequest
    stale: bool


@dataclass(frozen=True, slots=True)
class BehindProduction:
    """A service whose production environment is behind its default branch."""

    entity: str
    environment: str
    behind_by: int
    pull_requests: tuple[int, ...]
    deployed_at: datetime | None


@dataclass(frozen=True, slots=True)
class TeamDelivery:
    """What the team page shows; ``unknown`` are services no answer was kept for yet."""

    waiting: tuple[WaitingPullRequest, ...]
    behind: tuple[BehindProduction, ...]
    unknown: tuple[str, ...]
    oldest: datetime | None


def team_delivery(
    engine: Engine, entities: Sequence[str], *, now: datetime, stale_after_days: int
) -> TeamDelivery:
    """The team's waiting pull requests (oldest first) and services behind in production."""
    prs = load_snapshots(engine, entities, "prs", PullRequestsReport)
    deploys = load_snapshots(engine, entities, "deploys", DeploysReport)
    waiting = [
        WaitingPullRequest(ref, pull, pull.is_stale(now, stale_after_days))
        for ref, report in prs.items()
        for pull in report.pull_requests
        if pull.waiting_for_review
    ]
    behind = [
        BehindProduction(ref, env.name, env.behind_by, env.pull_requests, env.deployed_at)
        for ref, report in deploys.items()
        for env in report.environments
        if env.production and env.behind_by
    ]
    fetched = [r.freshness.fetched_at for r in prs.values()]
    fetched += [r.freshness.fetched_at for r in deploys.values()]
    return TeamDelivery(
        waiting=tuple(sorted(waiting, key=lambda w: w.pull_request.created_at)),
        behind=tuple(sorted(behind, key=lambda b: -b.behind_by)),
        unknown=tuple(e for e in entities if e not in prs and e not in deploys),
        oldest=min(fetched) if fetched else None,
    )
