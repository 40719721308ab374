"""What delivery answers are made of: plain, frozen pydantic models, so a last good answer can
be stored as JSON and shown again, with its age, when the host cannot be asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ChecksState",
    "Commit",
    "Comparison",
    "DeploysReport",
    "EnvironmentDeploy",
    "Freshness",
    "PullRequest",
    "PullRequestJourney",
    "PullRequestsReport",
    "Repository",
    "ReviewState",
    "RunningWorkload",
    "WhereDeployed",
    "WhereRunning",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReviewState(StrEnum):
    """Where a pull request's review stands."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes requested"
    REVIEW_REQUIRED = "waiting for review"
    DRAFT = "draft"


class ChecksState(StrEnum):
    """The combined state of its checks and commit statuses."""

    PASSING = "passing"
    FAILING = "failing"
    PENDING = "running"
    NONE = "no checks"


class Repository(_Frozen):
    """A repository on a host: ``slug`` is ``owner/name`` (GitLab: ``group/sub/name``)."""

    platform: str  # "github" or "gitlab"
    slug: str
    web_url: str
    default_branch: str = "main"


class Commit(_Frozen):
    """One commit, with the pull request number its message names (merge or squash)."""

    sha: str
    title: str
    author: str
    date: datetime | None = None
    url: str = ""
    pull_request: int | None = None

    @property
    def short(self) -> str:
        return self.sha[:7]


class Comparison(_Frozen):
    """``head`` against ``base``: how many commits it is ahead and behind, and the first ones
    it is ahead by (oldest first)."""

    status: str  # identical, ahead, behind, diverged
    ahead_by: int
    behind_by: int
    commits: tuple[Commit, ...] = ()


class PullRequest(_Frozen):
    """A pull (GitHub) or merge (GitLab) request."""

    number: int
    title: str
    author: str
    url: str
    state: str  # open, merged, closed
    draft: bool = False
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None = None
    merge_commit: str | None = None
    head_sha: str = ""
    review: ReviewState = ReviewState.REVIEW_REQUIRED
    reviewers: tuple[str, ...] = ()
    checks: ChecksState = ChecksState.NONE

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at

    def is_stale(self, now: datetime, days: int) -> bool:
        """Open with no activity for ``days`` days."""
        return self.state == "open" and now - self.updated_at >= timedelta(days=days)

    @property
    def waiting_for_review(self) -> bool:
        return self.state == "open" and self.review == ReviewState.REVIEW_REQUIRED


class EnvironmentDeploy(_Frozen):
    """An environment's last deployment, and the change on the default branch since."""

    name: str
    production: bool
    sha: str | None
    ref: str | None = None
    deployed_at: datetime | None = None
    deployed_by: str | None = None
    state: str = "unknown"  # success, failure, in_progress, ... (the host's word)
    url: str = ""
    behind_by: int | None = None
    changes: tuple[Commit, ...] = ()
    note: str | None = None  # why behind_by is unknown

    @property
    def pull_requests(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(c.pull_request for c in self.changes if c.pull_request))


class RunningWorkload(_Frozen):
    """A workload in a cluster, the commit its image maps to, and how far behind it is."""

    cluster: str
    namespace: str
    kind: str
    name: str
    image: str
    commit: str | None = None
    mapped_by: str | None = None  # annotation, sha tag, version tag
    behind_by: int | None = None
    note: str | None = None  # why it maps to no commit, or diverged


class Freshness(_Frozen):
    """When the answer was read from the host; ``problem`` when this is the last good answer
    because the host could not be asked now."""

    fetched_at: datetime
    problem: str | None = None


class PullRequestsReport(_Frozen):
    """``prs <entity>``: the repository's open pull requests."""

    entity: str
    repository: Repository
    pull_requests: tuple[PullRequest, ...]
    more: bool = False
    freshness: Freshness


class DeploysReport(_Frozen):
    """``deploys <entity>``: per environment the last deploy and the change since; per
    cluster what runs and how far behind the default branch it is."""

    entity: str
    repository: Repository
    head: Commit | None
    environments: tuple[EnvironmentDeploy, ...]
    running: tuple[RunningWorkload, ...] = ()
    cluster_problems: tuple[tuple[str, str], ...] = ()
    running_note: str | None = None
    freshness: Freshness


class WhereDeployed(_Frozen):
    """Whether an environment's last deploy contains a pull request's merge commit."""

    environment: str
    production: bool
    contains: bool | None  # None: the deployed commit is unknown
    deployed_at: datetime | None = None


class WhereRunning(_Frozen):
    """Whether a workload's image contains a pull request's merge commit."""

    cluster: str
    namespace: str
    workload: str
    entity: str
    contains: bool | None


class PullRequestJourney(_Frozen):
    """``pr <url>``: where one pull request is: in review, merged, deployed, running."""

    repository: Repository
    pull_request: PullRequest
    entities: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    deployed: tuple[WhereDeployed, ...] = ()
    running: tuple[WhereRunning, ...] = ()
    freshness: Freshness
