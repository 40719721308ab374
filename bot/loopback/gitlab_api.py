"""A loopback GitLab REST API v4 with the real shapes: ``{"message": "404 Group Not Found"}``
errors, field maps on 400 (``{"message": {"name": ["has already been taken"]}}``), URL-encoded
paths as ids, ``Link``/``X-Next-Page`` pagination, ``RateLimit-*`` headers, bearer or
``PRIVATE-TOKEN`` auth. Projects are real bare repositories, pushed to over smart HTTP."""

from __future__ import annotations

import itertools
import re
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bot.loopback.git_hosting import Call, FakeGitHost, Reply
from bot.loopback.gitlab_delivery import GitLabDelivery

PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")
ID = r"[^/]+"


class FakeGitLab(FakeGitHost):
    """GitLab with users (by token), groups (nested), and projects."""

    api_prefix = "/api/v4"

    def __init__(self, root: Path, *, tokens: dict[str, str] | None = None) -> None:
        super().__init__(root)
        self.tokens = tokens or {"glpat-fake-token-0123456789": "greenroom-bot"}
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.projects: dict[int, dict[str, Any]] = {}
        self.shares: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(100)
        for user in set(self.tokens.values()):
            self._add_namespace(user, kind="user")
        self.route("GET", "/user", self._user)
        self.route("GET", f"/namespaces/(?P<id>{ID})", self._get_namespace)
        self.route("GET", f"/groups/(?P<id>{ID})", self._get_group)
        self.route("GET", "/groups", self._list_groups)
        self.route("POST", "/projects", self._create)
        self.route("GET", f"/projects/(?P<id>{ID})", self._get_project)
        self.route("DELETE", f"/projects/(?P<id>{ID})", self._delete_project)
        self.route("POST", f"/projects/(?P<id>{ID})/share", self._share)
        # vulnerability findings (team KPIs): seeded with add_vulnerability_finding
        self.vulnerability_findings: dict[str, list[dict[str, Any]]] = {}
        self.route(
            "GET", f"/projects/(?P<id>{ID})/vulnerability_findings", self._vulnerability_findings
        )
        #: merge requests, environments, deployments, compare (bot/loopback/gitlab_delivery.py)
        self.delivery = GitLabDelivery(self)
        self._add_pipeline_routes()

    def _add_pipeline_routes(self) -> None:
        self.pipelines: list[dict[str, Any]] = []
        _PipelineRoutes.install(self)

    # setup -----------------------------------------------------------------------------------
    def add_group(self, full_path: str) -> int:
        """A group (its parents are created too); returns its id."""
        parent = full_path.rpartition("/")[0]
        if parent and parent not in self.namespaces:
            self.add_group(parent)
        return self._add_namespace(full_path, kind="group")

    def seed_repository(
        self, full_path: str, files: dict[str, str], *, private: bool = True
    ) -> str:
        sha = self.commit(full_path, files, message="seed")
        namespace = self.namespaces.get(full_path.rpartition("/")[0])
        if namespace is None:
            self.add_group(full_path.rpartition("/")[0])
            namespace = self.namespaces[full_path.rpartition("/")[0]]
        project = self._project_json(full_path.rpartition("/")[2], namespace, "private")
        self.projects[project["id"]] = project
        if not private:
            self.public_repos.add(full_path)
        return sha

    def project(self, full_path: str) -> dict[str, Any] | None:
        return next(
            (p for p in self.projects.values() if p["path_with_namespace"] == full_path), None
        )

    # protocol --------------------------------------------------------------------------------
    def token_user(self, token: str) -> str | None:
        return self.tokens.get(token)

    def authenticate(self, headers: dict[str, str]) -> str | None:
        if "private-token" in headers:
            return self.tokens.get(headers["private-token"])
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return self.tokens.get(token) if scheme.lower() == "bearer" else None

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "401 Unauthorized"})

    def api_headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": "2000",
            "RateLimit-Observed": "1",
            "RateLimit-Remaining": "1999",
            "RateLimit-Reset": str(int(time.time()) + 60),
        }

    # routes ----------------------------------------------------------------------------------
    def _user(self, match: re.Match[str], call: Call) -> Reply:
        username = self.authenticate(call.headers)
        return Reply(
            200, {"id": 1, "username": username, "name": "Greenroom Bot", "state": "active"}
        )

    def _get_namespace(self, match: re.Match[str], call: Call) -> Reply:
        namespace = self._namespace(match["id"])
        return Reply(200, namespace) if namespace else _missing("Namespace")

    def _get_group(self, match: re.Match[str], call: Call) -> Reply:
        group = self._namespace(match["id"])
        return Reply(200, group) if group and group["kind"] == "group" else _missing("Group")

    def _list_groups(self, match: re.Match[str], call: Call) -> Reply:
        search = call.query.get("search", [""])[0]
        groups = [
            n for n in self.namespaces.values() if n["kind"] == "group" and search in n["full_path"]
        ]
        per_page = int(call.query.get("per_page", ["20"])[0])
        page = int(call.query.get("page", ["1"])[0])
        total_pages = max(1, -(-len(groups) // per_page))
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(groups)),
            "X-Total-Pages": str(total_pages),
            "X-Next-Page": str(page + 1) if page < total_pages else "",
        }
        if page < total_pages:
            base = f"{self.api_url}/groups?per_page={per_page}&search={search}"
            headers["Link"] = (
                f'<{base}&page={page + 1}>; rel="next", <{base}&page={total_pages}>; rel="last"'
            )
        return Reply(200, groups[(page - 1) * per_page : page * per_page], headers)

    def _create(self, match: re.Match[str], call: Call) -> Reply:
        body = call.json or {}
        name, path = body.get("name"), body.get("path") or body.get("name")
        if not name or not isinstance(path, str) or not PATH.match(path):
            return Reply(
                400, {"message": {"path": ["can contain only letters, digits, '_', '-' and '.'"]}}
            )
        owner = self.authenticate(call.headers) or ""
        namespace = self._namespace(str(body.get("namespace_id", owner)))
        if namespace is None:
            return _missing("Namespace")
        visibility = body.get("visibility", "private")
        if visibility not in {"private", "internal", "public"}:
            return Reply(400, {"error": "visibility does not have a valid value"})
        full_path = f"{namespace['full_path']}/{path}"
        if self.project(full_path):
            return Reply(
                400,
                {
                    "message": {
                        "project_namespace.name": ["has already been taken"],
                        "name": ["has already been taken"],
                        "path": ["has already been taken"],
                    }
                },
            )
        self.create_bare(full_path)
        project = self._project_json(path, namespace, visibility)
        project.update(
            name=name, description=body.get("description"), topics=body.get("topics", [])
        )
        project["default_branch"] = body.get("default_branch", "main")
        self.projects[project["id"]] = project
        return Reply(201, project)

    def _get_project(self, match: re.Match[str], call: Call) -> Reply:
        project = self._find_project(match["id"])
        return Reply(200, project) if project else _missing("Project")

    def _delete_project(self, match: re.Match[str], call: Call) -> Reply:
        project = self._find_project(match["id"])
        if project is None:
            return _missing("Project")
        del self.projects[project["id"]]
        shutil.rmtree(self.bare_repo(project["path_with_namespace"]), ignore_errors=True)
        return Reply(202, {"message": "202 Accepted"})

    def _share(self, match: re.Match[str], call: Call) -> Reply:
        project = self._find_project(match["id"])
        if project is None:
            return _missing("Project")
        body = call.json or {}
        group = self._namespace(str(body.get("group_id")))
        if group is None or group["kind"] != "group":
            return _missing("Group")
        if body.get("group_access") not in {10, 20, 30, 40, 50}:
            return Reply(400, {"error": "group_access does not have a valid value"})
        link = {
            "id": next(self._ids),
            "project_id": project["id"],
            "group_id": group["id"],
            "group_access": body["group_access"],
            "expires_at": None,
        }
        self.shares.setdefault(project["id"], []).append(link)
        return Reply(201, link)

    # state -----------------------------------------------------------------------------------
    def _add_namespace(self, full_path: str, *, kind: str) -> int:
        namespace_id = next(self._ids)
        self.namespaces[full_path] = {
            "id": namespace_id,
            "name": full_path.rpartition("/")[2],
            "path": full_path.rpartition("/")[2],
            "kind": kind,
            "full_path": full_path,
            "parent_id": self.namespaces.get(full_path.rpartition("/")[0], {}).get("id"),
            "web_url": f"{self.url}/{'groups/' if kind == 'group' else ''}{full_path}",
        }
        return namespace_id

    def _namespace(self, key: str) -> dict[str, Any] | None:
        key = unquote(key)
        if key.isdigit():
            return next((n for n in self.namespaces.values() if n["id"] == int(key)), None)
        return self.namespaces.get(key)

    def _find_project(self, key: str) -> dict[str, Any] | None:
        key = unquote(key)
        return self.projects.get(int(key)) if key.isdigit() else self.project(key)

    def _project_json(
        self, path: str, namespace: dict[str, Any], visibility: str
    ) -> dict[str, Any]:
        full_path = f"{namespace['full_path']}/{path}"
        return {
            "id": next(self._ids),
            "name": path,
            "path": path,
            "path_with_namespace": full_path,
            "namespace": {k: namespace[k] for k in ("id", "name", "path", "kind", "full_path")},
            "visibility": visibility,
            "description": None,
            "topics": [],
            "default_branch": "main",
            "web_url": f"{self.url}/{full_path}",
            "http_url_to_repo": f"{self.url}/{full_path}.git",
            "ssh_url_to_repo": f"git@127.0.0.1:{full_path}.git",
        }

    # vulnerability findings (team KPIs) ---------------------------------------------------
    def add_vulnerability_finding(
        self, full_path: str, severity: str, *, report_type: str = "dependency_scanning"
    ) -> None:
        """A finding on the project ``full_path`` (which need not be seeded with files)."""
        findings = self.vulnerability_findings.setdefault(full_path, [])
        number = len(findings) + 1
        findings.append(
            {
                "id": None,
                "report_type": report_type,
                "name": f"A {severity} finding #{number}",
                "severity": severity,
                "scanner": {"external_id": "gemnasium", "name": "Gemnasium"},
                "identifiers": [{"external_type": "cve", "name": f"CVE-2026-{number:04d}"}],
                "location": {"file": "requirements.txt", "dependency": {"package": {"name": "x"}}},
                "solution": "Upgrade to a fixed version.",
                "project_fingerprint": f"{number:040x}",
                "uuid": f"00000000-0000-0000-0000-{number:012d}",
            }
        )

    def _vulnerability_findings(self, match: re.Match[str], call: Call) -> Reply:
        key = unquote(match["id"])
        if key not in self.vulnerability_findings and self._find_project(key) is None:
            return _missing("Project")
        findings = self.vulnerability_findings.get(key, [])
        per_page = min(int(call.query.get("per_page", ["20"])[0]), 100)
        page = int(call.query.get("page", ["1"])[0])
        total_pages = max(1, -(-len(findings) // per_page))
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(findings)),
            "X-Total-Pages": str(total_pages),
            "X-Next-Page": str(page + 1) if page < total_pages else "",
        }
        return Reply(200, findings[(page - 1) * per_page : page * per_page], headers)


