"""All configuration, read once: ``greenroom.yaml`` plus environment variables (which win).

Only this module reads the environment or the config file. Everything else receives the
frozen sub-settings it needs. Secrets come from the environment only and are ``SecretStr``.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from catalog import ConfigError, SourceConfig
from catalog.database import DEFAULT_DATABASE_URL
from catalog.tech_migrations import MigrationsSettings
from catalog.yaml_reader import YamlLimits

__all__ = ["CatalogSettings", "Settings", "load_settings"]

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("greenroom_config_file", default=None)
CONFIG_ENV = "GREENROOM_CONFIG"


class CatalogSettings(BaseModel):
    """Where the catalog comes from and how much YAML one file may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[SourceConfig] = []
    interval_minutes: int = Field(default=30, ge=1)
    max_file_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_documents_per_file: int = Field(default=10_000, ge=1)

    @property
    def yaml_limits(self) -> YamlLimits:
        return YamlLimits(max_bytes=self.max_file_bytes, max_documents=self.max_documents_per_file)


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

    database_url: str = DEFAULT_DATABASE_URL
    config_dir: Path = Field(default_factory=Path.cwd, description="folder of greenroom.yaml")
    data_dir: Path = Field(default=Path(".greenroom"), description="caches and built files")
    catalog: CatalogSettings = CatalogSettings()
    migrations: MigrationsSettings = MigrationsSettings()

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
    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is None and Path("greenroom.yaml").is_file():
        path = Path("greenroom.yaml")
    if path is not None and not path.is_file():
        raise ConfigError(f"No config file at {path}")
    token = _CONFIG_FILE.set(path.resolve() if path else None)
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None
    finally:
        _CONFIG_FILE.reset(token)
    return _with_secrets(settings, env)


def _with_secrets(settings: Settings, env: dict[str, str] | os._Environ[str]) -> Settings:
    sources = []
    for source in settings.catalog.sources:
        token_env = getattr(source, "token_env", None)
        if token_env and getattr(source, "token", None) is None and env.get(token_env):
            source = source.model_copy(update={"token": SecretStr(env[token_env])})
        sources.append(source)
    catalog = settings.catalog.model_copy(update={"sources": sources})
    return settings.model_copy(update={"catalog": catalog})


def _describe(error: ValidationError, path: Path | None) -> str:
    where = f" in {path}" if path else ""
    lines = [f"Invalid settings{where}:"]
    for item in error.errors(include_url=False)[:10]:
        field = ".".join(str(p) for p in item["loc"])
        lines.append(f"  {field}: {item['msg']}")
    return "\n".join(lines)
