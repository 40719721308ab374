"""TechDocs settings (the ``techdocs:`` block of greenroom.yaml), frozen and passed down."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["TechDocsSettings"]


class TechDocsSettings(BaseModel):
    """Where sites are stored and linked from, and how builds are limited.

    ``storage_dir`` is resolved by ``bot/settings.py`` (default: ``<data_dir>/techdocs``).
    ``base_url`` is the public URL of the bot's ``/docs`` mount; ``external_base_url`` points
    links at a company's own TechDocs (Backstage's ``/docs/<ns>/<kind>/<name>/`` scheme)
    instead, e.g. ``https://backstage.example.com/docs``. With ``separate_host`` the web
    process serves docs only on ``base_url``'s host name and nothing else there (app routes
    are 404; ``/docs`` on other hosts redirects), so a repository's page never shares an
    origin with greenroom's own routes even where a browser ignores the sandbox.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    storage_dir: Path | None = None
    base_url: str | None = None
    external_base_url: str | None = None
    build_timeout_seconds: float = Field(default=120, gt=0, le=3600)
    parallel_builds: int = Field(default=2, ge=1, le=32)
    strict: bool = True
    extra_plugins: tuple[str, ...] = Field(
        default=(), description="mkdocs plugins an admin installed and vouches for"
    )
    extra_markdown_extensions: tuple[str, ...] = ()
    max_source_files: int = Field(default=5_000, ge=1)
    max_source_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    separate_host: bool = False

    @field_validator("base_url", "external_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://", "/")):
            raise ValueError("must be an http(s) URL or a path starting with /")
        return value

    @model_validator(mode="after")
    def _separate_host_needs_a_host(self) -> TechDocsSettings:
        if self.separate_host and _host(self.base_url) is None:
            raise ValueError(
                "separate_host needs base_url to be a full URL on the docs host name, "
                "e.g. https://docs.greenroom.example.com"
            )
        return self

    @property
    def separate_docs_host(self) -> str | None:
        """The host name that serves docs and nothing else, when ``separate_host`` is on."""
        return _host(self.base_url) if self.separate_host else None

    @property
    def root(self) -> Path:
        """The folder holding every built site."""
        if self.storage_dir is None:
            raise ValueError("techdocs.storage_dir was not resolved (use bot.settings)")
        return self.storage_dir


def _host(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    return (urlsplit(url).hostname or "").lower() or None
