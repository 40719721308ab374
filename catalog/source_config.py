"""How greenroom.yaml describes catalog sources, and turning those descriptions into sources.

Paths are relative to the folder of greenroom.yaml. Secrets are never written here: a source
names the environment variable that holds its token, and ``runtime/settings.py`` fills it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from catalog.errors import ConfigError
from catalog.removal_guard import RemovalGuard
from catalog.rules import CatalogRule
from catalog.sources.defaults import ADHOC_BACKSTAGE_TOKEN_ENV, DEFAULT_EXCLUDE, DEFAULT_INCLUDE

if TYPE_CHECKING:
    from catalog.sources import CatalogSource

__all__ = [
    "ADHOC_BACKSTAGE_TOKEN_ENV",
    "BackstageSourceConfig",
    "DirectorySourceConfig",
    "GitSourceConfig",
    "LocationSourceConfig",
    "SourceConfig",
    "build_source",
    "source_from_cli",
]

_NAME = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", description="unique name of the source")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = _NAME
    interval_minutes: int | None = Field(default=None, ge=1, description="own sync interval")
    rules: list[CatalogRule] = Field(
        default=[], description="kinds this source may define besides catalog.rules"
    )
    removal_guard: RemovalGuard | None = Field(
        default=None, description="own removal guard (default: catalog.removal_guard)"
    )


class DirectorySourceConfig(_Base):
    """A folder walked for catalog files."""

    type: Literal["directory"] = "directory"
    path: Path = Field(description="the folder", examples=["catalog"])
    include: list[str] = Field(
        default=list(DEFAULT_INCLUDE), description="gitignore-style patterns of files read"
    )
    exclude: list[str] = Field(
        default=list(DEFAULT_EXCLUDE), description="gitignore-style patterns skipped"
    )


class LocationSourceConfig(_Base):
    """A Backstage Location file, followed recursively."""

    type: Literal["location"] = "location"
    path: Path = Field(description="the Location file", examples=["catalog/catalog-info.yaml"])
    root: Path | None = Field(default=None, description="folder targets may not leave")


class GitSourceConfig(_Base):
    """A git repository, cloned shallowly into the cache."""

    type: Literal["git"] = "git"
    url: str = Field(
        description="clone URL (https, ssh or a local path)",
        examples=["https://github.com/globex/catalog.git"],
    )
    branch: str | None = Field(default=None, description="default: the remote's default branch")
    subpath: str = Field(default=".", description="folder inside the repository to read")
    location: str | None = Field(default=None, description="a Location file inside the repo")
    include: list[str] = Field(
        default=list(DEFAULT_INCLUDE), description="gitignore-style patterns of files read"
    )
    exclude: list[str] = Field(
        default=list(DEFAULT_EXCLUDE), description="gitignore-style patterns skipped"
    )
    token_env: str | None = Field(default=None, description="env var with an HTTPS token")
    token: SecretStr | None = Field(default=None, exclude=True)
    timeout_seconds: float = Field(default=120, gt=0, le=3600, description="per git command")


class BackstageSourceConfig(_Base):
    """A running Backstage's catalog API."""

    type: Literal["backstage"] = "backstage"
    base_url: str = Field(
        description="Backstage's backend URL", examples=["https://backstage.example.com"]
    )
    filters: list[str] = Field(
        default=[], description="catalog API filters, e.g. kind=component (default: all)"
    )
    page_size: int = Field(default=500, ge=1, le=10_000, description="entities per API call")
    token_env: str | None = Field(default=None, description="env var with a static token")
    token: SecretStr | None = Field(default=None, exclude=True)
    timeout_seconds: float = Field(default=30, gt=0, le=600, description="per HTTP request")


SourceConfig = Annotated[
    DirectorySourceConfig | LocationSourceConfig | GitSourceConfig | BackstageSourceConfig,
    Field(discriminator="type"),
]


def build_source(config: SourceConfig, *, base_dir: Path, cache_dir: Path) -> CatalogSource:
    """The source a configuration describes; relative paths start at ``base_dir``."""
    from catalog.sources import BackstageApiSource, DirectorySource, GitSource, LocationSource

    if isinstance(config, DirectorySourceConfig):
        return DirectorySource(
            config.name, base_dir / config.path, include=config.include, exclude=config.exclude
        )
    if isinstance(config, LocationSourceConfig):
        root = base_dir / config.root if config.root else None
        return LocationSource(config.name, base_dir / config.path, root=root)
    if isinstance(config, GitSourceConfig):
        url = config.url
        if "://" not in url and not url.startswith("git@") and not Path(url).is_absolute():
            url = str(base_dir / url)
        return GitSource(
            config.name,
            url,
            cache_dir=cache_dir,
            branch=config.branch,
            subpath=config.subpath,
            location=config.location,
            include=config.include,
            exclude=config.exclude,
            token=config.token,
            timeout=config.timeout_seconds,
        )
    token = config.token.get_secret_value() if config.token else None
    if config.token_env and token is None:
        raise ConfigError(
            f"source {config.name!r} needs its token in the environment variable {config.token_env}"
        )
    return BackstageApiSource(
        config.name,
        config.base_url,
        token=token,
        token_env=config.token_env,
        filters=config.filters,
        page_size=config.page_size,
        timeout=config.timeout_seconds,
    )


def source_from_cli(spec: str, *, backstage_token: SecretStr | None = None) -> SourceConfig:
    """An ad-hoc source from ``--source``: a folder, a Location file, a git URL or Backstage URL.

    ``git+https://host/repo.git``, ``backstage+https://backstage.example.com`` (with
    ``backstage_token``, from ``$GREENROOM_BACKSTAGE_TOKEN``), a ``.yaml`` file (read as a
    Location), or a folder (walked for catalog-info.yaml).
    """
    if spec.startswith("git+"):
        return GitSourceConfig(name="cli-git", url=spec.removeprefix("git+"))
    if spec.startswith("backstage+"):
        return BackstageSourceConfig(
            name="cli-backstage",
            base_url=spec.removeprefix("backstage+"),
            token=backstage_token,
            token_env=ADHOC_BACKSTAGE_TOKEN_ENV if backstage_token else None,
        )
    path = Path(spec)
    if path.suffix in {".yaml", ".yml"}:
        return LocationSourceConfig(name=f"cli-{path.stem}"[:100], path=path.resolve())
    return DirectorySourceConfig(
        name=f"cli-{path.resolve().name or 'root'}"[:100], path=path.resolve()
    )
