"""Delivery on GitLab (gitlab.com or self-managed), REST API v4: merge requests with their
approvals and head pipelines; environments with their last deployment; compare and merge
bases. Projects are addressed by their URL-encoded path."""

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

__all__ = ["GitLabDelivery"]

_PIPELINE = {
    "success": ChecksState.PASSING,
    "failed": ChecksState.FAILING,
    "canceled": ChecksState.FAILING,
    "skipped": ChecksState.PASSING,
    "manual": ChecksState.PENDING,
}
MAX_ENVIRONMENTS = 12  # production first: each costs a few calls
_STATES = {"opened": "open", "merged": "merged", "closed": "closed", "locked": "open"}


class GitLabDelivery:
    """A ``DeliveryHost`` for one GitLab project."""

    def __init__(self, client: HostClient, web_url: str, *, parallel: int = 8) -> None:
        self._api = client
        self._project = f"projects/{quote(client.slug, safe='')}"
        self._web_url = web_url
        self._parallel = parallel

    def repository(self) -> Repository:
        body = self._api.get(self._project, doing=f"reading {self._api.slug}")
        return Repository(
            platform="gitlab",
            slug=str(body.get("path_with_namespace") or self._api.slug),
            web_url=str(body.get("web_url") or self._web_url),
            default_branch=str(body.get("default_branch") or "main"),
        )

    def open_pull_requests(self, *, limit: int) -> tuple[list[PullRequest], bool]:
        items, more = self._api.pages(
            f"{self._project}/merge_requests",
            params={"state": "opened", "order_by": "created_at", "sort": "desc", "per_page": limit},
            limit=limit,
            doing="listing merge requests",
        )
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            return list(
                pool.map(lambda mr: self._complete(int(mr["iid"])) or _basic(mr), items)
            ), more

    def pull_request(self, number: int) -> PullRequest | None:
        return self._complete(number)

    def environments(self, production: Sequence[str]) -> list[EnvironmentDeploy]:
        listed, _ = self._api.pages(
            f"{self._project}/environments",
            params={"per_page": 100, "states": "available"},
            limit=100,
            doing="listing environments",
        )
        wanted = {p.lower() for p in production}
        listed.sort(
            key=lambda env: (
                not (env.get("tier") == "production" or str(env.get("name")).lower() in wanted)
            )
        )
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            return list(
                pool.map(lambda env: self._environment(env, wanted), listed[:MAX_ENVIRONMENTS])
            )

    def compare(self, base: str, head: str, *, limit: int = 50) -> Comparison | None:
        ahead = self._compare(base, head)
        if ahead is None:
            return None
        behind = self._compare(head, base) or []
        status = (
            "identical"
            if not ahead and not behind
            else "ahead"
            if not behind
            else "behind"
            if not ahead
            else "diverged"
        )
        return Comparison(
            status=status,
            ahead_by=len(ahead),
            behind_by=len(behind),
            commits=tuple(self._commit(c) for c in ahead[:limit]),
        )

    def commit(self, ref: str) -> Commit | None:
        body = self._api.get(
            f"{self._project}/repository/commits/{quote(ref, safe='')}",
            doing=f"reading commit {ref[:40]}",
            missing_ok=True,
        )
        return self._commit(body) if isinstance(body, dict) else None

    def contains(self, ancestor: str, descendant: str) -> bool | None:
        base = self._api.get(
            f"{self._project}/repository/merge_base",
            params=[("refs[]", ancestor), ("refs[]", descendant)],
            doing="finding a merge base",
            missing_ok=True,
        )
        if not isinstance(base, dict):
            return None
        return bool(ancestor) and str(base.get("id") or "").startswith(ancestor)

    # helpers ---------------------------------------------------------------------------------
    def _complete(self, iid: int) -> PullRequest | None:
        mr = self._api.get(
            f"{self._project}/merge_requests/{iid}",
            doing=f"reading merge request !{iid}",
            missing_ok=True,
        )
        if not isinstance(mr, dict):
            return None
        basic = _basic(mr)
        if basic.state != "open":
            return basic
        review = ReviewState.DRAFT if basic.draft else ReviewState.REVIEW_REQUIRED
        if not basic.draft and mr.get("detailed_merge_status") == "requested_changes":
            # a reviewer's "Request changes" blocks the merge whatever the approvals say
            # (GitLab versions with "Request changes" say so here; on older ones the
            # approvals decide)
            review = ReviewState.CHANGES_REQUESTED
        elif not basic.draft:
            approvals = self._api.get(
                f"{self._project}/merge_requests/{iid}/approvals",
                doing=f"reading the approvals of !{iid}",
                missing_ok=True,
            )
            if isinstance(approvals, dict) and approvals.get("approved"):
                review = ReviewState.APPROVED
        pipeline = mr.get("head_pipeline") or {}
        status = str(pipeline.get("status") or "")
        checks = _PIPELINE.get(status, ChecksState.PENDING) if status else ChecksState.NONE
        return basic.model_copy(update={"review": review, "checks": checks})

    def _environment(self, env: dict[str, Any], production: set[str]) -> EnvironmentDeploy:
        name = str(env.get("name") or "")
        detail = self._api.get(
            f"{self._project}/environments/{env['id']}",
            doing=f"reading environment {name}",
            missing_ok=True,
        )
        last = (detail or {}).get("last_deployment") if isinstance(detail, dict) else None
        is_production = env.get("tier") == "production" or name.lower() in production
        if not isinstance(last, dict):
            return EnvironmentDeploy(
                name=name, production=is_production, sha=None, note="never deployed"
            )
        user = last.get("user") or {}
        return EnvironmentDeploy(
            name=name,
            production=is_production,
            sha=str(last.get("sha") or "") or None,
            ref=last.get("ref"),
            deployed_at=parse_time(last.get("finished_at") or last.get("created_at")),
            deployed_by=str(user.get("username") or "") or None,
            state=str(last.get("status") or "unknown"),
            url=str(env.get("external_url") or ""),
        )

    def _compare(self, base: str, head: str) -> list[dict[str, Any]] | None:
        body = self._api.get(
            f"{self._project}/repository/compare",
            params={"from": base, "to": head},
            doing=f"comparing {base[:12]} with {head[:12]}",
            missing_ok=True,
        )
        return list(body.get("commits") or []) if isinstance(body, dict) else None

    def _commit(self, body: dict[str, Any]) -> Commit:
        message = str(body.get("message") or body.get("title") or "")
        return Commit(
            sha=str(body.get("id") or ""),
            title=str(body.get("title") or (message.splitlines()[0] if message else "")),
            author=str(body.get("author_name") or "?"),
            date=parse_time(body.get("authored_date") or body.get("created_at")),
            url=str(body.get("web_url") or ""),
            pull_request=pull_request_of(message),
        )


def _basic(mr: dict[str, Any]) -> PullRequest:
    iid = int(mr["iid"])
    merged_at = parse_time(mr.get("merged_at"))
    return PullRequest(
        number=iid,
        title=str(mr.get("title") or ""),
        author=str((mr.get("author") or {}).get("username") or "?"),
        url=str(mr.get("web_url") or ""),
        state=_STATES.get(str(mr.get("state")), "open"),
        draft=bool(mr.get("draft") or mr.get("work_in_progress")),
        created_at=parse_time(mr.get("created_at")) or datetime.now(UTC),
        updated_at=parse_time(mr.get("updated_at")) or datetime.now(UTC),
        merged_at=merged_at,
        merge_commit=(mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or mr.get("sha"))
        if merged_at
        else None,
        head_sha=str(mr.get("sha") or ""),
        reviewers=tuple(str(r.get("username")) for r in mr.get("reviewers") or [] if r),
    )
