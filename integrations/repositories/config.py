"""How greenroom.yaml describes repository hosting: where new repositories are created
(``providers``), which hosts existing repositories may be cloned from (``hosts``), and the
clone cache. Tokens are never written here: each entry names the environment variable that
holds it, and ``runtime/settings.py`` fills ``token`` in as a ``SecretStr``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = [
    "HostType",
    "RepositoriesSettings",
    "RepositoryCacheSettings",
    "RepositoryHostSettings",
    "RepositoryProviderSettings",
    "Visibility",
]

HostType = Literal["github", "gitlab"]
Visibility = Literal["private", "internal", "public"]

DEFAULT_API_URLS: dict[str, str] = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com/api/v4",
}
DEFAULT_PERMISSIONS: dict[str, str] = {"github": "push", "gitlab": "developer"}
GITHUB_PERMISSIONS = ("pull", "triage", "push", "maintain", "admin")
GITLAB_ACCESS_LEVELS = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40}
GIT_USERNAMES: dict[str, str] = {"github": "x-access-token", "gitlab": "oauth2"}


class RepositoryProviderSettings(BaseModel):
    """Where the scaffolder creates new repositories: one GitHub or GitLab account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,49}$", description="chosen by templates")
    type: HostType = Field(description="github or gitlab")
    api_url: str | None = Field(
        default=None,
        description="REST API base, e.g. https://ghe.example.com/api/v3 or "
        "https://gitlab.example.com/api/v4 (default: github.com / gitlab.com)",
    )
    owner: str | None = Field(
        default=None,
        description="GitHub organisation or GitLab group path; empty: the token's own user",
    )
    token_env: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="env var with the API token"
    )
    token: SecretStr | None = Field(default=None, exclude=True)
    visibility: Visibility = Field(default="private", description="when the template sets none")
    team_permission: str | None = Field(
        default=None,
        description="access given to the owning team: GitHub pull/triage/push/maintain/admin "
        "(default push), GitLab guest/reporter/developer/maintainer (default developer)",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="per API call")

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/") if value else value

    @property
    def resolved_api_url(self) -> str:
        """The API base URL (github.com's or gitlab.com's when none is configured)."""
        return self.api_url or DEFAULT_API_URLS[self.type]

    @model_validator(mode="after")
    def _known_permission(self) -> RepositoryProviderSettings:
        allowed = GITHUB_PERMISSIONS if self.type == "github" else tuple(GITLAB_ACCESS_LEVELS)
        if self.team_permission is not None and self.team_permission not in allowed:
            raise ValueError(
                f"team_permission of a {self.type} provider must be one of {', '.join(allowed)}"
            )
        return self

    @property
    def resolved_permission(self) -> str:
        """The access the owning team gets on new repositories."""
        return self.team_permission or DEFAULT_PERMISSIONS[self.type]


class RepositoryHostSettings(BaseModel):
    """A git host existing repositories may be cloned from, with its read credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="web base URL, e.g. https://github.com")
    type: HostType | None = Field(
        default=None, description="resolves github.com/ or gitlab.com/project-slug annotations"
    )
    token_env: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="env var with a read token"
    )
    token: SecretStr | None = Field(default=None, exclude=True)
    username: str | None = Field(
        default=None, description="HTTP user sent with the token (x-access-token / oauth2)"
    )

    @field_validator("url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://github.com")
        if parts.username or parts.password:
            raise ValueError("must not hold credentials; use token_env")
        return value.rstrip("/")

    @property
    def git_username(self) -> str:
        """The user name sent with the token over HTTPS."""
        return self.username or GIT_USERNAMES.get(self.type or "github", "x-access-token")


class RepositoryCacheSettings(BaseModel):
    """The folder of shallow clones kept for entities whose files are not local."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_megabytes: float = Field(
        default=2048, gt=0, description="least recently used clones go beyond this"
    )
    refresh_minutes: int = Field(default=30, ge=0, description="0: fetch on every use")
    git_timeout_seconds: float = Field(
        default=120.0, gt=0, le=3600, description="one clone or fetch"
    )
    parallel: int = Field(default=4, ge=1, le=32, description="repositories cloned at once")


class RepositoriesSettings(BaseModel):
    """``repositories:`` in greenroom.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_provider: str | None = Field(
        default=None, description="provider used when a template names none"
    )
    providers: list[RepositoryProviderSettings] = Field(
        default=[], description="accounts new repositories are created on"
    )
    hosts: list[RepositoryHostSettings] = Field(
        description="hosts existing repositories are cloned from",
        default=[
            RepositoryHostSettings(url="https://github.com", type="github"),
            RepositoryHostSettings(url="https://gitlab.com", type="gitlab"),
        ],
    )
    cache: RepositoryCacheSettings = RepositoryCacheSettings()

    @field_validator("providers")
    @classmethod
    def _unique_names(
        cls, value: list[RepositoryProviderSettings]
    ) -> list[RepositoryProviderSettings]:
        names = [p.name for p in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"provider names must be unique: {', '.join(duplicates)}")
        return value
