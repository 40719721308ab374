"""Team KPIs: sources (PagerDuty, OpenCost, GitHub Dependabot, GitLab findings, Prometheus)
behind one interface, daily values per entity, rollups up the group tree, thresholds, and
who is on call. No Slack here: commands/kpis renders what these functions return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.kpis.catalogue import (
        UnknownKpi as UnknownKpi,
        configured_kpis as configured_kpis,
        headline_kpis as headline_kpis,
        pick_kpi as pick_kpi,
        sources_of as sources_of,
    )
    from integrations.kpis.chart_files import (
        ChartFile as ChartFile,
        chart_file as chart_file,
        charted_groups as charted_groups,
        claim_chart as claim_chart,
        claimable as claimable,
        finish_chart as finish_chart,
        readings_fingerprint as readings_fingerprint,
    )
    from integrations.kpis.collect import (
        CollectReport as CollectReport,
        build_source as build_source,
        collect_kpis as collect_kpis,
        load_kpi_entities as load_kpi_entities,
        prune_kpis as prune_kpis,
    )
    from integrations.kpis.config import (
        CustomKpiConfig as CustomKpiConfig,
        GitHubSecurityConfig as GitHubSecurityConfig,
        GitLabSecurityConfig as GitLabSecurityConfig,
        KpisSettings as KpisSettings,
        OpenCostConfig as OpenCostConfig,
        PagerDutyConfig as PagerDutyConfig,
        PrometheusConfig as PrometheusConfig,
        ThresholdConfig as ThresholdConfig,
    )
    from integrations.kpis.errors import (
        KpiEntityGone as KpiEntityGone,
        KpiSourceDown as KpiSourceDown,
        KpiSourceFailed as KpiSourceFailed,
    )
    from integrations.kpis.model import (
        BUILT_IN_KPIS as BUILT_IN_KPIS,
        KpiEntity as KpiEntity,
        KpiSource as KpiSource,
        KpiSpec as KpiSpec,
        KpiValue as KpiValue,
        SourceReport as SourceReport,
    )
    from integrations.kpis.oncall import (
        OnCallLookup as OnCallLookup,
        on_call_for as on_call_for,
    )
    from integrations.kpis.pagerduty import (
        SERVICE_ID as SERVICE_ID,
        OnCall as OnCall,
        OnCallAnswer as OnCallAnswer,
        PagerDutySource as PagerDutySource,
    )
    from integrations.kpis.rollup import (
        EntityReading as EntityReading,
        GroupReading as GroupReading,
        KpiBoard as KpiBoard,
        TeamKpis as TeamKpis,
        kpi_board as kpi_board,
        team_kpis as team_kpis,
    )
    from integrations.kpis.thresholds import (
        ThresholdNotice as ThresholdNotice,
        claim_notice as claim_notice,
        release_notice as release_notice,
        threshold_notices as threshold_notices,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
