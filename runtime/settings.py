"""All configuration, read once: ``greenroom.yaml`` plus environment variables (which win).

Only this module reads the environment or the config file. Everything else receives the
frozen sub-settings it needs. Secrets come from the environment only and are ``SecretStr``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from catalog import ConfigError, SourceConfig
from catalog.database import DEFAULT_DATABASE_URL
from catalog.removal_guard import RemovalGuard
from catalog.rules import CatalogRule, CatalogRules
from catalog.sources import ADHOC_BACKSTAGE_TOKEN_ENV
from catalog.tech_migrations import MigrationsSettings
from catalog.yaml_reader import YamlLimits
from integrations.actions.config import ActionsSettings
from integrations.delivery.config import DeliverySettings
from integrations.kpis.config import KpisSettings
from integrations.kubernetes.config import KubernetesSettings, TokenClusterConfig
from integrations.pipelines.config import PipelinesSettings
from integrations.repositories.config import RepositoriesSettings
from integrations.scaffolder import ScaffolderSettings
from integrations.techdocs.settings import TechDocsSettings
from runtime.slack_settings import SlackSettings
from runtime.web_settings import WebSettings

__all__ = [
    "CatalogSettings",
    "ScheduleConfig",
    "Settings",
    "WorkerSettings",
    "config_path",
    "load_settings",
]

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("greenroom_config_file", default=None)
CONFIG_ENV = "GREENROOM_CONFIG"


class CatalogSettings(BaseModel):
    """Where the catalog comes from, which kinds each source may define (catalog rules), how
    much YAML one file may hold, and what a sync may remove without an admin."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[SourceConfig] = Field(default=[], description="where entities are read from")
    rules: list[CatalogRule] | None = Field(
        default=None, description="kinds every source may define (default: all but User, Group)"
    )
    interval_minutes: int = Field(default=30, ge=1, description="how often the worker syncs")
    max_file_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="larger catalog files are refused"
    )
    max_documents_per_file: int = Field(
        default=10_000, ge=1, description="YAML documents read from one file at most"
    )
    removal_guard: RemovalGuard = RemovalGuard()
    removed_source_grace_days: float = Field(
        default=7, ge=0, description="a source gone from greenroom.yaml keeps its entities so long"
    )
    #: ``greenroom sync --source backstage+URL``'s token, from $GREENROOM_BACKSTAGE_TOKEN only
    adhoc_backstage_token: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"source names must be unique; used more than once: {twice}")
        return sources

    @property
    def yaml_limits(self) -> YamlLimits:
        return YamlLimits(max_bytes=self.max_file_bytes, max_documents=self.max_documents_per_file)

    @property
    def rule_set(self) -> CatalogRules:
        """The catalog rules of the configured sources (see docs/catalog.md)."""
        return CatalogRules.of(self.rules, ((s.name, s.rules) for s in self.sources))


class ScheduleConfig(BaseModel):
    """A schedule written in greenroom.yaml (``worker.schedules.<id>``); see docs/worker.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str | None = Field(default=None, description="job kind (default: the schedule id)")
    when: str = Field(description='"mon 09:00", "every 15m", "0 9 * * 1", or "off"')
    timezone: str | None = Field(default=None, description="IANA zone (default: worker's)")
    params: dict[str, Any] = Field(default={}, description="passed to the job")
    grace_seconds: int | None = Field(
        default=None, ge=0, description="how late a run may start (default: the worker's)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return value if value is None else _check_zone(value)


class WorkerSettings(BaseModel):
    """The worker process (``greenroom worker``): time zone, concurrency, schedules, retention."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = Field(default="UTC", description="IANA zone schedules are read in")
    max_concurrent_jobs: int = Field(default=2, ge=1, le=64, description="per worker process")
    misfire_grace_seconds: int = Field(default=300, ge=0, description="late runs allowed")
    shutdown_grace_seconds: float = Field(
        default=20.0, ge=0, description="running jobs get this long after SIGTERM"
    )
    poll_seconds: float = Field(default=2.0, gt=0, le=60, description="requests, DB schedules")
    heartbeat_seconds: float = Field(
        default=5.0, gt=0, le=300, description="how often a worker reports it is alive"
    )
    stale_after_seconds: float = Field(default=30.0, gt=0, description="heartbeat age = dead")
    schedules: dict[str, str | ScheduleConfig] = Field(
        default={}, description="overrides by schedule id (a string is the new 'when')"
    )
    retention_days: dict[str, float] = Field(default={}, description="per prune rule name")
    job_modules: list[str] = Field(default=[], description="extra modules registering kinds")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from None
    return name


