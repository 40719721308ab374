"""The ``web:`` section of greenroom.yaml: who may read the web process's ``/metrics``.

Metrics name subcommands, outcomes and traffic: not secrets, but nothing for the internet.
By default ``/metrics`` answers only clients on the same host (127.0.0.1 or ::1, and not
through a proxy). ``metrics_listen`` moves it to an address of its own (e.g. a port only the
cluster network reaches); ``GREENROOM_METRICS_TOKEN`` (environment only) lets anyone with
the token read it, as Prometheus does with ``authorization: {credentials: ...}``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = ["METRICS_TOKEN_ENV", "WebSettings"]

METRICS_TOKEN_ENV = "GREENROOM_METRICS_TOKEN"  # noqa: S105 - a variable name, not a secret


class WebSettings(BaseModel):
    """How the web process (``greenroom serve``) exposes its metrics (see docs/slack.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics_listen: str | None = Field(
        default=None,
        description="host:port of a listener of its own for /metrics (none on the main port)",
    )
    metrics_token: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_token_in_files(cls, data: Any) -> Any:
        if isinstance(data, dict) and "metrics_token" in data:
            raise ValueError(f"web.metrics_token is a secret: set {METRICS_TOKEN_ENV} instead")
        return data

    @field_validator("metrics_listen")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{value!r} is not host:port, e.g. 127.0.0.1:9464")
        return value

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """``metrics_listen`` as (host, port); IPv6 hosts without their brackets."""
        if self.metrics_listen is None:
            return None
        host, _, port = self.metrics_listen.rpartition(":")
        return host.strip("[]"), int(port)

    def with_env(self, env: Any) -> WebSettings:
        """A copy with the metrics token from the environment."""
        token = env.get(METRICS_TOKEN_ENV)
        return self.model_copy(update={"metrics_token": SecretStr(token)}) if token else self
