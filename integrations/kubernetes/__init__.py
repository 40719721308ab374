"""Kubernetes health of catalog services, across clusters, read-only (see docs/kubernetes.md).

Entry points: ``check_health`` (one service, within the slash-command deadline),
``sweep_health`` (every service, for the worker), ``health_badges`` (the Home tab).

Importing the official client takes about a second, so this package loads its modules on
first use: reading settings (``integrations.kubernetes.config``) stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.kubernetes.badges import (
        HealthBadge as HealthBadge,
        health_badges as health_badges,
    )
    from integrations.kubernetes.clients import (
        ClusterClient as ClusterClient,
        ClusterConnection as ClusterConnection,
        ClusterSet as ClusterSet,
        KubernetesClusterClient as KubernetesClusterClient,
    )
    from integrations.kubernetes.config import (
        ClusterConfig as ClusterConfig,
        InClusterConfig as InClusterConfig,
        KubeconfigClusterConfig as KubeconfigClusterConfig,
        KubernetesSettings as KubernetesSettings,
        TokenClusterConfig as TokenClusterConfig,
    )
    from integrations.kubernetes.discovery import (
        WorkloadSelector as WorkloadSelector,
        selector_for as selector_for,
    )
    from integrations.kubernetes.fetch import (
        ClusterAnswer as ClusterAnswer,
        ClusterState as ClusterState,
        WorkloadQuery as WorkloadQuery,
        collect as collect,
    )
    from integrations.kubernetes.finding import (
        Finding as Finding,
        ImageChange as ImageChange,
        Severity as Severity,
    )
    from integrations.kubernetes.health import (
        NOT_ANNOTATED as NOT_ANNOTATED,
        check_health as check_health,
    )
    from integrations.kubernetes.resources import (
        REVISION_ANNOTATIONS as REVISION_ANNOTATIONS,
        ObjectRef as ObjectRef,
        WorkloadInfo as WorkloadInfo,
    )
    from integrations.kubernetes.summary import (
        AutoscalerRange as AutoscalerRange,
        ClusterSummary as ClusterSummary,
        HealthStatus as HealthStatus,
        KubernetesHealth as KubernetesHealth,
        NamespaceSummary as NamespaceSummary,
        WorkloadSummary as WorkloadSummary,
    )
    from integrations.kubernetes.sweep import (
        Change as Change,
        HealthNotification as HealthNotification,
        HealthNotifier as HealthNotifier,
        SweepReport as SweepReport,
        notify_all as notify_all,
        sweep_health as sweep_health,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
