"""A loopback GitHub REST API v3 (served under ``/api/v3`` like GitHub Enterprise Server),
with the real request and response shapes: JSON errors with ``message``/``errors``/
``documentation_url``, ``x-ratelimit-*`` headers, ``Link`` pagination, bearer-token auth.
Created repositories are real bare repositories, pushed to over smart HTTP."""

from __future__ import annotations

import itertools
import re
import shutil
import time
from pathlib import Path
from typing import Any

from bot.loopback.git_hosting import Call, FakeGitHost, Reply
from bot.loopback.github_delivery import GitHubDelivery

DOCS = "https://docs.github.com/rest"
NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
SEGMENT = r"[^/]+"


class FakeGitHub(FakeGitHost):
    """GitHub with users (by token), organisations, teams and repositories."""

    api_prefix = "/api/v3"

    def __init__(self, root: Path, *, tokens: dict[str, str] | None = None) -> None:
        super().__init__(root)
        self.tokens = tokens or {"ghp_fake_token_0123456789": "greenroom-bot"}
        self.orgs: dict[str, dict[str, dict[str, Any]]] = {}
        self.repos: dict[str, dict[str, Any]] = {}
        self.team_repos: dict[tuple[str, str], dict[str, str]] = {}
        self.rate_remaining = 5000
        self._ids = itertools.count(1000)
        s = SEGMENT
        self.route("GET", "/user", self._user)
        self.route("POST", "/user/repos", self._create)
        self.route("POST", f"/orgs/(?P<org>{s})/repos", self._create)
        self.route("GET", f"/repos/(?P<owner>{s})/(?P<repo>{s})", self._get_repo)
        self.route("DELETE", f"/repos/(?P<owner>{s})/(?P<repo>{s})", self._delete_repo)
        self.route("PUT", f"/repos/(?P<owner>{s})/(?P<repo>{s})/topics", self._topics)
        self.route("GET", f"/orgs/(?P<org>{s})/teams", self._list_teams)
        self.route("GET", f"/orgs/(?P<org>{s})/teams/(?P<team>{s})", self._get_team)
        self.route(
            "PUT",
            f"/orgs/(?P<org>{s})/teams/(?P<team>{s})/repos/(?P<owner>{s})/(?P<repo>{s})",
            self._team_access,
        )
        # Dependabot alerts (team KPIs): seeded with add_dependabot_alert
        self.dependabot_alerts: dict[str, list[dict[str, Any]]] = {}
        self.route(
            "GET", f"/repos/(?P<owner>{s})/(?P<repo>{s})/dependabot/alerts", self._dependabot
        )
        #: pulls, reviews, checks, deployments, compare (bot/loopback/github_delivery.py)
        self.delivery = GitHubDelivery(self)
        self._add_workflow_routes()

    # setup -----------------------------------------------------------------------------------
    def add_org(self, org: str, *teams: str) -> None:
        self.orgs[org] = {
            slug: {"id": next(self._ids), "slug": slug, "name": slug.replace("-", " ").title()}
            for slug in teams
        }

    def seed_repository(
        self, full_name: str, files: dict[str, str], *, private: bool = True
    ) -> str:
        """An existing repository with one commit of ``files``; returns the commit."""
        sha = self.commit(full_name, files, message="seed")
        self.repos[full_name] = self._repo_json(full_name, private=private, visibility=None)
        if not private:
            self.public_repos.add(full_name)
        return sha

    # protocol --------------------------------------------------------------------------------
    def token_user(self, token: str) -> str | None:
        return self.tokens.get(token)

    def authenticate(self, headers: dict[str, str]) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return self.tokens.get(token) if scheme.lower() in {"bearer", "token"} else None

    def unauthorized(self) -> Reply:
        return Reply(
            401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
        )

    def api_headers(self) -> dict[str, str]:
        self.rate_remaining -= 1
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.rate_remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-used": str(5000 - self.rate_remaining),
            "x-ratelimit-resource": "core",
            "x-github-media-type": "github.v3; format=json",
        }

    # routes ----------------------------------------------------------------------------------
    def _user(self, match: re.Match[str], call: Call) -> Reply:
        login = self.authenticate(call.headers)
        return Reply(
            200, {"login": login, "id": 1, "type": "User", "html_url": f"{self.url}/{login}"}
        )

    def _create(self, match: re.Match[str], call: Call) -> Reply:
        org = match.groupdict().get("org")
        if org is not None and org not in self.orgs:
            return _not_found()
        owner = org or self.authenticate(call.headers) or ""
        body = call.json or {}
        name = body.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            return _invalid("name", "missing_field" if name is None else "invalid")
        visibility = body.get("visibility") or ("private" if body.get("private") else "public")
        if visibility == "internal" and org is None:
            return _invalid("visibility", "custom", "internal visibility needs an organization")
        full_name = f"{owner}/{name}"
        if full_name in self.repos:
            return Reply(
                422,
                {
                    "message": "Repository creation failed.",
                    "errors": [
                        {
                            "resource": "Repository",
                            "code": "custom",
                            "field": "name",
                            "message": "name already exists on this account",
                        }
                    ],
                    "documentation_url": f"{DOCS}/repos/repos#create-an-organization-repository",
                    "status": "422",
                },
            )
        self.create_bare(full_name)
        repo = self._repo_json(full_name, private=visibility != "public", visibility=visibility)
        repo["description"] = body.get("description")
        self.repos[full_name] = repo
        return Reply(201, repo)

    def _get_repo(self, match: re.Match[str], call: Call) -> Reply:
        repo = self.repos.get(f"{match['owner']}/{match['repo']}")
        return Reply(200, repo) if repo else _not_found()

    def _delete_repo(self, match: re.Match[str], call: Call) -> Reply:
        full_name = f"{match['owner']}/{match['repo']}"
        if self.repos.pop(full_name, None) is None:
            return _not_found()
        shutil.rmtree(self.bare_repo(full_name), ignore_errors=True)
        return Reply(204)

    def _topics(self, match: re.Match[str], call: Call) -> Reply:
        repo = self.repos.get(f"{match['owner']}/{match['repo']}")
        if repo is None:
            return _not_found()
        names = (call.json or {}).get("names", [])
        bad = [n for n in names if not TOPIC.match(n)]
        if bad:
            return _invalid("names", "invalid", f"{bad[0]} is not a valid topic")
        repo["topics"] = names
        return Reply(200, {"names": names})

    def _list_teams(self, match: re.Match[str], call: Call) -> Reply:
        if match["org"] not in self.orgs:
            return _not_found()
        teams = list(self.orgs[match["org"]].values())
        per_page = int(call.query.get("per_page", ["30"])[0])
        page = int(call.query.get("page", ["1"])[0])
        items = teams[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(teams):
            base = f"{self.api_url}/orgs/{match['org']}/teams?per_page={per_page}"
            last = -(-len(teams) // per_page)
            headers["Link"] = (
                f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
            )
        return Reply(200, items, headers)

    def _get_team(self, match: re.Match[str], call: Call) -> Reply:
        team = self.orgs.get(match["org"], {}).get(match["team"])
        return Reply(200, team) if team else _not_found()

    def _team_access(self, match: re.Match[str], call: Call) -> Reply:
        if match["team"] not in self.orgs.get(match["org"], {}):
            return _not_found()
        full_name = f"{match['owner']}/{match['repo']}"
        if full_name not in self.repos:
            return _not_found()
        permission = (call.json or {}).get("permission", "push")
        if permission not in {"pull", "triage", "push", "maintain", "admin"}:
            return _invalid("permission", "invalid")
        self.team_repos.setdefault((match["org"], match["team"]), {})[full_name] = permission
        return Reply(204)

    def _repo_json(
        self, full_name: str, *, private: bool, visibility: str | None
    ) -> dict[str, Any]:
        owner, name = full_name.split("/")
        return {
            "id": next(self._ids),
            "node_id": "R_fake",
            "name": name,
            "full_name": full_name,
            "private": private,
            "visibility": visibility or ("private" if private else "public"),
            "owner": {"login": owner, "type": "Organization" if owner in self.orgs else "User"},
            "html_url": f"{self.url}/{full_name}",
            "description": None,
            "clone_url": f"{self.url}/{full_name}.git",
            "ssh_url": f"git@127.0.0.1:{full_name}.git",
            "default_branch": "main",
            "topics": [],
        }

    # Dependabot alerts (team KPIs) --------------------------------------------------------
    def add_dependabot_alert(
        self,
        full_name: str,
        severity: str,
        *,
        state: str = "open",
        package: str = "requests",
        ecosystem: str = "pip",
    ) -> None:
        """An alert on ``full_name`` (the repository need not be seeded with files)."""
        alerts = self.dependabot_alerts.setdefault(full_name, [])
        number = len(alerts) + 1
        advisory = {
            "ghsa_id": f"GHSA-fake-{number:04d}-{severity[:4]}",
            "cve_id": None,
            "summary": f"A {severity} vulnerability in {package}",
            "severity": severity,
        }
        alerts.append(
            {
                "number": number,
                "state": state,
                "url": f"{self.api_url}/repos/{full_name}/dependabot/alerts/{number}",
                "html_url": f"https://github.example/{full_name}/security/dependabot/{number}",
                "dependency": {
                    "package": {"ecosystem": ecosystem, "name": package},
                    "manifest_path": "requirements.txt",
                    "scope": "runtime",
                },
                "security_advisory": advisory,
                "security_vulnerability": {
                    "package": {"ecosystem": ecosystem, "name": package},
                    "severity": severity,
                    "vulnerable_version_range": "< 2.32.0",
                    "first_patched_version": {"identifier": "2.32.0"},
                },
                "created_at": "2026-11-01T10:00:00Z",
                "updated_at": "2026-11-01T10:00:00Z",
                "dismissed_at": None,
                "fixed_at": None,
            }
        )

    def _dependabot(self, match: re.Match[str], call: Call) -> Reply:
        """Cursor paging as GitHub does it for these alerts: ``after`` from the Link header."""
        full_name = f"{match['owner']}/{match['repo']}"
        if full_name not in self.dependabot_alerts and full_name not in self.repos:
            return _not_found()
        states = set((call.query.get("state", [""])[0] or "").split(",")) - {""}
        alerts = [
            a
            for a in self.dependabot_alerts.get(full_name, [])
            if not states or a["state"] in states
        ]
        per_page = min(int(call.query.get("per_page", ["30"])[0]), 100)
        after = int(call.query.get("after", ["0"])[0] or 0)
        items = alerts[after : after + per_page]
        headers = {}
        if after + per_page < len(alerts):
            state = ",".join(sorted(states))
            base = f"{self.api_url}/repos/{full_name}/dependabot/alerts?per_page={per_page}"
            headers["Link"] = f'<{base}&state={state}&after={after + per_page}>; rel="next"'
        return Reply(200, items, headers)

    # Actions: workflow_dispatch ---------------------------------------------------------------
    def add_workflow(self, full_name: str, file: str, *, state: str = "active") -> None:
        """A workflow file of a repository (``on: workflow_dispatch``)."""
        self.workflows.setdefault(full_name, {})[file] = {
            "id": next(self._ids),
            "node_id": "W_fake",
            "name": file.rsplit(".", 1)[0].replace("-", " ").title(),
            "path": f".github/workflows/{file}",
            "state": state,
            "html_url": f"{self.url}/{full_name}/blob/main/.github/workflows/{file}",
            "badge_url": f"{self.url}/{full_name}/workflows/{file}/badge.svg",
        }

    def _add_workflow_routes(self) -> None:
        self.workflows: dict[str, dict[str, dict[str, Any]]] = {}
        self.runs: list[dict[str, Any]] = []
        s = SEGMENT
        base = f"/repos/(?P<owner>{s})/(?P<repo>{s})/actions/workflows/(?P<workflow>{s})"
        self.route("GET", base, self._get_workflow)
        self.route("POST", base + "/dispatches", self._workflow_dispatch)
        self.route("GET", base + "/runs", self._list_runs)

    def _workflow(self, match: re.Match[str]) -> dict[str, Any] | None:
        return self.workflows.get(f"{match['owner']}/{match['repo']}", {}).get(match["workflow"])

    def _get_workflow(self, match: re.Match[str], call: Call) -> Reply:
        workflow = self._workflow(match)
        return Reply(200, workflow) if workflow else _not_found()

    def _workflow_dispatch(self, match: re.Match[str], call: Call) -> Reply:
        workflow = self._workflow(match)
        if workflow is None:
            return _not_found()
        body = call.json or {}
        ref, inputs = body.get("ref"), body.get("inputs") or {}
        if not isinstance(ref, str) or not ref:
            return _invalid("ref", "missing_field")
        if not isinstance(inputs, dict) or len(inputs) > 10:
            return Reply(
                422,
                {
                    "message": "inputs are too large (at most 10 properties)",
                    "documentation_url": DOCS,
                    "status": "422",
                },
            )
        if workflow["state"] != "active":
            return Reply(
                422,
                {
                    "message": "Workflow does not have 'workflow_dispatch' trigger",
                    "documentation_url": DOCS,
                    "status": "422",
                },
            )
        full_name = f"{match['owner']}/{match['repo']}"
        run_id = next(self._ids)
        self.runs.append(
            {
                "id": run_id,
                "name": workflow["name"],
                "run_number": len(self.runs) + 1,
                "event": "workflow_dispatch",
                "status": "queued",
                "conclusion": None,
                "workflow_id": workflow["id"],
                "head_branch": ref,
                "path": workflow["path"],
                "inputs": inputs,
                "repository": full_name,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "html_url": f"{self.url}/{full_name}/actions/runs/{run_id}",
            }
        )
        return Reply(204)

    def _list_runs(self, match: re.Match[str], call: Call) -> Reply:
        workflow = self._workflow(match)
        if workflow is None:
            return _not_found()
        full_name = f"{match['owner']}/{match['repo']}"
        event = call.query.get("event", [None])[0]
        branch = call.query.get("branch", [None])[0]
        runs = [
            {k: v for k, v in r.items() if k not in {"inputs", "repository"}}
            for r in reversed(self.runs)
            if r["repository"] == full_name
            and r["workflow_id"] == workflow["id"]
            and event in (None, r["event"])
            and branch in (None, r["head_branch"])
        ]
        per_page = int(call.query.get("per_page", ["30"])[0])
        return Reply(200, {"total_count": len(runs), "workflow_runs": runs[:per_page]})


def _not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def _invalid(field: str, code: str, message: str | None = None) -> Reply:
    error: dict[str, Any] = {"resource": "Repository", "code": code, "field": field}
    if message:
        error["message"] = message
    return Reply(
        422,
        {
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": DOCS,
            "status": "422",
        },
    )
