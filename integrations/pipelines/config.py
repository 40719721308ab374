"""How ``greenroom.yaml`` describes the engines pipelines run on (the ``pipelines:`` section):
Airflow instances, a Marquez (OpenLineage) server, deadlines and how late is late.

Credentials never live in the file: an instance names the environment variable that holds its
password or token, and ``runtime/settings.py`` fills it in (``with_env``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = ["AirflowInstance", "MarquezConfig", "PipelinesSettings"]

_NAME = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", description="shown to users")


class AirflowInstance(BaseModel):
    """One Airflow: Airflow 2's stable REST API (``/api/v1``, basic auth or a bearer token) or
    Airflow 3's public API (``/api/v2``, a JWT that greenroom asks ``/auth/token`` for with the
    user and password, or a bearer token). ``api_version: auto`` asks the server which it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = _NAME
    url: str = Field(
        pattern=r"^https?://\S+$",
        description="the webserver or API server (the API is under /api/v1 or /api/v2)",
        examples=["https://airflow.example.com"],
    )
    api_version: Literal["1", "2", "auto"] = Field(
        default="auto",
        description="1: Airflow 2 (/api/v1), 2: Airflow 3 (/api/v2), auto: ask /version once",
    )
    username: str | None = Field(default=None, description="the user greenroom signs in as")
    password_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with its password (basic auth; Airflow 3: traded for a JWT)",
    )
    token_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with a bearer token (instead of user and password)",
    )
    password: SecretStr | None = Field(default=None, description="filled in from password_env")
    token: SecretStr | None = Field(default=None, description="filled in from token_env")

    @field_validator("api_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        """``api_version: 2`` in YAML is a number; ``"2"`` and ``auto`` are words."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("password", "token")
    @classmethod
    def _not_in_a_file(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raise ValueError("secrets are read from the environment variable named by *_env")
        return value

    def with_env(self, env: Mapping[str, str]) -> AirflowInstance:
        """The instance with its secrets read from the environment (no validation re-run)."""
        update: dict[str, SecretStr] = {}
        if self.password_env and env.get(self.password_env):
            update["password"] = SecretStr(env[self.password_env])
        if self.token_env and env.get(self.token_env):
            update["token"] = SecretStr(env[self.token_env])
        return self.model_copy(update=update)


class MarquezConfig(BaseModel):
    """A Marquez server (OpenLineage's reference backend), ``/api/v1``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(
        pattern=r"^https?://\S+$",
        description="the Marquez API server (the API is under /api/v1)",
        examples=["http://marquez:5000"],
    )
    token_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with a bearer token, if Marquez sits behind auth",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")
    depth: int = Field(default=20, ge=1, le=100, description="lineage depth asked of Marquez")

    @property
    def api_url(self) -> str:
        return self.url.rstrip("/") + "/api/v1"

    def with_env(self, env: Mapping[str, str]) -> MarquezConfig:
        if self.token_env and env.get(self.token_env):
            return self.model_copy(update={"token": SecretStr(env[self.token_env])})
        return self


class PipelinesSettings(BaseModel):
    """Engines, deadlines and lateness for pipeline health and lineage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    airflow: tuple[AirflowInstance, ...] = Field(default=(), description="Airflow instances")
    marquez: MarquezConfig | None = Field(default=None, description="OpenLineage lineage")
    timeout_seconds: float = Field(default=2.5, gt=0, le=60, description="whole answer, Slack")
    sweep_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="one call")
    sweep_concurrency: int = Field(default=8, ge=1, le=64, description="calls at once")
    sweep_interval_minutes: int = Field(
        default=10, ge=1, le=1440, description="how often the worker sweeps every pipeline"
    )
    runs_shown: int = Field(default=5, ge=1, le=25, description="last runs in an answer")
    late_grace: float = Field(
        default=0.25, ge=0, le=10, description="a dataset is late after interval * (1 + grace)"
    )
    resolve_after_sweeps: int = Field(default=1, ge=1, description="clean sweeps to resolve")
    default_channel: str | None = Field(
        default=None, description="pipeline alerts for teams with no channel go here"
    )

    @model_validator(mode="after")
    def _names_are_unique(self) -> PipelinesSettings:
        names = [a.name for a in self.airflow]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"airflow names must be unique; repeated: {', '.join(twice)}")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.airflow or self.marquez)

    def instance(self, name: str | None) -> AirflowInstance | None:
        """The named Airflow instance, or the first when ``name`` is None."""
        if name is None:
            return self.airflow[0] if self.airflow else None
        return next((a for a in self.airflow if a.name == name), None)

    def with_env(self, env: Mapping[str, str]) -> PipelinesSettings:
        """Secrets of every instance and of Marquez read from ``env``."""
        return self.model_copy(
            update={
                "airflow": tuple(a.with_env(env) for a in self.airflow),
                "marquez": self.marquez.with_env(env) if self.marquez else None,
            }
        )