class _YamlFileSource(PydanticBaseSettingsSource):
    """greenroom.yaml, loaded safely; relative paths in it are relative to its folder."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _CONFIG_FILE.get()
        if path is None:
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as error:
            raise ConfigError(f"Cannot read {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ConfigError(f"{path} is not valid YAML: {error}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path} must hold a mapping of settings")
        return data | {"config_dir": str(path.parent.resolve())}


#: Conventional environment variables read without the ``GREENROOM_`` prefix, and the setting
#: each one fills (a path into the settings tree).
WELL_KNOWN_ENV: dict[str, tuple[str, ...]] = {
    "DATABASE_URL": ("database_url",),
}


class _WellKnownEnvSource(PydanticBaseSettingsSource):
    """``DATABASE_URL`` and friends: below ``GREENROOM_*`` variables, above greenroom.yaml."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, path in WELL_KNOWN_ENV.items():
            value = os.environ.get(name)
            if value:
                node = data
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1]] = value
        return data


class Settings(BaseSettings):
    """Every setting of greenroom (see docs/configuration.md)."""

    model_config = SettingsConfigDict(
        env_prefix="GREENROOM_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the database (PostgreSQL in production; a relative "
        "SQLite path starts at the config folder)",
        examples=["postgresql+psycopg://greenroom@db.example.com/greenroom"],
    )
    config_dir: Path = Field(default_factory=Path.cwd, description="folder of greenroom.yaml")
    data_dir: Path = Field(default=Path(".greenroom"), description="caches and built files")
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text: one readable line per record; json: one JSON object per line "
        "(for a log pipeline), for serve, worker and their processes",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="the least severe records written"
    )
    catalog: CatalogSettings = CatalogSettings()
    repositories: RepositoriesSettings = RepositoriesSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    techdocs: TechDocsSettings = TechDocsSettings()
    scaffolder: ScaffolderSettings = ScaffolderSettings()
    slack: SlackSettings = SlackSettings()
    web: WebSettings = WebSettings()
    worker: WorkerSettings = WorkerSettings()
    migrations: MigrationsSettings = MigrationsSettings()
    delivery: DeliverySettings = DeliverySettings()
    pipelines: PipelinesSettings = PipelinesSettings()
    actions: ActionsSettings = ActionsSettings()
    kpis: KpisSettings = KpisSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _WellKnownEnvSource(settings_cls),
            _YamlFileSource(settings_cls),
        )

    @property
    def data_path(self) -> Path:
        """The data folder, absolute (relative settings start at the config folder)."""
        return self.data_dir if self.data_dir.is_absolute() else self.config_dir / self.data_dir

    @property
    def resolved_database_url(self) -> str:
        """The database URL, with a relative SQLite path anchored at the config folder."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.config_dir / url.removeprefix(prefix))
        return url


def load_settings(
    config_file: Path | None = None, *, environ: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Settings from ``config_file`` (or ``$GREENROOM_CONFIG``, or ./greenroom.yaml if present)."""
    env = os.environ if environ is None else environ
    path = config_path(config_file, environ=env)
    if path is not None and not path.is_file():
        raise ConfigError(f"No config file at {path}")
    token = _CONFIG_FILE.set(path.resolve() if path else None)
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None
    finally:
        _CONFIG_FILE.reset(token)
    return _with_techdocs_dir(_with_secrets(settings, env))


