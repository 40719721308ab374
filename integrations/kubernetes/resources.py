"""What greenroom keeps of the Kubernetes objects it reads: only the fields the findings and
the summary need. Pod specs carry environment values and annotations can carry applied
manifests, so neither is ever copied here; nothing below can hold a secret."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "REVISION_ANNOTATIONS",
    "AutoscalerInfo",
    "ClusterObjects",
    "Condition",
    "ContainerInfo",
    "ObjectRef",
    "PodInfo",
    "ReadinessProbe",
    "ReplicaSetInfo",
    "WarningEvent",
    "WorkloadInfo",
]


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """One Kubernetes object, named the way people say it: cluster/namespace/kind/name."""

    cluster: str
    namespace: str
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.cluster}/{self.namespace}/{self.kind.lower()}/{self.name}"


@dataclass(frozen=True, slots=True)
class Condition:
    """A status condition (``Available``, ``PodScheduled``, ...)."""

    type: str
    status: str
    reason: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ReadinessProbe:
    """The timing of a readiness probe, with Kubernetes' defaults filled in."""

    initial_delay_seconds: int = 0
    period_seconds: int = 10
    failure_threshold: int = 3


@dataclass(frozen=True, slots=True)
class ContainerInfo:
    """A container's spec (image, probe) joined with its status."""

    name: str
    image: str
    ready: bool = False
    restart_count: int = 0
    started_at: datetime | None = None
    waiting_reason: str | None = None
    waiting_message: str | None = None
    last_terminated_reason: str | None = None
    last_exit_code: int | None = None
    last_terminated_at: datetime | None = None
    readiness_probe: ReadinessProbe | None = None


@dataclass(frozen=True, slots=True)
class PodInfo:
    """A pod; ``owner`` is the workload it belongs to (Deployment via its ReplicaSet)."""

    name: str
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    phase: str | None = None
    owner_kind: str | None = None
    owner_name: str | None = None
    replica_set: str | None = None
    conditions: tuple[Condition, ...] = ()
    containers: tuple[ContainerInfo, ...] = ()

    def condition(self, type_: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == type_), None)


@dataclass(frozen=True, slots=True)
class WorkloadInfo:
    """A Deployment or StatefulSet: desired and ready replicas, conditions, images."""

    kind: str
    name: str
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    desired: int = 1
    ready: int = 0
    updated: int = 0
    unavailable: int = 0
    generation: int | None = None
    observed_generation: int | None = None
    conditions: tuple[Condition, ...] = ()
    images: tuple[str, ...] = ()
    #: the source commit its manifests declare (``REVISION_ANNOTATIONS``), never other
    #: annotations: those can carry whole applied manifests
    revision: str | None = None
    #: a Deployment's rollout revision (``deployment.kubernetes.io/revision``), which its
    #: ReplicaSets carry too: how a crash loop is tied to the rollout that began it
    rollout_revision: int | None = None

    def condition(self, type_: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == type_), None)


#: where a workload (or its pod template) may say which commit its image was built from: the
#: OCI image label's name, copied by the build into the manifests, or greenroom's own key
REVISION_ANNOTATIONS = ("org.opencontainers.image.revision", "greenroom.dev/commit")


@dataclass(frozen=True, slots=True)
class ReplicaSetInfo:
    """A Deployment's ReplicaSet: one revision of its pod template, kept for ``rollout undo``.
    Only the revision and the images are kept (a template carries environment values)."""

    name: str
    namespace: str
    owner_name: str | None
    revision: int | None
    images: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    replicas: int = 0


@dataclass(frozen=True, slots=True)
class AutoscalerInfo:
    """A HorizontalPodAutoscaler (autoscaling/v2) and the workload it scales."""

    name: str
    namespace: str
    target_kind: str
    target_name: str
    max_replicas: int
    labels: Mapping[str, str] = field(default_factory=dict)
    min_replicas: int | None = None
    current_replicas: int | None = None
    desired_replicas: int | None = None


@dataclass(frozen=True, slots=True)
class WarningEvent:
    """A Warning event about one object, with how often and when it was last seen."""

    namespace: str
    object_kind: str
    object_name: str
    reason: str
    message: str = ""
    count: int = 1
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClusterObjects:
    """Everything read about one service in one cluster."""

    deployments: tuple[WorkloadInfo, ...] = ()
    statefulsets: tuple[WorkloadInfo, ...] = ()
    pods: tuple[PodInfo, ...] = ()
    autoscalers: tuple[AutoscalerInfo, ...] = ()
    events: tuple[WarningEvent, ...] = ()
    #: the Deployments' revision history (not workloads of their own: never listed or counted)
    replica_sets: tuple[ReplicaSetInfo, ...] = ()

    @property
    def workloads(self) -> tuple[WorkloadInfo, ...]:
        return self.deployments + self.statefulsets

    @property
    def empty(self) -> bool:
        return not (self.workloads or self.pods or self.autoscalers)
