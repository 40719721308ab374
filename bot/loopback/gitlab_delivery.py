"""The delivery routes of the loopback GitLab: merge requests with their approvals and head
pipelines, environments with their last deployment, deployments, repository compare, single
commits and merge bases (computed by real git over the fake's bare repositories), renamed
projects (404 at the old path) and throttling (429 with ``RateLimit-*`` and ``Retry-After``).
Shapes follow GitLab's REST API v4; lists page with ``X-Next-Page`` and ``Link``."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bot.loopback.git_hosting import Call, Reply

if TYPE_CHECKING:
    from bot.loopback.gitlab_api import FakeGitLab

_PROJECT = r"/projects/(?P<id>[^/]+)"


def stamp(moment: datetime) -> str:
    """GitLab's timestamp format (milliseconds, UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class GitLabDelivery:
    """The state behind the delivery routes, and the helpers tests use to fill it."""

    def __init__(self, fake: FakeGitLab) -> None:
        self.fake = fake
        self.merge_requests: dict[int, list[dict[str, Any]]] = {}
        self.approvals: dict[tuple[int, int], list[str]] = {}
        self.environments: dict[int, list[dict[str, Any]]] = {}
        self.deployments: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(7000)
        routes = {
            "/merge_requests": self._list_mrs,
            r"/merge_requests/(?P<iid>\d+)": self._get_mr,
            r"/merge_requests/(?P<iid>\d+)/approvals": self._approvals,
            "/environments": self._list_environments,
            r"/environments/(?P<env>\d+)": self._get_environment,
            "/deployments": self._list_deployments,
            "/repository/compare": self._compare,
            "/repository/commits/(?P<sha>[^/]+)": self._get_commit,
            "/repository/merge_base": self._merge_base,
        }
        for suffix, handler in routes.items():
            fake.route("GET", _PROJECT + suffix, self._guarded(handler))

    # setup -----------------------------------------------------------------------------------
    def add_merge_request(
        self,
        path: str,
        iid: int,
        *,
        title: str,
        author: str,
        created: datetime,
        updated: datetime | None = None,
        sha: str = "0" * 40,
        draft: bool = False,
        reviewers: tuple[str, ...] = (),
        approved_by: tuple[str, ...] = (),
        changes_requested: bool = False,
        approvals_required: int = 1,
        pipeline: str | None = None,
        merged_at: datetime | None = None,
        merge_commit_sha: str | None = None,
    ) -> dict[str, Any]:
        """A merge request into main (merged when ``merged_at`` is given)."""
        project = self._project(path)
        mr = {
            "id": next(self._ids),
            "iid": iid,
            "project_id": project["id"],
            "title": title,
            "description": "",
            "state": "merged" if merged_at else "opened",
            "created_at": stamp(created),
            "updated_at": stamp(updated or merged_at or created),
            "merged_at": stamp(merged_at) if merged_at else None,
            "closed_at": None,
            "target_branch": "main",
            "source_branch": f"feature-{iid}",
            "author": _user(author),
            "assignees": [],
            "reviewers": [_user(r) for r in reviewers],
            "draft": draft,
            "work_in_progress": draft,
            "sha": sha,
            "merge_commit_sha": merge_commit_sha,
            "squash_commit_sha": None,
            "detailed_merge_status": "requested_changes"
            if changes_requested
            else "not_approved"
            if len(approved_by) < approvals_required
            else "mergeable",
            "web_url": f"{project['web_url']}/-/merge_requests/{iid}",
            "references": {"short": f"!{iid}", "full": f"{path}!{iid}"},
            "_pipeline": pipeline,
            "_approvals_required": approvals_required,
        }
        self.merge_requests.setdefault(project["id"], []).append(mr)
        self.approvals[(project["id"], iid)] = list(approved_by)
        return mr

    def add_deployment(
        self,
        path: str,
        *,
        sha: str,
        environment: str,
        user: str,
        created: datetime,
        ref: str = "main",
        status: str = "success",
        tier: str | None = None,
    ) -> dict[str, Any]:
        """A deployment to an environment (created on first use)."""
        project = self._project(path)
        environments = self.environments.setdefault(project["id"], [])
        env = next((e for e in environments if e["name"] == environment), None)
        if env is None:
            env = {
                "id": next(self._ids),
                "name": environment,
                "slug": re.sub(r"[^a-z0-9]+", "-", environment.lower()),
                "external_url": None,
                "state": "available",
                "tier": tier or ("production" if environment.startswith("prod") else "other"),
                "created_at": stamp(created),
                "updated_at": stamp(created),
            }
            environments.append(env)
        deployments = self.deployments.setdefault(project["id"], [])
        deployment = {
            "id": next(self._ids),
            "iid": len(deployments) + 1,
            "ref": ref,
            "sha": sha,
            "status": status,
            "created_at": stamp(created),
            "updated_at": stamp(created),
            "finished_at": stamp(created) if status == "success" else None,
            "user": _user(user),
            "environment": {k: env[k] for k in ("id", "name", "slug", "external_url", "state")},
            "deployable": {"id": next(self._ids), "status": status, "ref": ref},
        }
        deployments.append(deployment)
        return deployment

    def move(self, old: str, new: str) -> None:
        """Rename (transfer) a project: its old path answers 404 from now on."""
        project = self._project(old)
        name = new.rpartition("/")[2]
        project.update(
            path=name,
            name=name,
            path_with_namespace=new,
            web_url=f"{self.fake.url}/{new}",
            http_url_to_repo=f"{self.fake.url}/{new}.git",
        )
        self.fake.bare_repo(new).parent.mkdir(parents=True, exist_ok=True)
        self.fake.bare_repo(old).rename(self.fake.bare_repo(new))
        self.fake.forget_history()

    def rate_limit(self, *, times: int = 1000, reset_in: int = 60) -> None:
        """Throttle the API: 429 with ``RateLimit-*`` and ``Retry-After``, body ``Retry later``."""
        reset = int(time.time()) + reset_in
        self.fake.fail(
            "GET",
            "/projects/.*",
            429,
            b"Retry later\n",
            headers={
                "RateLimit-Name": "throttle_authenticated_api",
                "RateLimit-Limit": "2000",
                "RateLimit-Observed": "2001",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "Retry-After": str(reset_in),
                "Content-Type": "text/plain",
            },
            times=times,
        )

    # routes ----------------------------------------------------------------------------------
    def _guarded(self, handler: Any) -> Any:
        def route(match: re.Match[str], call: Call) -> Reply:
            project = self.fake._find_project(match["id"])
            if project is None:
                return _missing("Project")
            result: Reply = handler(project, match, call)
            return result

        return route

    def _list_mrs(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        state = _arg(call, "state", "all")
        mrs = [
            _public(m)
            for m in self.merge_requests.get(project["id"], [])
            if state == "all" or m["state"] == state
        ]
        key = "updated_at" if _arg(call, "order_by", "created_at") == "updated_at" else "created_at"
        mrs.sort(key=lambda m: m[key], reverse=_arg(call, "sort", "desc") == "desc")
        return self._page(call, mrs, f"/projects/{project['id']}/merge_requests")

    def _get_mr(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        mr = self._mr(project, int(match["iid"]))
        if mr is None:
            return _missing("Merge Request")
        pipeline = None
        if mr["_pipeline"]:
            pipeline = {
                "id": next(self._ids),
                "sha": mr["sha"],
                "ref": mr["source_branch"],
                "status": mr["_pipeline"],
                "web_url": f"{project['web_url']}/-/pipelines/1",
            }
        return Reply(200, _public(mr) | {"head_pipeline": pipeline, "pipeline": pipeline})

    def _approvals(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        mr = self._mr(project, int(match["iid"]))
        if mr is None:
            return _missing("Merge Request")
        approved_by = self.approvals.get((project["id"], mr["iid"]), [])
        required = mr["_approvals_required"]
        body = {
            "id": mr["id"],
            "iid": mr["iid"],
            "project_id": project["id"],
            "title": mr["title"],
            "state": mr["state"],
            "approved": len(approved_by) >= required,
            "approvals_required": required,
            "approvals_left": max(required - len(approved_by), 0),
            "approved_by": [{"user": _user(u)} for u in approved_by],
        }
        return Reply(200, body)

    def _list_environments(
        self, project: dict[str, Any], match: re.Match[str], call: Call
    ) -> Reply:
        environments = self.environments.get(project["id"], [])
        states = call.query.get("states")
        if states:
            environments = [e for e in environments if e["state"] == states[0]]
        return self._page(call, environments, f"/projects/{project['id']}/environments")

    def _get_environment(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        env = next(
            (e for e in self.environments.get(project["id"], []) if e["id"] == int(match["env"])),
            None,
        )
        if env is None:
            return _missing("Environment")
        deployments = [
            d
            for d in self.deployments.get(project["id"], [])
            if d["environment"]["id"] == env["id"]
        ]
        last = deployments[-1] if deployments else None
        return Reply(200, env | {"last_deployment": last, "project": project})

    def _list_deployments(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        items = list(self.deployments.get(project["id"], []))
        env = call.query.get("environment")
        if env:
            items = [d for d in items if d["environment"]["name"] == env[0]]
        status = call.query.get("status")
        if status:
            items = [d for d in items if d["status"] == status[0]]
        if _arg(call, "sort", "asc") == "desc":
            items.reverse()
        return self._page(call, items, f"/projects/{project['id']}/deployments")

    def _compare(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        path = project["path_with_namespace"]
        base = self._resolve(path, _arg(call, "from", ""))
        head = self._resolve(path, _arg(call, "to", ""))
        if base is None or head is None:
            return _missing("Ref")  # GitLab: 404 for a ref it cannot find
        commits = [
            self._commit_json(project, c) for c in self.fake.commits_between(path, base, head)
        ]
        body = {
            "commit": commits[-1] if commits else None,
            "commits": commits,
            "diffs": [],
            "compare_timeout": False,
            "compare_same_ref": base == head,
            "web_url": f"{project['web_url']}/-/compare/{base}...{head}",
        }
        return Reply(200, body)

    def _get_commit(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        path = project["path_with_namespace"]
        sha = self._resolve(path, match["sha"])
        if sha is None:
            return _missing("Commit")
        return Reply(200, self._commit_json(project, self.fake.commit_info(path, sha)))

    def _merge_base(self, project: dict[str, Any], match: re.Match[str], call: Call) -> Reply:
        path = project["path_with_namespace"]
        refs = call.query.get("refs[]", [])
        if len(refs) < 2:
            return Reply(400, {"message": "Provide at least 2 refs"})
        shas = [self._resolve(path, r) for r in refs]
        if None in shas:
            missing = refs[shas.index(None)]
            return Reply(404, {"message": f"Could not find ref: {missing}"})
        base = self.fake.merge_base(path, str(shas[0]), str(shas[1]))
        if base is None:
            return _missing("Merge Base")
        return Reply(200, self._commit_json(project, self.fake.commit_info(path, base)))

    # helpers ---------------------------------------------------------------------------------
    def _project(self, path: str) -> dict[str, Any]:
        project = self.fake.project(path)
        if project is None:
            raise KeyError(f"no project {path}; seed_repository it first")
        return project

    def _mr(self, project: dict[str, Any], iid: int) -> dict[str, Any] | None:
        return next(
            (m for m in self.merge_requests.get(project["id"], []) if m["iid"] == iid), None
        )

    def _resolve(self, path: str, ref: str) -> str | None:
        if not re.fullmatch(r"[A-Za-z0-9._/-]{1,200}", ref):
            return None
        return self.fake.rev_parse(path, ref)

    def _commit_json(self, project: dict[str, Any], commit: dict[str, str]) -> dict[str, Any]:
        message = commit["message"]
        return {
            "id": commit["sha"],
            "short_id": commit["sha"][:8],
            "title": message.splitlines()[0] if message else "",
            "message": message,
            "author_name": commit["name"],
            "author_email": commit["email"],
            "authored_date": commit["date"],
            "committer_name": commit["name"],
            "committer_email": commit["email"],
            "committed_date": commit["date"],
            "created_at": commit["date"],
            "parent_ids": [],
            "web_url": f"{project['web_url']}/-/commit/{commit['sha']}",
        }

    def _page(self, call: Call, items: list[dict[str, Any]], path: str) -> Reply:
        per_page = max(1, min(int(_arg(call, "per_page", "20")), 100))
        page = max(1, int(_arg(call, "page", "1")))
        total_pages = max(1, -(-len(items) // per_page))
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(items)),
            "X-Total-Pages": str(total_pages),
            "X-Next-Page": str(page + 1) if page < total_pages else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
        }
        if page < total_pages:
            query = {k: v[0] for k, v in call.query.items()}
            base = f"{self.fake.api_url}{path}"
            next_q = urlencode(query | {"page": str(page + 1), "per_page": str(per_page)})
            last_q = urlencode(query | {"page": str(total_pages), "per_page": str(per_page)})
            headers["Link"] = f'<{base}?{next_q}>; rel="next", <{base}?{last_q}>; rel="last"'
        return Reply(200, items[(page - 1) * per_page : page * per_page], headers)


def _public(mr: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mr.items() if not k.startswith("_")}


def _user(username: str) -> dict[str, Any]:
    return {
        "id": abs(hash(username)) % 10**6,
        "username": username,
        "name": username.replace(".", " ").title(),
        "state": "active",
    }


def _arg(call: Call, name: str, default: str) -> str:
    return call.query.get(name, [default])[0]


def _missing(what: str) -> Reply:
    return Reply(404, {"message": f"404 {what} Not Found"})
