"""Delivery on GitHub (github.com or Enterprise Server), REST API v3: pulls with their reviews,
check runs and commit statuses; Deployments and their statuses; compare."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from integrations.delivery._http import HostClient
from integrations.delivery.base import parse_time, pull_request_of
from integrations.delivery.models import (
    ChecksState,
    Commit,
    Comparison,
    EnvironmentDeploy,
    PullRequest,
    Repository,
    ReviewState,
)

__all__ = ["GitHubDelivery"]

_FAILED = {"failure", "timed_out", "cancelled", "action_required", "startup_failure"}
_DEPLOYS_PER_ENVIRONMENT = 5  # looked at (newest first) for the last successful one
MAX_ENVIRONMENTS = 12


class GitHubDelivery:
    """A ``DeliveryHost`` for one GitHub repository."""

    def __init__(self, client: HostClient, web_url: str, *, parallel: int = 8) -> None:
        self._api = client
        self._repo = f"repos/{client.slug}"
        self._web_url = web_url
        self._parallel = parallel

    def repository(self) -> Repository:
        body = self._api.get(self._repo, doing=f"reading {self._api.slug}")
        return Repository(
            platform="github",
            slug=str(body.get("full_name") or self._api.slug),
            web_url=str(body.get("html_url") or self._web_url),
            default_branch=str(body.get("default_branch") or "main"),
        )

    def open_pull_requests(self, *, limit: int) -> tuple[list[PullRequest], bool]:
        items, more = self._api.pages(
            f"{self._repo}/pulls",
            params={"state": "open", "sort": "created", "direction": "desc", "per_page": limit},
            limit=limit,
            doing="listing pull requests",
        )
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            return list(pool.map(self._complete, items)), more

    def pull_request(self, number: int) -> PullRequest | None:
        body = self._api.get(
            f"{self._repo}/pulls/{number}", doing=f"reading pull request #{number}", missing_ok=True
        )
        return self._complete(body) if isinstance(body, dict) else None

    def environments(self, production: Sequence[str]) -> list[EnvironmentDeploy]:
        deployments, _ = self._api.pages(
            f"{self._repo}/deployments",
            params={"per_page": 100},
            limit=200,
            doing="listing deployments",
        )
        by_environment: dict[str, list[dict[str, Any]]] = {}
        for deployment in deployments:  # newest first
            name = str(deployment.get("environment") or "")
            if name and not deployment.get("transient_environment"):  # previews come and go
                by_environment.setdefault(name, []).append(deployment)
        wanted = {p.lower() for p in production}
        # production first, then the most recently deployed: each costs a few calls
        chosen = sorted(
            by_environment.items(),
            key=lambda item: (
                not (item[0].lower() in wanted or item[1][0].get("production_environment"))
            ),
        )[:MAX_ENVIRONMENTS]
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            return list(
                pool.map(
                    lambda item: self._environment(item[0], item[1], wanted),
                    chosen,
                )
            )

    def compare(self, base: str, head: str, *, limit: int = 50) -> Comparison | None:
        body = self._api.get(
            f"{self._repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}",
            params={"per_page": limit},
            doing=f"comparing {base[:12]} with {head[:12]}",
            missing_ok=True,
        )
        if not isinstance(body, dict):
            return None
        return Comparison(
            status=str(body.get("status") or ""),
            ahead_by=int(body.get("ahead_by") or 0),
            behind_by=int(body.get("behind_by") or 0),
            commits=tuple(self._commit(c) for c in (body.get("commits") or [])[:limit]),
        )

    def commit(self, ref: str) -> Commit | None:
        body = self._api.get(
            f"{self._repo}/commits/{quote(ref, safe='')}",
            doing=f"reading commit {ref[:40]}",
            missing_ok=True,
        )
        return self._commit(body) if isinstance(body, dict) else None

    def contains(self, ancestor: str, descendant: str) -> bool | None:
        comparison = self.compare(ancestor, descendant, limit=1)
        if comparison is None:
            return None
        return comparison.status in {"identical", "ahead"}

    # helpers ---------------------------------------------------------------------------------
    def _complete(self, pull: dict[str, Any]) -> PullRequest:
        number = int(pull["number"])
        state = "merged" if pull.get("merged_at") else str(pull.get("state") or "open")
        review = ReviewState.DRAFT if pull.get("draft") else ReviewState.REVIEW_REQUIRED
        checks = ChecksState.NONE
        if state == "open":
            if review != ReviewState.DRAFT:
                review = self._review(number, pull)
            checks = self._checks(str((pull.get("head") or {}).get("sha") or ""))
        return PullRequest(
            number=number,
            title=str(pull.get("title") or ""),
            author=str((pull.get("user") or {}).get("login") or "?"),
            url=str(pull.get("html_url") or f"{self._web_url}/pull/{number}"),
            state=state,
            draft=bool(pull.get("draft")),
            created_at=parse_time(pull.get("created_at")) or datetime.now(UTC),
            updated_at=parse_time(pull.get("updated_at")) or datetime.now(UTC),
            merged_at=parse_time(pull.get("merged_at")),
            merge_commit=pull.get("merge_commit_sha") if pull.get("merged_at") else None,
            head_sha=str((pull.get("head") or {}).get("sha") or ""),
            review=review,
            reviewers=tuple(
                str(r.get("login")) for r in pull.get("requested_reviewers") or [] if r
            ),
            checks=checks,
        )

    def _review(self, number: int, pull: dict[str, Any]) -> ReviewState:
        reviews, _ = self._api.pages(
            f"{self._repo}/pulls/{number}/reviews",
            params={"per_page": 100},
            limit=300,
            doing=f"reading the reviews of #{number}",
        )
        latest: dict[str, str] = {}  # each reviewer's latest verdict counts
        for review in reviews:
            state = str(review.get("state") or "")
            who = str((review.get("user") or {}).get("login") or "")
            if state in {"APPROVED", "CHANGES_REQUESTED", "DISMISSED"}:
                latest[who] = state
        verdicts = set(latest.values())
        if "CHANGES_REQUESTED" in verdicts:
            return ReviewState.CHANGES_REQUESTED
        if "APPROVED" in verdicts and not pull.get("requested_reviewers"):
            return ReviewState.APPROVED
        return ReviewState.REVIEW_REQUIRED

    def _checks(self, sha: str) -> ChecksState:
        if not sha:
            return ChecksState.NONE
        runs = self._api.get(
            f"{self._repo}/commits/{sha}/check-runs",
            params={"per_page": 100},
            doing="reading check runs",
            missing_ok=True,
        ) or {"check_runs": []}
        status = self._api.get(
            f"{self._repo}/commits/{sha}/status", doing="reading commit statuses", missing_ok=True
        ) or {"state": "pending", "total_count": 0}
        states: set[ChecksState] = set()
        for run in runs.get("check_runs") or []:
            if run.get("status") != "completed":
                states.add(ChecksState.PENDING)
            elif run.get("conclusion") in _FAILED:
                states.add(ChecksState.FAILING)
            else:
                states.add(ChecksState.PASSING)
        if int(status.get("total_count") or 0) > 0:
            combined = status.get("state")
            states.add(
                ChecksState.FAILING
                if combined in {"failure", "error"}
                else ChecksState.PENDING
                if combined == "pending"
                else ChecksState.PASSING
            )
        for worst in (ChecksState.FAILING, ChecksState.PENDING, ChecksState.PASSING):
            if worst in states:
                return worst
        return ChecksState.NONE

    def _environment(
        self, name: str, deployments: list[dict[str, Any]], production: set[str]
    ) -> EnvironmentDeploy:
        newest_state: str | None = None
        for deployment in deployments[:_DEPLOYS_PER_ENVIRONMENT]:
            statuses = self._api.get(
                f"{self._repo}/deployments/{deployment['id']}/statuses",
                params={"per_page": 1},
                doing=f"reading the status of a deployment to {name}",
                missing_ok=True,
            )
            state = str(statuses[0].get("state")) if statuses else "pending"
            newest_state = newest_state or state
            if state == "success":
                note = None
                if deployment is not deployments[0]:
                    note = f"a newer deploy is {newest_state.replace('_', ' ')}"
                return EnvironmentDeploy(
                    name=name,
                    production=bool(deployment.get("production_environment"))
                    or name.lower() in production,
                    sha=str(deployment.get("sha") or "") or None,
                    ref=deployment.get("ref"),
                    deployed_at=parse_time(deployment.get("created_at")),
                    deployed_by=str((deployment.get("creator") or {}).get("login") or "") or None,
                    state="success",
                    note=note,
                )
        return EnvironmentDeploy(
            name=name,
            production=name.lower() in production,
            sha=None,
            state=newest_state or "unknown",
            note=f"no successful deploy among the last {_DEPLOYS_PER_ENVIRONMENT}",
        )

    def _commit(self, body: dict[str, Any]) -> Commit:
        inner = body.get("commit") or {}
        message = str(inner.get("message") or "")
        author = (body.get("author") or {}).get("login") or (inner.get("author") or {}).get("name")
        return Commit(
            sha=str(body.get("sha") or ""),
            title=message.splitlines()[0] if message else "",
            author=str(author or "?"),
            date=parse_time((inner.get("author") or {}).get("date")),
            url=str(body.get("html_url") or ""),
            pull_request=pull_request_of(message),
        )
