"""The delivery routes of the loopback GitHub: pull requests and their reviews, check runs
and commit statuses, deployments and their statuses, commit comparisons (real git over the
fake's bare repositories), renamed repositories (404 at the old name) and the primary rate
limit (403 with ``x-ratelimit-remaining: 0``). Shapes follow GitHub's REST API v3 (2022-11-28)."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from bot.loopback.git_hosting import Call, Reply

if TYPE_CHECKING:
    from bot.loopback.github_api import FakeGitHub

DOCS = "https://docs.github.com/rest"
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def stamp(moment: datetime) -> str:
    """GitHub's timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubDelivery:
    """The state behind the delivery routes, and the helpers tests use to fill it."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        self.reviews: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.check_runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.statuses: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.deployments: dict[str, list[dict[str, Any]]] = {}
        self.deployment_statuses: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(5000)
        routes = {
            "/pulls": self._list_pulls,
            r"/pulls/(?P<number>\d+)": self._get_pull,
            r"/pulls/(?P<number>\d+)/reviews": self._list_reviews,
            "/commits/(?P<ref>[^/]+)/check-runs": self._check_runs,
            "/commits/(?P<ref>[^/]+)/status": self._combined_status,
            "/commits/(?P<ref>[^/]+)": self._get_commit,
            "/deployments": self._list_deployments,
            r"/deployments/(?P<id>\d+)/statuses": self._list_deployment_statuses,
            "/compare/(?P<basehead>.+)": self._compare,
        }
        for suffix, handler in routes.items():
            fake.route("GET", _REPO + suffix, self._guarded(handler))

    # setup -----------------------------------------------------------------------------------
    def add_pull(
        self,
        repo: str,
        number: int,
        *,
        title: str,
        author: str,
        created: datetime,
        updated: datetime | None = None,
        head_sha: str = "0" * 40,
        head_ref: str | None = None,
        draft: bool = False,
        requested_reviewers: tuple[str, ...] = (),
        merged_at: datetime | None = None,
        merge_commit_sha: str | None = None,
        closed: bool = False,
    ) -> dict[str, Any]:
        """A pull request into main (merged when ``merged_at`` is given)."""
        base_url = f"{self.fake.api_url}/repos/{repo}"
        done = merged_at is not None or closed
        pull = {
            "url": f"{base_url}/pulls/{number}",
            "id": next(self._ids),
            "node_id": "PR_fake",
            "html_url": f"{self.fake.url}/{repo}/pull/{number}",
            "number": number,
            "state": "closed" if done else "open",
            "locked": False,
            "title": title,
            "user": _user(author),
            "body": None,
            "created_at": stamp(created),
            "updated_at": stamp(updated or merged_at or created),
            "closed_at": stamp(merged_at) if merged_at else None,
            "merged_at": stamp(merged_at) if merged_at else None,
            "merge_commit_sha": merge_commit_sha,
            "draft": draft,
            "requested_reviewers": [_user(r) for r in requested_reviewers],
            "requested_teams": [],
            "labels": [],
            "head": {"ref": head_ref or f"feature-{number}", "sha": head_sha, "label": ""},
            "base": {"ref": "main", "sha": "", "label": ""},
            "author_association": "MEMBER",
        }
        self.pulls.setdefault(repo, []).append(pull)
        return pull

    def add_review(
        self, repo: str, number: int, *, user: str, state: str, submitted: datetime
    ) -> None:
        """A review: APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED."""
        self.reviews.setdefault((repo, number), []).append(
            {
                "id": next(self._ids),
                "node_id": "PRR_fake",
                "user": _user(user),
                "body": "",
                "state": state,
                "html_url": f"{self.fake.url}/{repo}/pull/{number}#pullrequestreview",
                "commit_id": "0" * 40,
                "submitted_at": stamp(submitted),
                "author_association": "MEMBER",
            }
        )

    def add_check_run(
        self, repo: str, sha: str, *, name: str, status: str, conclusion: str | None = None
    ) -> None:
        """A check run on a commit: queued/in_progress/completed (+ conclusion)."""
        self.check_runs.setdefault((repo, sha), []).append(
            {
                "id": next(self._ids),
                "head_sha": sha,
                "name": name,
                "status": status,
                "conclusion": conclusion,
                "started_at": stamp(datetime.now(UTC)),
                "completed_at": stamp(datetime.now(UTC)) if status == "completed" else None,
                "html_url": f"{self.fake.url}/{repo}/runs/1",
                "details_url": f"{self.fake.url}/{repo}/runs/1",
                "app": {"slug": "github-actions", "name": "GitHub Actions"},
                "output": {"title": None, "summary": None},
            }
        )

    def add_status(self, repo: str, sha: str, *, context: str, state: str) -> None:
        """A commit status (success, pending, failure, error) from an older CI."""
        self.statuses.setdefault((repo, sha), []).insert(
            0,
            {
                "id": next(self._ids),
                "state": state,
                "context": context,
                "description": None,
                "target_url": None,
                "created_at": stamp(datetime.now(UTC)),
                "updated_at": stamp(datetime.now(UTC)),
            },
        )

    def add_deployment(
        self,
        repo: str,
        *,
        sha: str,
        environment: str,
        creator: str,
        created: datetime,
        ref: str = "main",
        states: tuple[str, ...] = ("in_progress", "success"),
        production: bool | None = None,
        transient: bool = False,
    ) -> dict[str, Any]:
        """A deployment and its statuses (oldest first, as they happened)."""
        deployment_id = next(self._ids)
        url = f"{self.fake.api_url}/repos/{repo}/deployments/{deployment_id}"
        deployment = {
            "url": url,
            "id": deployment_id,
            "node_id": "DE_fake",
            "sha": sha,
            "ref": ref,
            "task": "deploy",
            "payload": {},
            "original_environment": environment,
            "environment": environment,
            "description": None,
            "creator": _user(creator),
            "created_at": stamp(created),
            "updated_at": stamp(created),
            "statuses_url": f"{url}/statuses",
            "repository_url": f"{self.fake.api_url}/repos/{repo}",
            "transient_environment": transient,
            "production_environment": environment in {"production", "prod"}
            if production is None
            else production,
        }
        self.deployments.setdefault(repo, []).insert(0, deployment)  # newest first
        statuses = self.deployment_statuses.setdefault(deployment_id, [])
        for state in states:
            statuses.insert(
                0,
                {
                    "url": f"{url}/statuses/{next(self._ids)}",
                    "id": next(self._ids),
                    "state": state,
                    "creator": _user(creator),
                    "description": "",
                    "environment": environment,
                    "target_url": "",
                    "log_url": "",
                    "environment_url": "",
                    "created_at": stamp(created),
                    "updated_at": stamp(created),
                    "deployment_url": url,
                    "repository_url": f"{self.fake.api_url}/repos/{repo}",
                },
            )
        return deployment

    def move(self, old: str, new: str) -> None:
        """Rename a repository: its old name answers 404 from now on."""
        repo = self.fake.repos.pop(old)
        name = new.split("/")[1]
        repo.update(full_name=new, name=name, html_url=f"{self.fake.url}/{new}")
        self.fake.repos[new] = repo
        self.fake.bare_repo(old).rename(self.fake.bare_repo(new))
        self.fake.forget_history()
        for table in (self.pulls, self.deployments):
            if old in table:
                table[new] = table.pop(old)

    def rate_limit(self, *, times: int = 1000, reset_in: int = 1800) -> None:
        """Use up the primary rate limit: 403 with ``x-ratelimit-remaining: 0``."""
        reset = int(time.time()) + reset_in
        self.fake.fail(
            "GET",
            "/repos/.*",
            403,
            {
                "message": "API rate limit exceeded for user ID 1. If you reach out to GitHub "
                "Support for help, please include the request ID.",
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
                "status": "403",
            },
            headers={
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-resource": "core",
            },
            times=times,
        )

    # routes ----------------------------------------------------------------------------------
    def _guarded(self, handler: Any) -> Any:
        def route(match: re.Match[str], call: Call) -> Reply:
            full_name = f"{match['owner']}/{match['repo']}"
            if full_name not in self.fake.repos:
                return _not_found()
            result: Reply = handler(full_name, match, call)
            return result

        return route

    def _list_pulls(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        state = _arg(call, "state", "open")
        pulls = [p for p in self.pulls.get(repo, []) if state == "all" or p["state"] == state]
        key = "updated_at" if _arg(call, "sort", "created") == "updated" else "created_at"
        pulls.sort(key=lambda p: p[key], reverse=_arg(call, "direction", "desc") == "desc")
        return self._page(call, pulls, f"/repos/{repo}/pulls")

    def _get_pull(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        number = int(match["number"])
        pull = next((p for p in self.pulls.get(repo, []) if p["number"] == number), None)
        if pull is None:
            return _not_found()
        return Reply(200, pull | {"merged": pull["merged_at"] is not None, "mergeable": None})

    def _list_reviews(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        number = int(match["number"])
        if not any(p["number"] == number for p in self.pulls.get(repo, [])):
            return _not_found()
        reviews = self.reviews.get((repo, number), [])
        return self._page(call, reviews, f"/repos/{repo}/pulls/{number}/reviews")

    def _check_runs(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        sha = self._resolve(repo, match["ref"])
        if sha is None:
            return _no_commit(match["ref"])
        runs = self.check_runs.get((repo, sha), [])
        return Reply(200, {"total_count": len(runs), "check_runs": runs})

    def _combined_status(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        sha = self._resolve(repo, match["ref"])
        if sha is None:
            return _no_commit(match["ref"])
        latest: dict[str, dict[str, Any]] = {}
        for status in self.statuses.get((repo, sha), []):
            latest.setdefault(status["context"], status)
        states = {s["state"] for s in latest.values()}
        state = (
            "failure"
            if states & {"failure", "error"}
            else "pending"
            if "pending" in states or not states
            else "success"
        )
        body = {
            "state": state,
            "statuses": list(latest.values()),
            "sha": sha,
            "total_count": len(latest),
            "repository": self.fake.repos[repo],
            "commit_url": f"{self.fake.api_url}/repos/{repo}/commits/{sha}",
            "url": f"{self.fake.api_url}/repos/{repo}/commits/{sha}/status",
        }
        return Reply(200, body)

    def _get_commit(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        sha = self._resolve(repo, match["ref"])
        if sha is None:
            return _no_commit(match["ref"])
        return Reply(200, self._commit_json(repo, self.fake.commit_info(repo, sha)))

    def _list_deployments(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        items = self.deployments.get(repo, [])
        for field in ("environment", "sha", "ref", "task"):
            wanted = call.query.get(field)
            if wanted:
                items = [d for d in items if d[field] == wanted[0]]
        return self._page(call, items, f"/repos/{repo}/deployments")

    def _list_deployment_statuses(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        deployment_id = int(match["id"])
        if not any(d["id"] == deployment_id for d in self.deployments.get(repo, [])):
            return _not_found()
        statuses = self.deployment_statuses.get(deployment_id, [])
        return self._page(call, statuses, f"/repos/{repo}/deployments/{deployment_id}/statuses")

    def _compare(self, repo: str, match: re.Match[str], call: Call) -> Reply:
        base_ref, dots, head_ref = unquote(match["basehead"]).partition("...")
        if not dots:
            return _not_found()
        base, head = self._resolve(repo, base_ref), self._resolve(repo, head_ref)
        if base is None or head is None:
            return _not_found()
        ahead = self.fake.commits_between(repo, base, head)
        behind = self.fake.commits_between(repo, head, base)
        status = (
            "identical"
            if not ahead and not behind
            else "ahead"
            if not behind
            else "behind"
            if not ahead
            else "diverged"
        )
        per_page = min(int(_arg(call, "per_page", "250")), 250)
        page = int(_arg(call, "page", "1"))
        shown = ahead[(page - 1) * per_page : page * per_page]
        merge_base = self.fake.merge_base(repo, base, head) or base
        body = {
            "url": f"{self.fake.api_url}/repos/{repo}/compare/{base_ref}...{head_ref}",
            "html_url": f"{self.fake.url}/{repo}/compare/{base_ref}...{head_ref}",
            "permalink_url": f"{self.fake.url}/{repo}/compare/{base}...{head}",
            "base_commit": {"sha": base},
            "merge_base_commit": {"sha": merge_base},
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [self._commit_json(repo, c) for c in shown],
            "files": [],
        }
        headers = {}
        if page * per_page < len(ahead):
            query = {k: v[0] for k, v in call.query.items()} | {"page": str(page + 1)}
            link = f"{self.fake.api_url}/repos/{repo}/compare/{match['basehead']}"
            headers["Link"] = f'<{link}?{urlencode(query)}>; rel="next"'
        return Reply(200, body, headers)

    # helpers ---------------------------------------------------------------------------------
    def _resolve(self, repo: str, ref: str) -> str | None:
        ref = unquote(ref)
        if not re.fullmatch(r"[A-Za-z0-9._/-]{1,200}", ref):
            return None
        return self.fake.rev_parse(repo, ref)

    def _commit_json(self, repo: str, commit: dict[str, str]) -> dict[str, Any]:
        login = commit["email"].partition("@")[0]
        return {
            "sha": commit["sha"],
            "node_id": "C_fake",
            "html_url": f"{self.fake.url}/{repo}/commit/{commit['sha']}",
            "url": f"{self.fake.api_url}/repos/{repo}/commits/{commit['sha']}",
            "commit": {
                "message": commit["message"],
                "author": {
                    "name": commit["name"],
                    "email": commit["email"],
                    "date": commit["date"],
                },
                "committer": {
                    "name": commit["name"],
                    "email": commit["email"],
                    "date": commit["date"],
                },
            },
            "author": _user(login),
            "committer": _user(login),
            "parents": [],
        }

    def _page(self, call: Call, items: list[dict[str, Any]], path: str) -> Reply:
        per_page = max(1, min(int(_arg(call, "per_page", "30")), 100))
        page = max(1, int(_arg(call, "page", "1")))
        headers = {}
        if page * per_page < len(items):
            query = {k: v[0] for k, v in call.query.items()}
            last = -(-len(items) // per_page)
            base = f"{self.fake.api_url}{path}"
            next_q = urlencode(query | {"page": str(page + 1), "per_page": str(per_page)})
            last_q = urlencode(query | {"page": str(last), "per_page": str(per_page)})
            headers["Link"] = f'<{base}?{next_q}>; rel="next", <{base}?{last_q}>; rel="last"'
        return Reply(200, items[(page - 1) * per_page : page * per_page], headers)


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**6, "type": "User"}


def _arg(call: Call, name: str, default: str) -> str:
    return call.query.get(name, [default])[0]


def _not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def _no_commit(ref: str) -> Reply:
    return Reply(
        422,
        {
            "message": f"No commit found for SHA: {ref}",
            "documentation_url": f"{DOCS}/commits/commits#get-a-commit",
            "status": "422",
        },
    )
