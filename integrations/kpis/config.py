"""How ``greenroom.yaml`` describes team KPIs (the ``kpis:`` section): where values come from,
which thresholds teams are told about, and how long daily values are kept.

Tokens never live in the file: a source names the environment variable that holds its token
and ``runtime/settings.py`` fills ``token`` in (see ``with_tokens``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = [
    "CustomKpiConfig",
    "GitHubSecurityConfig",
    "GitLabSecurityConfig",
    "KpiSourceConfig",
    "KpisSettings",
    "OpenCostConfig",
    "OpsgenieConfig",
    "PagerDutyConfig",
    "PrometheusConfig",
    "SonarQubeConfig",
    "ThresholdConfig",
]

_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,62}$"
_KPI_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="one request")
    max_retry_wait_seconds: float = Field(
        default=60.0, ge=0, le=900, description="longest Retry-After waited out on a 429"
    )
    concurrency: int = Field(default=8, ge=1, le=64, description="requests at once")

    @field_validator("token", check_fields=False)
    @classmethod
    def _not_in_a_file(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raise ValueError("tokens are read from the environment variable named by token_env")
        return value


class PagerDutyConfig(_Source):
    """PagerDuty's REST API: incidents per service (``pagerduty.com/service-id``), on-calls."""

    type: Literal["pagerduty"] = "pagerduty"
    name: str = Field(
        default="pagerduty", pattern=_NAME_PATTERN, description="names it in messages"
    )
    api_url: str = Field(
        default="https://api.pagerduty.com", pattern=r"^https?://\S+$", description="REST API"
    )
    token_env: str = Field(
        default="PAGERDUTY_TOKEN",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with the token",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")


class OpsgenieConfig(_Source):
    """Opsgenie's REST API: alerts per entity (``opsgenie.com/component-selector``), on-call
    by team schedule (``opsgenie.com/team``)."""

    type: Literal["opsgenie"] = "opsgenie"
    name: str = Field(default="opsgenie", pattern=_NAME_PATTERN, description="names it in messages")
    api_url: str = Field(
        default="https://api.opsgenie.com",
        pattern=r"^https?://\S+$",
        description="https://api.eu.opsgenie.com for EU accounts",
    )
    token_env: str = Field(
        default="OPSGENIE_API_KEY",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with the token",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")


class OpenCostConfig(_Source):
    """OpenCost's allocation API: cost per day, by a label or namespace that names entities."""

    type: Literal["opencost"] = "opencost"
    name: str = Field(default="opencost", pattern=_NAME_PATTERN, description="names it in messages")
    url: str = Field(
        pattern=r"^https?://\S+$", description="OpenCost's API", examples=["http://opencost:9003"]
    )
    aggregate: str = Field(
        default="label:app",
        pattern=r"^(namespace|label:[A-Za-z0-9_./-]+)$",
        description="how allocations are grouped: namespace, or label:<key>",
    )
    entity_key: Literal["kubernetes-id", "namespace", "name"] = Field(
        default="kubernetes-id",
        description="what of the entity equals the aggregate's value: its "
        "backstage.io/kubernetes-id, its backstage.io/kubernetes-namespace, or its name",
    )


class GitHubSecurityConfig(_Source):
    """GitHub's Dependabot alerts, by ``github.com/project-slug`` (or the source location)."""

    type: Literal["github"] = "github"
    name: str = Field(default="github", pattern=_NAME_PATTERN, description="names it in messages")
    api_url: str = Field(
        default="https://api.github.com",
        pattern=r"^https?://\S+$",
        description="REST API (GitHub Enterprise: https://<host>/api/v3)",
    )
    web_host: str = Field(default="github.com", description="host of source-location URLs")
    token_env: str = Field(
        default="GITHUB_TOKEN",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with the token",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")


class GitLabSecurityConfig(_Source):
    """GitLab's vulnerability findings, by ``gitlab.com/project-slug`` (or source location)."""

    type: Literal["gitlab"] = "gitlab"
    name: str = Field(default="gitlab", pattern=_NAME_PATTERN, description="names it in messages")
    api_url: str = Field(
        default="https://gitlab.com/api/v4", pattern=r"^https?://\S+$", description="REST API v4"
    )
    web_host: str = Field(default="gitlab.com", description="host of source-location URLs")
    token_env: str = Field(
        default="GITLAB_TOKEN",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with the token",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")


