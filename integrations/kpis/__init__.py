"""Team KPIs: sources (PagerDuty, OpenCost, GitHub Dependabot, GitLab findings, Prometheus)
behind one interface, daily values per entity, rollups up the group tree, thresholds, and
who is on call. No Slack here: commands/kpis renders what these functions return."""

from __future__ import annotations

from integrations.kpis.catalogue import (
    UnknownKpi,
    configured_kpis,
    headline_kpis,
    pick_kpi,
    sources_of,
)
from integrations.kpis.collect import (
    CollectReport,
    build_source,
    collect_kpis,
    load_kpi_entities,
    prune_kpis,
)
from integrations.kpis.config import (
    CustomKpiConfig,
    GitHubSecurityConfig,
    GitLabSecurityConfig,
    KpisSettings,
    OpenCostConfig,
    PagerDutyConfig,
    PrometheusConfig,
    ThresholdConfig,
)
from integrations.kpis.errors import KpiEntityGone, KpiSourceDown, KpiSourceFailed
from integrations.kpis.model import (
    BUILT_IN_KPIS,
    KpiEntity,
    KpiSource,
    KpiSpec,
    KpiValue,
    SourceReport,
)
from integrations.kpis.oncall import OnCallLookup, on_call_for
from integrations.kpis.pagerduty import SERVICE_ID, OnCall, OnCallAnswer, PagerDutySource
from integrations.kpis.rollup import (
    EntityReading,
    GroupReading,
    KpiBoard,
    TeamKpis,
    kpi_board,
    team_kpis,
)
from integrations.kpis.thresholds import (
    ThresholdNotice,
    claim_notice,
    release_notice,
    threshold_notices,
)

__all__ = [
    "BUILT_IN_KPIS",
    "SERVICE_ID",
    "CollectReport",
    "CustomKpiConfig",
    "EntityReading",
    "GitHubSecurityConfig",
    "GitLabSecurityConfig",
    "GroupReading",
    "KpiBoard",
    "KpiEntity",
    "KpiEntityGone",
    "KpiSource",
    "KpiSourceDown",
    "KpiSourceFailed",
    "KpiSpec",
    "KpiValue",
    "KpisSettings",
    "OnCall",
    "OnCallAnswer",
    "OnCallLookup",
    "OpenCostConfig",
    "PagerDutyConfig",
    "PagerDutySource",
    "PrometheusConfig",
    "SourceReport",
    "TeamKpis",
    "ThresholdConfig",
    "ThresholdNotice",
    "UnknownKpi",
    "build_source",
    "claim_notice",
    "collect_kpis",
    "configured_kpis",
    "headline_kpis",
    "kpi_board",
    "load_kpi_entities",
    "on_call_for",
    "pick_kpi",
    "prune_kpis",
    "release_notice",
    "sources_of",
    "team_kpis",
    "threshold_notices",
]