def _missing(what: str) -> Reply:
    return Reply(404, {"message": f"404 {what} Not Found"})


class _PipelineRoutes:
    """``POST /projects/:id/pipeline`` (create a pipeline, with variables) and
    ``GET /projects/:id/pipelines/:pipeline_id``, with GitLab's shapes."""

    @staticmethod
    def install(fake: FakeGitLab) -> None:
        fake.pipelines = []
        fake.route(
            "POST", f"/projects/(?P<id>{ID})/pipeline", lambda m, c: _create_pipeline(fake, m, c)
        )
        fake.route(
            "GET",
            f"/projects/(?P<id>{ID})/pipelines/(?P<pipeline>[0-9]+)",
            lambda m, c: _get_pipeline(fake, m, c),
        )


def _project_of(fake: FakeGitLab, key: str) -> dict[str, Any] | None:
    key = unquote(key)
    if key.isdigit():
        return fake.projects.get(int(key))
    return fake.project(key)


def _create_pipeline(fake: FakeGitLab, match: re.Match[str], call: Call) -> Reply:
    project = _project_of(fake, match["id"])
    if project is None:
        return Reply(404, {"message": "404 Project Not Found"})
    body = call.json or {}
    ref = body.get("ref")
    if not isinstance(ref, str) or not ref:
        return Reply(400, {"message": "400 Bad request - ref is missing"})
    if ref not in {project.get("default_branch"), "main"}:
        return Reply(400, {"message": {"base": ["Reference not found"]}})
    variables = body.get("variables") or []
    if not isinstance(variables, list) or not all(
        isinstance(v, dict) and "key" in v for v in variables
    ):
        return Reply(400, {"message": "400 Bad request - variables is invalid"})
    pipeline_id = next(fake._ids)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    pipeline = {
        "id": pipeline_id,
        "iid": len(fake.pipelines) + 1,
        "project_id": project["id"],
        "sha": "a91957a858320c0e17f3a0eca7cfacbff50ea29a",
        "ref": ref,
        "status": "created",
        "source": "api",
        "created_at": now,
        "updated_at": now,
        "web_url": f"{project['web_url']}/-/pipelines/{pipeline_id}",
        "variables": variables,
    }
    fake.pipelines.append(pipeline)
    return Reply(201, {k: v for k, v in pipeline.items() if k != "variables"})


def _get_pipeline(fake: FakeGitLab, match: re.Match[str], call: Call) -> Reply:
    project = _project_of(fake, match["id"])
    found = next(
        (
            p
            for p in fake.pipelines
            if project and p["id"] == int(match["pipeline"]) and p["project_id"] == project["id"]
        ),
        None,
    )
    if found is None:
        return Reply(404, {"message": "404 Not found"})
    return Reply(200, {k: v for k, v in found.items() if k != "variables"})
