"""Publishing to GitLab (gitlab.com or self-managed) through its REST API v4, as Backstage's
``publish:gitlab`` does: create the project in a group, share it with the owning group, push
the first commit, and delete the project again if a later step fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from catalog.annotations import GITLAB_GROUP_PATH, GITLAB_PROJECT_SLUG, SOURCE_LOCATION
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories._api import ApiClient
from integrations.repositories._publishing import (
    Created,
    check_name,
    check_request,
    did_you_mean,
    finish_publishing,
    prepared_commit,
)
from integrations.repositories.base import CommitAuthor, PublishedRepository, RepositoryRequest
from integrations.repositories.config import GITLAB_ACCESS_LEVELS, RepositoryProviderSettings

__all__ = ["GITLAB_GROUP_PATH", "GITLAB_PROJECT_SLUG", "GitLabPublisher"]


_log = logging.getLogger("integrations.repositories")
_HOW_TO_DELETE = "on GitLab: the project's Settings, General, Advanced, Delete project"


class GitLabPublisher:
    """A ``RepositoryPublisher`` for one GitLab group (or the token's own user namespace)."""

    def __init__(
        self,
        settings: RepositoryProviderSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._api, self._token = ApiClient.for_provider(
            settings,
            platform="GitLab",
            sleep=sleep,
            max_wait=max_wait,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"GitLabPublisher({self.settings.name!r}, {self._api.base_url})"

    def exists(self, name: str) -> bool:
        """Whether ``namespace/name`` exists (or the token can see it)."""
        check_name(name)
        doing = f"checking whether {name} exists"
        path = f"{self._namespace()[1]}/{name}"
        response = self._api.call("GET", f"projects/{quote(path, safe='')}", doing=doing)
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        raise self._api.failure(response, doing)

    def publish(
        self, source_dir: Path, request: RepositoryRequest, author: CommitAuthor
    ) -> PublishedRepository:
        """Create ``request.name``, share it, push ``source_dir``; undo on failure."""
        check_request(request, source_dir)
        namespace_id, _ = self._namespace()
        group_id = self._group_id(request.owner_team_slug)
        with prepared_commit(source_dir, request, author) as (git, commit):
            project_id, created = self._create(request, namespace_id)

            def configure() -> None:
                if group_id is not None:
                    self._share(project_id, created, group_id)

            finish_publishing(
                "GitLab",
                created,
                git=git,
                commit=commit,
                branch=request.default_branch,
                login=("oauth2", self._token),
                configure=configure,
                delete=lambda: self._delete(project_id, created),
                how_to_delete=_HOW_TO_DELETE,
            )
        _log.info("published %s", created.web_url)
        return PublishedRepository(
            web_url=created.web_url,
            clone_url=created.clone_url,
            annotations=(
                (GITLAB_PROJECT_SLUG, created.full_path),
                (SOURCE_LOCATION, f"url:{created.web_url}/-/tree/{request.default_branch}/"),
            ),
        )

    # steps -----------------------------------------------------------------------------------
    def _namespace(self) -> tuple[int | None, str]:
        """The configured group's id and path, or (None, the token user's name)."""
        owner = self.settings.owner
        if owner is None:
            return None, self._api.token_user("username")
        doing = f"looking up namespace {owner!r}"
        response = self._api.call("GET", f"namespaces/{quote(owner, safe='')}", doing=doing)
        if response.status_code == 404:
            raise PublishFailed(
                f"GitLab group {owner!r} was not found, or the token in "
                f"{self.settings.token_env} cannot see it (check provider "
                f"{self.settings.name!r}'s owner).{self._suggest_group(owner)}"
            )
        if response.status_code != 200:
            raise self._api.failure(response, doing)
        return int(response.json()["id"]), owner

    def _group_id(self, path: str | None) -> int | None:
        """The id of the group to share with, checked before anything is created."""
        if not path:
            return None
        doing = f"looking up group {path!r}"
        response = self._api.call("GET", f"groups/{quote(path, safe='')}", doing=doing)
        if response.status_code == 404:
            raise PublishFailed(
                f"GitLab group {path!r} was not found (from the owning Group's "
                f"{GITLAB_GROUP_PATH} annotation).{self._suggest_group(path)}"
            )
        if response.status_code != 200:
            raise self._api.failure(response, doing)
        return int(response.json()["id"])

    def _suggest_group(self, path: str) -> str:
        search = path.rpartition("/")[2][:3]
        paths = [
            str(g["full_path"])
            for g in self._api.pages(
                "groups", params={"search": search, "per_page": 100}, doing="listing groups"
            )
            if isinstance(g, dict) and "full_path" in g
        ]
        return did_you_mean(path, paths)

    def _create(self, request: RepositoryRequest, namespace_id: int | None) -> tuple[int, Created]:
        doing = f"creating project {request.name}"
        body: dict[str, Any] = {
            "name": request.name,
            "path": request.name,
            "visibility": request.visibility,
            "description": request.description,
            "topics": list(request.topics),
            "initialize_with_readme": False,
            "default_branch": request.default_branch,
        }
        if namespace_id is not None:
            body["namespace_id"] = namespace_id
        response = self._api.call("POST", "projects", json=body, doing=doing)
        if response.status_code == 201:
            project = response.json()
            created = Created(
                str(project["path_with_namespace"]),
                str(project["web_url"]),
                str(project["http_url_to_repo"]),
            )
            _log.info("created GitLab project %s", created.web_url)
            return int(project["id"]), created
        taken = _taken_field(response)
        if response.status_code == 400 and taken:
            raise RepositoryExists(
                f"A project named {request.name!r} already exists in "
                f"{self.settings.owner or 'your namespace'} on GitLab; choose another name.",
                field="name",
            )
        raise self._api.failure(response, doing)

    def _share(self, project_id: int, created: Created, group_id: int) -> None:
        permission = self.settings.resolved_permission
        doing = f"sharing {created.full_path} with the owning group as {permission}"
        response = self._api.call(
            "POST",
            f"projects/{project_id}/share",
            json={"group_id": group_id, "group_access": GITLAB_ACCESS_LEVELS[permission]},
            doing=doing,
        )
        if response.status_code not in (200, 201, 409):
            raise self._api.failure(response, doing)

    def _delete(self, project_id: int, created: Created) -> int:
        doing = f"deleting {created.full_path}"
        return self._api.call("DELETE", f"projects/{project_id}", doing=doing).status_code


def _taken_field(response: httpx.Response) -> str | None:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        return None
    if not isinstance(message, dict):
        return None
    for field in ("name", "path", "project_namespace.name"):
        problems = message.get(field) or []
        if any("already been taken" in str(p) for p in problems):
            return field
    return None
