"""Which KPIs a site has: the built-in ones its sources provide, and its custom ones; and how
a name typed in Slack (``--kpi cost``) picks one."""

from __future__ import annotations

import difflib

from catalog.errors import GreenroomError
from integrations.kpis.config import (
    GitHubSecurityConfig,
    GitLabSecurityConfig,
    KpisSettings,
    OpenCostConfig,
    OpsgenieConfig,
    PagerDutyConfig,
    PrometheusConfig,
    SonarQubeConfig,
)
from integrations.kpis.model import BUILT_IN_KPIS, INCIDENT_KPIS, SECURITY_KPIS, KpiSpec
from integrations.kpis.prometheus import custom_spec

__all__ = ["UnknownKpi", "configured_kpis", "headline_kpis", "pick_kpi", "sources_of"]


class UnknownKpi(GreenroomError):
    """A KPI name that no configured source provides."""


def configured_kpis(settings: KpisSettings) -> dict[str, KpiSpec]:
    """Every KPI the configured sources provide, by name, headline ones first."""
    names: list[str] = []
    for source in settings.sources:
        if isinstance(source, OpenCostConfig):
            names.append("cost")
        elif isinstance(source, PagerDutyConfig | OpsgenieConfig):
            names += INCIDENT_KPIS
        elif isinstance(source, GitHubSecurityConfig | GitLabSecurityConfig | SonarQubeConfig):
            names += SECURITY_KPIS
    found = {n: BUILT_IN_KPIS[n] for n in sorted(set(names), key=_order)}
    for source in settings.sources:
        if isinstance(source, PrometheusConfig):
            found.update({k.name: custom_spec(k) for k in source.kpis})
    return found


def headline_kpis(settings: KpisSettings) -> list[KpiSpec]:
    """The KPIs a team page shows: cost, incidents, security, critical issues, custom ones."""
    every = configured_kpis(settings)
    wanted = ("cost", "incidents", "incidents.ack_minutes", "security", "security.critical")
    custom = [s for n, s in every.items() if n not in BUILT_IN_KPIS]
    return [every[n] for n in wanted if n in every] + custom


def pick_kpi(settings: KpisSettings, name: str | None) -> KpiSpec:
    """The KPI ``name`` means (a family picks its headline KPI); the first one by default."""
    every = configured_kpis(settings)
    if not every:
        raise UnknownKpi(
            "No KPI source is configured: add `kpis.sources` to greenroom.yaml (docs/kpis.md)."
        )
    if name is None:
        return next(iter(every.values()))
    wanted = name.strip().lower()
    if wanted in every:
        return every[wanted]
    close = difflib.get_close_matches(wanted, list(every), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UnknownKpi(f"There is no KPI {name!r}.{hint} KPIs here: {', '.join(every)}.")


def _order(name: str) -> tuple[int, str]:
    order = list(BUILT_IN_KPIS)
    return (order.index(name) if name in order else len(order), name)


def sources_of(settings: KpisSettings, kpi: str) -> list[str]:
    """The names of the configured sources that provide ``kpi``."""
    families = {
        "pagerduty": "incidents",
        "opsgenie": "incidents",
        "opencost": "cost",
        "github": "security",
        "gitlab": "security",
        "sonarqube": "security",
    }
    found = []
    for source in settings.sources:
        if isinstance(source, PrometheusConfig):
            if any(k.name == kpi for k in source.kpis):
                found.append(source.name)
        elif families.get(source.type) == kpi.split(".")[0]:
            found.append(source.name)
    return found
