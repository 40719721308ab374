"""How greenroom.yaml configures scaffolding (``scaffolder:``); read by ``bot/settings.py``.

The git token is never written here: ``token_env`` names the environment variable that holds
it and ``bot/settings.py`` fills ``token`` in.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["ScaffolderSettings", "TemplateDirSettings"]


class TemplateDirSettings(BaseModel):
    """A folder of templates (or one template); ``trusted`` lets its hooks and extensions run,
    ``registers_identity`` lets its templates register Users and Groups."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    trusted: bool = False
    registers_identity: bool = Field(
        default=False,
        description="its templates may declare User and Group in `registers` (their "
        "repositories then say who people are and which teams they are in)",
    )


class ScaffolderSettings(BaseModel):
    """Templates, where new repositories go, and who may create them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template_dirs: list[TemplateDirSettings] = []
    shipped_templates: bool = Field(default=True, description="offer greenroom's own templates")
    remote_url_template: str = Field(
        default="file://{data_dir}/git/{name}.git",
        description="git URL of a new repository, with {name} (and optionally {data_dir}); "
        "the default keeps repositories in the data folder (demo, trying it out)",
    )
    web_url_template: str | None = Field(default=None, description="browser URL, with {name}")
    provider: str | None = Field(
        default=None,
        description="a repositories.providers entry to create repositories on (GitHub, GitLab); "
        "'git': the remote above; empty: the default provider if any is configured, else 'git'",
    )
    default_branch: str = Field(default="main", pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
    token_env: str | None = Field(default=None, description="env var with the git HTTPS token")
    token_username: str = "x-access-token"  # noqa: S105 - a user name, not a secret
    token: SecretStr | None = Field(default=None, exclude=True)
    time_limit_seconds: float = Field(default=120.0, gt=0, le=3600)
    git_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    parallel_runs: int = Field(
        default=4, ge=1, le=64, description="runs at once per web process; more wait their turn"
    )
    allowed_users: list[str] = Field(default=[], description="emails or user refs; [] = everyone")
    allowed_groups: list[str] = Field(default=[], description="group refs (sub-groups included)")
    admins: list[str] = Field(
        default=[], description="emails or user refs: any owner, any template"
    )

    @field_validator("remote_url_template", "web_url_template")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "{name}" not in value:
            raise ValueError("must contain {name}, where the new repository's name goes")
        parts = urlsplit(value.replace("{", "").replace("}", ""))
        if parts.password or (parts.scheme in {"http", "https"} and parts.username):
            raise ValueError("must not hold a user, password or token; use token_env instead")
        return value
