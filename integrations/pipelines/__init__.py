"""Data pipelines: health from the engines they run on (Airflow's REST API, Kubernetes
CronJobs and Jobs), the freshness of the datasets they write, and lineage across pipelines and
datasets (catalog relations, OpenLineage via Marquez, Airflow datasets). See docs/pipelines.md.

Entry points: ``check_pipeline`` (one pipeline, within the slash-command deadline),
``lineage_of`` (upstream or downstream of an entity), ``sweep_pipelines`` (every pipeline, for
the worker), ``pipeline_badges`` (the Home tab). Domain data only: Slack lives in
commands/pipelines.
"""

from __future__ import annotations

from integrations.pipelines.badges import PipelineBadge, pipeline_badges
from integrations.pipelines.config import AirflowInstance, MarquezConfig, PipelinesSettings
from integrations.pipelines.errors import EngineAuthFailed, EngineUnreachable
from integrations.pipelines.freshness import format_duration
from integrations.pipelines.health import Engines, check_pipeline
from integrations.pipelines.lineage import (
    Direction,
    Impact,
    LineageGraph,
    LineageStep,
    LineageWalk,
    NodeInfo,
    Role,
)
from integrations.pipelines.model import (
    DATASET_TYPES,
    PIPELINE_TYPES,
    EngineReport,
    Freshness,
    PipelineFinding,
    PipelineHealth,
    PipelineSpec,
    PipelineState,
    Run,
    RunState,
    TaskFailure,
)
from integrations.pipelines.sources import LineageAnswer, catalog_lineage, lineage_of
from integrations.pipelines.specs import is_dataset, is_pipeline, pipeline_specs, spec_of
from integrations.pipelines.sweep import (
    PipelineNotification,
    PipelineSweepReport,
    sweep_pipelines,
)

__all__ = [
    "DATASET_TYPES",
    "PIPELINE_TYPES",
    "AirflowInstance",
    "Direction",
    "EngineAuthFailed",
    "EngineReport",
    "EngineUnreachable",
    "Engines",
    "Freshness",
    "Impact",
    "LineageAnswer",
    "LineageGraph",
    "LineageStep",
    "LineageWalk",
    "MarquezConfig",
    "NodeInfo",
    "PipelineBadge",
    "PipelineFinding",
    "PipelineHealth",
    "PipelineNotification",
    "PipelineSpec",
    "PipelineState",
    "PipelineSweepReport",
    "PipelinesSettings",
    "Role",
    "Run",
    "RunState",
    "TaskFailure",
    "catalog_lineage",
    "check_pipeline",
    "format_duration",
    "is_dataset",
    "is_pipeline",
    "lineage_of",
    "pipeline_badges",
    "pipeline_specs",
    "spec_of",
    "sweep_pipelines",
]
