"""Data pipelines: health from the engines they run on (Airflow's REST API, Kubernetes
CronJobs and Jobs), the freshness of the datasets they write, and lineage across pipelines and
datasets (catalog relations, OpenLineage via Marquez, Airflow datasets). See docs/pipelines.md.

Entry points: ``check_pipeline`` (one pipeline, within the slash-command deadline),
``lineage_of`` (upstream or downstream of an entity), ``sweep_pipelines`` (every pipeline, for
the worker), ``pipeline_badges`` (the Home tab). Domain data only: Slack lives in
commands/pipelines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.pipelines.badges import (
        PipelineBadge as PipelineBadge,
        pipeline_badges as pipeline_badges,
    )
    from integrations.pipelines.config import (
        AirflowInstance as AirflowInstance,
        MarquezConfig as MarquezConfig,
        PipelinesSettings as PipelinesSettings,
    )
    from integrations.pipelines.errors import (
        EngineAuthFailed as EngineAuthFailed,
        EngineUnreachable as EngineUnreachable,
    )
    from integrations.pipelines.freshness import (
        format_duration as format_duration,
    )
    from integrations.pipelines.health import (
        Engines as Engines,
        check_pipeline as check_pipeline,
    )
    from integrations.pipelines.lineage import (
        Direction as Direction,
        Impact as Impact,
        LineageGraph as LineageGraph,
        LineageStep as LineageStep,
        LineageWalk as LineageWalk,
        NodeInfo as NodeInfo,
        Role as Role,
    )
    from integrations.pipelines.model import (
        DATASET_TYPES as DATASET_TYPES,
        PIPELINE_TYPES as PIPELINE_TYPES,
        EngineReport as EngineReport,
        Freshness as Freshness,
        PipelineFinding as PipelineFinding,
        PipelineHealth as PipelineHealth,
        PipelineSpec as PipelineSpec,
        PipelineState as PipelineState,
        Run as Run,
        RunState as RunState,
        TaskFailure as TaskFailure,
    )
    from integrations.pipelines.sources import (
        LineageAnswer as LineageAnswer,
        catalog_lineage as catalog_lineage,
        lineage_of as lineage_of,
    )
    from integrations.pipelines.specs import (
        is_dataset as is_dataset,
        is_pipeline as is_pipeline,
        pipeline_specs as pipeline_specs,
        spec_of as spec_of,
    )
    from integrations.pipelines.sweep import (
        PipelineNotification as PipelineNotification,
        PipelineSweepReport as PipelineSweepReport,
        sweep_pipelines as sweep_pipelines,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
