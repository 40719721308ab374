"""Writing to clusters for actions, on the official ``kubernetes`` client: each configured
cluster gets its own ``ApiClient`` (never the global default, ``retries = 0``), and every
answer is read as raw JSON, as the health checks do.

The API server's refusals become words: 403 names the verb and the Role to grant, 409 says
someone changed the object meanwhile, 404 that it is gone."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import urllib3

from integrations.actions.errors import ActionFailed, ActionRefused
from integrations.kubernetes.api_client import api_client
from integrations.kubernetes.config import ClusterConfig, KubernetesSettings

if TYPE_CHECKING:
    from kubernetes.client.exceptions import ApiException

__all__ = ["ClusterWriter", "ClusterWriters"]

T = TypeVar("T")
RBAC_HINT = "grant greenroom's actions Role (deploy/kubernetes/actions, see docs/actions.md)"


class ClusterWriter:
    """Reads and writes one cluster, for actions only."""

    def __init__(self, cluster: ClusterConfig, *, timeout: float) -> None:
        self.name = cluster.name
        self.config = cluster
        self.timeout = timeout
        from kubernetes import client
        from kubernetes.config.config_exception import ConfigException

        try:
            self._api = api_client(cluster)
        except (ConfigException, OSError, ValueError) as error:
            raise ActionFailed(f"Cluster {cluster.name} cannot be configured: {error}") from None
        self._apps = client.AppsV1Api(self._api)
        self._batch = client.BatchV1Api(self._api)
        self._autoscaling = client.AutoscalingV2Api(self._api)

    def namespaces(self, wanted: str | None) -> list[str | None]:
        """The namespaces to look in (``None`` = all), within the cluster's allowlist."""
        allow = self.config.namespaces
        if wanted is not None:
            return [wanted] if allow is None or wanted in allow else []
        return [None] if allow is None else list(allow)

    # -- reads ----------------------------------------------------------------------------
    def list(self, kind: str, namespace: str | None, selector: str) -> list[dict[str, Any]]:
        """Objects of ``kind`` matching a label selector."""
        apis: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
            "Deployment": (
                self._apps.list_namespaced_deployment,
                self._apps.list_deployment_for_all_namespaces,
            ),
            "StatefulSet": (
                self._apps.list_namespaced_stateful_set,
                self._apps.list_stateful_set_for_all_namespaces,
            ),
            "ReplicaSet": (
                self._apps.list_namespaced_replica_set,
                self._apps.list_replica_set_for_all_namespaces,
            ),
            "CronJob": (
                self._batch.list_namespaced_cron_job,
                self._batch.list_cron_job_for_all_namespaces,
            ),
            "Job": (self._batch.list_namespaced_job, self._batch.list_job_for_all_namespaces),
            "HorizontalPodAutoscaler": (
                self._autoscaling.list_namespaced_horizontal_pod_autoscaler,
                self._autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces,
            ),
        }
        namespaced, everywhere = apis[kind]
        options = self._options(label_selector=selector)

        def call() -> list[dict[str, Any]]:
            answer = namespaced(namespace, **options) if namespace else everywhere(**options)
            items = _json(answer).get("items") or []
            return [i for i in items if isinstance(i, dict)]

        return self._call(f"list {kind}s", namespace, call)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any]:
        """One object, as the API server holds it now."""
        readers: dict[str, Callable[..., Any]] = {
            "Deployment": self._apps.read_namespaced_deployment,
            "StatefulSet": self._apps.read_namespaced_stateful_set,
            "CronJob": self._batch.read_namespaced_cron_job,
            "Job": self._batch.read_namespaced_job,
        }
        return self._call(
            f"read {kind} {name}",
            namespace,
            lambda: _json(readers[kind](name, namespace, **self._options())),
        )

    # -- writes ---------------------------------------------------------------------------
    def patch(self, kind: str, namespace: str, name: str, body: Any) -> dict[str, Any]:
        """A strategic-merge patch (a dict) or a JSON patch (a list of operations)."""
        patchers: dict[str, Callable[..., Any]] = {
            "Deployment": self._apps.patch_namespaced_deployment,
            "StatefulSet": self._apps.patch_namespaced_stateful_set,
            "CronJob": self._batch.patch_namespaced_cron_job,
        }
        return self._call(
            f"patch {kind} {name}",
            namespace,
            lambda: _json(patchers[kind](name, namespace, body, **self._options())),
        )

    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> dict[str, Any]:
        """Set replicas through the ``scale`` subresource (what ``kubectl scale`` does)."""
        scalers: dict[str, Callable[..., Any]] = {
            "Deployment": self._apps.patch_namespaced_deployment_scale,
            "StatefulSet": self._apps.patch_namespaced_stateful_set_scale,
        }
        body = {"spec": {"replicas": replicas}}
        return self._call(
            f"scale {kind} {name}",
            namespace,
            lambda: _json(scalers[kind](name, namespace, body, **self._options())),
        )

    def create_job(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create a Job."""
        return self._call(
            "create a Job",
            namespace,
            lambda: _json(
                self._batch.create_namespaced_job(namespace, body, **self._options())  # type: ignore[arg-type]
            ),
        )

    def close(self) -> None:
        self._api.close()  # type: ignore[no-untyped-call]

    def _options(self, **extra: Any) -> dict[str, Any]:
        return {
            "_request_timeout": (self.timeout, self.timeout),
            "_preload_content": False,
            **extra,
        }

    def _call(self, doing: str, namespace: str | None, call: Callable[[], T]) -> T:
        from kubernetes.client.exceptions import ApiException

        where = f"namespace {namespace}" if namespace else "all namespaces"
        try:
            return call()
        except ApiException as error:
            raise ActionFailed(_refusal(error, doing, self.name, where)) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise ActionFailed(
                f"Cluster {self.name} did not answer while trying to {doing} "
                f"({type(error).__name__}); nothing was changed by this call."
            ) from None
        except ValueError:
            raise ActionFailed(
                f"Cluster {self.name} answered something that is not Kubernetes JSON while "
                f"trying to {doing}."
            ) from None


class ClusterWriters:
    """The configured clusters' writers, each made once and reused."""

    def __init__(
        self,
        settings: KubernetesSettings,
        *,
        timeout: float,
        connect: Callable[[ClusterConfig], ClusterWriter] | None = None,
    ) -> None:
        self.settings = settings
        self._connect = connect or (lambda c: ClusterWriter(c, timeout=timeout))
        self._made: dict[str, ClusterWriter] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.settings.clusters]

    def get(self, name: str) -> ClusterWriter:
        """The writer of cluster ``name``; ActionRefused when no such cluster is configured."""
        with self._lock:
            if name in self._made:
                return self._made[name]
            found = next((c for c in self.settings.clusters if c.name == name), None)
            if found is None:
                known = ", ".join(self.names) or "none"
                raise ActionRefused(f"No cluster named {name[:63]!r}; configured: {known}.")
            self._made[name] = self._connect(found)
            return self._made[name]

    def close(self) -> None:
        with self._lock:
            for writer in self._made.values():
                writer.close()
            self._made.clear()


def _json(answer: object) -> dict[str, Any]:
    body = getattr(answer, "data", None)
    if not isinstance(body, bytes):
        raise ValueError("no response body")
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _refusal(error: ApiException, doing: str, cluster: str, where: str) -> str:
    status = error.status or 0
    said = ""
    try:
        body = json.loads(error.body or b"{}")
        said = " ".join(str(body.get("message") or "").split())[:300]
    except (ValueError, AttributeError):
        pass
    if status == 403:
        return (
            f"Cluster {cluster} refused to {doing} in {where} (403 Forbidden): greenroom's "
            f"service account lacks the permission; {RBAC_HINT}."
        )
    if status == 409:
        return (
            f"Cluster {cluster} refused to {doing} (409 Conflict): it was changed by someone "
            f"else meanwhile or already exists. Nothing was changed; look again and retry."
        )
    if status == 404:
        return f"Cluster {cluster} has no such object in {where} any more (404); nothing changed."
    if status == 401:
        return f"Cluster {cluster} rejected greenroom's credentials (401 Unauthorized)."
    detail = f": {said}" if said else ""
    return f"Cluster {cluster} refused to {doing} ({status} {error.reason or ''}{detail})."