def config_path(
    config_file: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The greenroom.yaml settings come from: ``config_file``, else ``$GREENROOM_CONFIG``, else
    ./greenroom.yaml when there is one; None means defaults and the environment only."""
    env = os.environ if environ is None else environ
    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is None and Path("greenroom.yaml").is_file():
        path = Path("greenroom.yaml")
    return path


def _with_secrets(settings: Settings, env: dict[str, str] | os._Environ[str]) -> Settings:
    sources = []
    for source in settings.catalog.sources:
        token_env = getattr(source, "token_env", None)
        if token_env and getattr(source, "token", None) is None and env.get(token_env):
            source = source.model_copy(update={"token": SecretStr(env[token_env])})
        sources.append(source)
    adhoc = env.get(ADHOC_BACKSTAGE_TOKEN_ENV)
    catalog = settings.catalog.model_copy(
        update={"sources": sources, "adhoc_backstage_token": SecretStr(adhoc) if adhoc else None}
    )
    repositories = _with_repository_tokens(settings.repositories, env)
    kubernetes = _kubernetes_secrets(settings, env)
    settings = settings.model_copy(
        update={"catalog": catalog, "repositories": repositories, "kubernetes": kubernetes}
    )
    scaffolder = settings.scaffolder
    if scaffolder.token_env and scaffolder.token is None and env.get(scaffolder.token_env):
        token = SecretStr(env[scaffolder.token_env])
        settings = settings.model_copy(
            update={"scaffolder": scaffolder.model_copy(update={"token": token})}
        )
    # pipelines: Airflow and Marquez credentials from their *_env variables
    settings = settings.model_copy(update={"pipelines": settings.pipelines.with_env(env)})
    return settings.model_copy(
        update={
            "slack": settings.slack.with_env(env),
            "web": settings.web.with_env(env),
            "kpis": settings.kpis.with_tokens(env),
        }
    )


def _with_repository_tokens(
    repositories: RepositoriesSettings, env: dict[str, str] | os._Environ[str]
) -> RepositoriesSettings:
    """Providers' and hosts' tokens from their ``token_env`` (a missing one stays None: the
    publisher raises ConfigError naming the variable when it is needed)."""

    def resolve(items: list[Any]) -> list[Any]:
        return [
            item.model_copy(update={"token": SecretStr(env[item.token_env])})
            if item.token_env and item.token is None and env.get(item.token_env)
            else item
            for item in items
        ]

    return repositories.model_copy(
        update={
            "providers": resolve(repositories.providers),
            "hosts": resolve(repositories.hosts),
        }
    )


def _kubernetes_secrets(
    settings: Settings, env: dict[str, str] | os._Environ[str]
) -> KubernetesSettings:
    """Cluster tokens from their ``token_env``; kubeconfig paths anchored at the config folder."""
    clusters = [
        c.model_copy(update={"token": SecretStr(env[c.token_env])})
        if isinstance(c, TokenClusterConfig) and c.token is None and env.get(c.token_env)
        else c
        for c in settings.kubernetes.clusters
    ]
    kubernetes = settings.kubernetes.model_copy(update={"clusters": tuple(clusters)})
    return kubernetes.resolve_paths(settings.config_dir)


def _with_techdocs_dir(settings: Settings) -> Settings:
    """Built sites live in ``<data_dir>/techdocs`` unless ``techdocs.storage_dir`` says where."""
    folder = settings.techdocs.storage_dir or settings.data_path / "techdocs"
    folder = folder if folder.is_absolute() else settings.config_dir / folder
    techdocs = settings.techdocs.model_copy(update={"storage_dir": folder})
    return settings.model_copy(update={"techdocs": techdocs})


def _describe(error: ValidationError, path: Path | None) -> str:
    where = f" in {path}" if path else ""
    lines = [f"Invalid settings{where}:"]
    for item in error.errors(include_url=False)[:10]:
        field = ".".join(str(p) for p in item["loc"])
        lines.append(f"  {field}: {item['msg']}")
    return "\n".join(lines)
