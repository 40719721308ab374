"""Kubernetes health of catalog services, across clusters, read-only (see docs/kubernetes.md).

Entry points: ``check_health`` (one service, within the slash-command deadline),
``sweep_health`` (every service, for the worker), ``health_badges`` (the Home tab).

Importing the official client takes about a second, so this package loads its modules on
first use: reading settings (``integrations.kubernetes.config``) stays instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integrations.kubernetes.badges import HealthBadge, health_badges
    from integrations.kubernetes.clients import (
        ClusterClient,
        ClusterConnection,
        ClusterSet,
        KubernetesClusterClient,
    )
    from integrations.kubernetes.config import (
        ClusterConfig,
        InClusterConfig,
        KubeconfigClusterConfig,
        KubernetesSettings,
        TokenClusterConfig,
    )
    from integrations.kubernetes.discovery import WorkloadSelector, selector_for
    from integrations.kubernetes.fetch import ClusterAnswer, ClusterState, WorkloadQuery, collect
    from integrations.kubernetes.finding import Finding, Severity
    from integrations.kubernetes.health import NOT_ANNOTATED, check_health
    from integrations.kubernetes.resources import REVISION_ANNOTATIONS, ObjectRef, WorkloadInfo
    from integrations.kubernetes.summary import (
        AutoscalerRange,
        ClusterSummary,
        HealthStatus,
        KubernetesHealth,
        NamespaceSummary,
        WorkloadSummary,
    )
    from integrations.kubernetes.sweep import (
        Change,
        HealthNotification,
        HealthNotifier,
        SweepReport,
        notify_all,
        sweep_health,
    )

__all__ = [
    "NOT_ANNOTATED",
    "REVISION_ANNOTATIONS",
    "AutoscalerRange",
    "Change",
    "ClusterAnswer",
    "ClusterClient",
    "ClusterConfig",
    "ClusterConnection",
    "ClusterSet",
    "ClusterState",
    "ClusterSummary",
    "Finding",
    "HealthBadge",
    "HealthNotification",
    "HealthNotifier",
    "HealthStatus",
    "InClusterConfig",
    "KubeconfigClusterConfig",
    "KubernetesClusterClient",
    "KubernetesHealth",
    "KubernetesSettings",
    "NamespaceSummary",
    "ObjectRef",
    "Severity",
    "SweepReport",
    "TokenClusterConfig",
    "WorkloadInfo",
    "WorkloadQuery",
    "WorkloadSelector",
    "WorkloadSummary",
    "check_health",
    "collect",
    "health_badges",
    "notify_all",
    "selector_for",
    "sweep_health",
]

_MODULES = {
    "AutoscalerRange": "summary",
    "Change": "sweep",
    "ClusterAnswer": "fetch",
    "ClusterClient": "clients",
    "ClusterConfig": "config",
    "ClusterConnection": "clients",
    "ClusterSet": "clients",
    "ClusterState": "fetch",
    "ClusterSummary": "summary",
    "Finding": "finding",
    "HealthBadge": "badges",
    "HealthNotification": "sweep",
    "HealthNotifier": "sweep",
    "HealthStatus": "summary",
    "InClusterConfig": "config",
    "KubeconfigClusterConfig": "config",
    "KubernetesClusterClient": "clients",
    "KubernetesHealth": "summary",
    "KubernetesSettings": "config",
    "NOT_ANNOTATED": "health",
    "REVISION_ANNOTATIONS": "resources",
    "WorkloadInfo": "resources",
    "WorkloadQuery": "fetch",
    "collect": "fetch",
    "NamespaceSummary": "summary",
    "ObjectRef": "resources",
    "Severity": "finding",
    "SweepReport": "sweep",
    "TokenClusterConfig": "config",
    "WorkloadSelector": "discovery",
    "WorkloadSummary": "summary",
    "check_health": "health",
    "health_badges": "badges",
    "notify_all": "sweep",
    "selector_for": "discovery",
    "sweep_health": "sweep",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
