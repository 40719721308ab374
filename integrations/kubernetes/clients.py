"""Read-only access to clusters: the ``ClusterClient`` seam, its implementation on the official
``kubernetes`` client, and ``ClusterSet``, which connects every configured cluster once.

Each cluster gets its own ``ApiClient`` (``new_client_from_config``), never the global default,
and ``retries = 0``: urllib3's default of 3 retries turns a 1 s read timeout into 4 s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import urllib3

from integrations.errors import ClusterUnreachable
from integrations.kubernetes import _convert
from integrations.kubernetes.api_client import api_client
from integrations.kubernetes.config import (
    ClusterConfig,
    KubernetesSettings,
)
from integrations.kubernetes.reasons import CallContext, describe_failure
from integrations.kubernetes.resources import (
    AutoscalerInfo,
    PodInfo,
    ReplicaSetInfo,
    WarningEvent,
    WorkloadInfo,
)

__all__ = ["ClusterClient", "ClusterConnection", "ClusterSet", "KubernetesClusterClient"]

T = TypeVar("T")
_MAX_EVENTS = 1000


class ClusterClient(Protocol):
    """The only calls greenroom makes to a cluster (get/list, never secrets or config maps).

    ``namespace`` None lists across all namespaces. Failures raise ``ClusterUnreachable`` whose
    message is the reason in plain words."""

    def list_deployments(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[WorkloadInfo]: ...

    def list_statefulsets(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[WorkloadInfo]: ...

    def list_pods(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[PodInfo]: ...

    def list_autoscalers(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[AutoscalerInfo]: ...

    def list_replicasets(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[ReplicaSetInfo]: ...

    def list_warning_events(self, namespace: str, *, timeout: float) -> list[WarningEvent]: ...


class KubernetesClusterClient:
    """A ``ClusterClient`` on the official client; raises ``ClusterUnreachable`` if unusable."""

    def __init__(self, cluster: ClusterConfig, *, pool_size: int = 16) -> None:
        self.config = cluster
        from kubernetes import client
        from kubernetes.config.config_exception import ConfigException

        try:
            self._api = api_client(cluster, pool_size=pool_size)
        except (ConfigException, OSError, ValueError, urllib3.exceptions.HTTPError) as error:
            raise ClusterUnreachable(
                describe_failure(error, CallContext(cluster, host="?"))
            ) from error
        self.host = str(self._api.configuration.host)
        self._core = client.CoreV1Api(self._api)
        self._apps = client.AppsV1Api(self._api)
        self._autoscaling = client.AutoscalingV2Api(self._api)
        self._batch = client.BatchV1Api(self._api)

    def list_deployments(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[WorkloadInfo]:
        def call() -> list[WorkloadInfo]:
            options = _options(label_selector, timeout)
            response = (
                self._apps.list_namespaced_deployment(namespace, **options)
                if namespace
                else self._apps.list_deployment_for_all_namespaces(**options)
            )
            return [_convert.deployment_info(d) for d in _items(response)]

        return self._call("deployments", namespace, timeout, call)

    def list_statefulsets(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[WorkloadInfo]:
        def call() -> list[WorkloadInfo]:
            options = _options(label_selector, timeout)
            response = (
                self._apps.list_namespaced_stateful_set(namespace, **options)
                if namespace
                else self._apps.list_stateful_set_for_all_namespaces(**options)
            )
            return [_convert.statefulset_info(s) for s in _items(response)]

        return self._call("statefulsets", namespace, timeout, call)

    def list_pods(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[PodInfo]:
        def call() -> list[PodInfo]:
            options = _options(label_selector, timeout)
            response = (
                self._core.list_namespaced_pod(namespace, **options)
                if namespace
                else self._core.list_pod_for_all_namespaces(**options)
            )
            return [_convert.pod_info(p) for p in _items(response)]

        return self._call("pods", namespace, timeout, call)

    def list_autoscalers(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[AutoscalerInfo]:
        def call() -> list[AutoscalerInfo]:
            options = _options(label_selector, timeout)
            api = self._autoscaling
            response = (
                api.list_namespaced_horizontal_pod_autoscaler(namespace, **options)
                if namespace
                else api.list_horizontal_pod_autoscaler_for_all_namespaces(**options)
            )
            return [_convert.autoscaler_info(h) for h in _items(response)]

        return self._call("horizontalpodautoscalers", namespace, timeout, call)

    def list_replicasets(
        self, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[ReplicaSetInfo]:
        def call() -> list[ReplicaSetInfo]:
            options = _options(label_selector, timeout)
            response = (
                self._apps.list_namespaced_replica_set(namespace, **options)
                if namespace
                else self._apps.list_replica_set_for_all_namespaces(**options)
            )
            return [_convert.replica_set_info(r) for r in _items(response)]

        return self._call("replicasets", namespace, timeout, call)

    def list_batch(
        self, resource: str, namespace: str | None, label_selector: str, *, timeout: float
    ) -> list[dict[str, Any]]:
        """CronJobs, Jobs or their pods (``resource``) as raw JSON items, for the pipelines'
        health (integrations/pipelines picks the few fields it needs and keeps nothing else)."""
        lister = {
            "cronjobs": ("list_namespaced_cron_job", "list_cron_job_for_all_namespaces"),
            "jobs": ("list_namespaced_job", "list_job_for_all_namespaces"),
            "pods": ("list_namespaced_pod", "list_pod_for_all_namespaces"),
        }[resource]
        api: Any = self._core if resource == "pods" else self._batch

        def call() -> list[dict[str, Any]]:
            options = _options(label_selector, timeout)
            if namespace:
                return _items(getattr(api, lister[0])(namespace, **options))
            return _items(getattr(api, lister[1])(**options))

        return self._call(resource, namespace, timeout, call)

    def list_warning_events(self, namespace: str, *, timeout: float) -> list[WarningEvent]:
        def call() -> list[WarningEvent]:
            response = self._core.list_namespaced_event(
                namespace,
                field_selector="type=Warning",
                limit=_MAX_EVENTS,
                _request_timeout=(timeout, timeout),
                _preload_content=False,
            )
            return [_convert.warning_event(e) for e in _items(response)]

        return self._call("events", namespace, timeout, call)

    def close(self) -> None:
        """Drop the pooled connections."""
        self._api.close()  # type: ignore[no-untyped-call]

    def _call(
        self, resource: str, namespace: str | None, timeout: float, call: Callable[[], T]
    ) -> T:
        from kubernetes.client.exceptions import ApiException

        try:
            return call()
        except (ApiException, urllib3.exceptions.HTTPError, ValueError) as error:
            context = CallContext(self.config, self.host, resource, namespace, timeout)
            raise ClusterUnreachable(describe_failure(error, context)) from error


def _options(label_selector: str, timeout: float) -> dict[str, Any]:
    return {
        "label_selector": label_selector,
        "_request_timeout": (timeout, timeout),
        "_preload_content": False,  # raw JSON: see _convert.py for why not the client's models
    }


def _items(response: object) -> list[dict[str, Any]]:
    # With _preload_content=False the client returns urllib3's response, not the typed model.
    body = getattr(response, "data", None)
    if not isinstance(body, bytes):
        raise ValueError("no response body")
    return _convert.list_items(body)


@dataclass(frozen=True, slots=True)
class ClusterConnection:
    """A configured cluster and its client, or why no client could be made."""

    config: ClusterConfig
    client: ClusterClient | None
    error: str | None = None

    @property
    def name(self) -> str:
        return self.config.name


class ClusterSet:
    """The configured clusters, each connected once and then reused (pooled connections).

    A cluster that cannot be configured (missing kubeconfig, empty token variable) is retried
    on the next use, so fixing it needs no restart."""

    def __init__(
        self,
        settings: KubernetesSettings,
        *,
        connect: Callable[[ClusterConfig], ClusterClient] | None = None,
    ) -> None:
        self.settings = settings
        pool = max(16, settings.sweep_concurrency)
        self._connect = connect or (lambda c: KubernetesClusterClient(c, pool_size=pool))
        self._clients: dict[str, ClusterClient] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.settings.clusters]

    def connections(self) -> list[ClusterConnection]:
        """Every configured cluster, connected if possible."""
        with self._lock:
            return [self._connection(c) for c in self.settings.clusters]

    def _connection(self, cluster: ClusterConfig) -> ClusterConnection:
        existing = self._clients.get(cluster.name)
        if existing is not None:
            return ClusterConnection(cluster, existing)
        try:
            made = self._connect(cluster)
        except ClusterUnreachable as error:
            return ClusterConnection(cluster, None, error.user_message)
        self._clients[cluster.name] = made
        return ClusterConnection(cluster, made)

    def close(self) -> None:
        """Close every client that supports it."""
        with self._lock:
            for made in self._clients.values():
                close = getattr(made, "close", None)
                if callable(close):
                    close()
            self._clients.clear()