class SonarQubeConfig(_Source):
    """SonarQube's Web API: open vulnerabilities by severity, by ``sonarqube.org/project-key``."""

    type: Literal["sonarqube"] = "sonarqube"
    name: str = Field(
        default="sonarqube", pattern=_NAME_PATTERN, description="names it in messages"
    )
    api_url: str = Field(
        pattern=r"^https?://\S+$",
        description="the server (its Web API is under /api)",
        examples=["https://sonar.example.com"],
    )
    token_env: str = Field(
        default="SONARQUBE_TOKEN",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="env var with the token",
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")


class CustomKpiConfig(BaseModel):
    """One custom KPI: a PromQL query per entity, ``$name``-style placeholders filled in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="the KPI's name (`kpis --kpi <name>`)")
    title: str | None = Field(default=None, description="shown in Slack (default: the name)")
    query: str = Field(
        description="PromQL; $entity, $namespace, $kubernetes_id, $service_id are filled in",
        examples=['slo:error_budget_remaining:ratio{service="$kubernetes_id"}'],
    )
    range_hours: float | None = Field(
        default=None, gt=0, le=24 * 31, description="a range query over the day, averaged"
    )
    better: Literal["lower", "higher"] = Field(default="lower", description="which way is good")
    rollup: Literal["sum", "mean", "max", "min"] = Field(
        default="mean", description="how entities add up to a team"
    )
    unit: str = Field(default="", max_length=16, description="shown after values")

    @field_validator("name")
    @classmethod
    def _kpi_name(cls, value: str) -> str:
        if not _KPI_NAME.match(value) or value.split(".")[0] in _BUILT_IN_FAMILIES:
            raise ValueError(
                f"{value!r} is not a custom KPI name: lowercase letters, digits, . _ -, and "
                f"not one of {', '.join(sorted(_BUILT_IN_FAMILIES))}"
            )
        return value


_BUILT_IN_FAMILIES = {"cost", "incidents", "security"}


class PrometheusConfig(_Source):
    """Prometheus's HTTP API: custom KPIs, one query per entity and KPI."""

    type: Literal["prometheus"] = "prometheus"
    name: str = Field(
        default="prometheus", pattern=_NAME_PATTERN, description="names it in messages"
    )
    url: str = Field(pattern=r"^https?://\S+$", examples=["http://prometheus:9090"])
    token_env: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="bearer token, if any"
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")
    kpis: tuple[CustomKpiConfig, ...] = Field(default=(), description="the custom KPIs")


KpiSourceConfig = Annotated[
    PagerDutyConfig
    | OpsgenieConfig
    | OpenCostConfig
    | GitHubSecurityConfig
    | GitLabSecurityConfig
    | SonarQubeConfig
    | PrometheusConfig,
    Field(discriminator="type"),
]


class ThresholdConfig(BaseModel):
    """A line a team should not cross, e.g. ``{kpi: security.critical, above: 0}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kpi: str = Field(description="a KPI name (cost, incidents, security.critical, <custom>)")
    above: float | None = Field(default=None, description="crossed when the value is above")
    below: float | None = Field(default=None, description="crossed when the value is below")

    @model_validator(mode="after")
    def _one_bound(self) -> ThresholdConfig:
        if (self.above is None) == (self.below is None):
            raise ValueError(f"threshold for {self.kpi}: give exactly one of above or below")
        return self


class KpisSettings(BaseModel):
    """Team KPIs: sources, thresholds, retention and where teams are told."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[KpiSourceConfig, ...] = Field(default=(), description="where values come from")
    thresholds: tuple[ThresholdConfig, ...] = Field(
        default=(), description="told once per crossing"
    )
    retention_days: int = Field(default=400, ge=7, le=3650, description="daily values kept")
    window_days: int = Field(
        default=30, ge=1, le=180, description="trend: this many days vs the ones before"
    )
    collect_when: str = Field(default="daily 05:00", description="when the worker collects")
    backfill_days: int = Field(
        default=2, ge=1, le=180, description="days each collection (re)reads, ending yesterday"
    )
    team_channels: dict[str, str] = Field(
        default_factory=dict, description="group ref -> Slack channel, when the group has none"
    )
    default_channel: str | None = Field(
        default=None, description="threshold messages for teams with no channel go here"
    )
    chart_channel: str | None = Field(
        default=None,
        description="channel id team KPI charts are shared to, so everyone may see them on team "
        "pages; unset: uploaded privately to the app",
    )

    @model_validator(mode="after")
    def _unique(self) -> KpisSettings:
        names = [s.name for s in self.sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"kpis source names must be unique; repeated: {', '.join(twice)}")
        custom = [k.name for s in self.sources if isinstance(s, PrometheusConfig) for k in s.kpis]
        twice = sorted({n for n in custom if custom.count(n) > 1})
        if twice:
            raise ValueError(f"custom KPI names must be unique; repeated: {', '.join(twice)}")
        return self

    def with_tokens(self, env: Mapping[str, str] | os._Environ[str]) -> KpisSettings:
        """Each source's token from its ``token_env`` (a missing one stays None)."""
        sources = []
        for source in self.sources:
            name: str | None = getattr(source, "token_env", None)
            value = env.get(name) if name else None
            if value and getattr(source, "token", None) is None:
                source = source.model_copy(update={"token": SecretStr(value)})
            sources.append(source)
        return self.model_copy(update={"sources": tuple(sources)})
