"""``delivery:`` in greenroom.yaml: how pull requests, deployments and running images are read.

Hosts and their tokens are not configured here: they are ``repositories.hosts`` (one place
for every reader of a repository host); this only adds how delivery answers behave."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["DeliverySettings"]


class DeliverySettings(BaseModel):
    """Pull requests, deployments and what is running, per service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stale_after_days: int = Field(
        default=7, ge=1, le=365, description="an open pull request with no activity this long"
    )
    production_environments: list[str] = Field(
        default=["production", "prod"],
        description="environment names that count as production (compared case-insensitively)",
    )
    timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="per call to GitHub or GitLab"
    )
    fresh_seconds: int = Field(
        default=60,
        ge=0,
        description="answers younger than this are reused without asking the host again",
    )
    max_pull_requests: int = Field(
        default=30, ge=1, le=100, description="open pull requests read per repository"
    )
    backstage_url: str | None = Field(
        default=None,
        description="Backstage's base URL: links to <url>/catalog/<ns>/<kind>/<name> unfurl",
    )

    refresh_minutes: int = Field(
        default=30,
        ge=0,
        description="the worker refreshes every service's answers this often (team pages read "
        "them); 0: only when someone asks",
    )
    refresh_reserve: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="the refresh stops asking a host once less than this share of its API rate "
        "limit is left, keeping it for people's questions",
    )
    preview_pull_requests: bool = Field(
        default=False,
        description="unfurl pasted pull request links of catalog repositories (adds the "
        "repository hosts to the manifest's unfurl domains; GitHub's own app may unfurl too)",
    )

    api_urls: dict[str, str] = Field(
        default={},
        description="API base URL per host URL of repositories.hosts, when it is not the "
        "derived one (api.github.com, <url>/api/v3, <url>/api/v4): a proxy or a mirror",
    )

    @field_validator("api_urls")
    @classmethod
    def _http_urls(cls, value: dict[str, str]) -> dict[str, str]:
        for url in value.values():
            if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname:
                raise ValueError(f"{url!r} must be an http(s) URL")
        return {host.rstrip("/"): url.rstrip("/") for host, url in value.items()}

    @field_validator("backstage_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://backstage.example.com")
        return value.rstrip("/")

    def link_hosts(self, repository_hosts: Sequence[str]) -> list[str]:
        """The base URLs whose pasted links greenroom previews (the manifest's unfurl domains)."""
        urls = [self.backstage_url] if self.backstage_url else []
        return urls + (list(repository_hosts) if self.preview_pull_requests else [])

    def is_production(self, environment: str) -> bool:
        """Whether an environment's name is one of ``production_environments``."""
        return environment.strip().lower() in {e.lower() for e in self.production_environments}
