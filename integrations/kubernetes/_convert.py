"""The official client's models -> greenroom's small dataclasses (``resources.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from kubernetes.client import (
    CoreV1Event,
    V1Container,
    V1ContainerStatus,
    V1Deployment,
    V1ObjectMeta,
    V1Pod,
    V1StatefulSet,
    V2HorizontalPodAutoscaler,
)

from integrations.kubernetes.resources import (
    AutoscalerInfo,
    Condition,
    ContainerInfo,
    PodInfo,
    ReadinessProbe,
    WarningEvent,
    WorkloadInfo,
)

_MAX_TEXT = 400  # messages come from the cluster: keep them short enough for Slack
_TEMPLATE_HASH = "pod-template-hash"


def clip(text: str | None) -> str | None:
    """A cluster-supplied message, one line, at most ``_MAX_TEXT`` characters."""
    if text is None:
        return None
    line = " ".join(text.split())
    return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…"


class _ConditionLike(Protocol):
    @property
    def type(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...


def _conditions(items: Sequence[_ConditionLike] | None) -> tuple[Condition, ...]:
    return tuple(
        Condition(c.type or "", c.status or "", c.reason, clip(c.message)) for c in items or ()
    )


def _meta(meta: V1ObjectMeta | None) -> tuple[str, str, dict[str, str], datetime | None]:
    if meta is None:
        return "", "", {}, None
    return meta.name or "", meta.namespace or "", dict(meta.labels or {}), meta.creation_timestamp


def pod_info(pod: V1Pod) -> PodInfo:
    name, namespace, labels, created = _meta(pod.metadata)
    owner = next(
        (
            o
            for o in (pod.metadata.owner_references if pod.metadata else None) or []
            if o.controller
        ),
        None,
    )
    owner_kind = owner.kind if owner else None
    owner_name = owner.name if owner else None
    replica_set: str | None = None
    template_hash = labels.get(_TEMPLATE_HASH)
    if owner_kind == "ReplicaSet" and owner_name:
        # A Deployment's pods belong to "<deployment>-<pod-template-hash>"; no need to read RSs.
        replica_set = owner_name
        if template_hash and owner_name.endswith("-" + template_hash):
            owner_kind, owner_name = "Deployment", owner_name[: -len(template_hash) - 1]
    specs = {c.name: c for c in (pod.spec.containers if pod.spec else [])}
    status = pod.status
    statuses = (status.container_statuses if status else None) or []
    return PodInfo(
        name=name,
        namespace=namespace,
        labels=labels,
        created_at=created,
        phase=status.phase if status else None,
        owner_kind=owner_kind,
        owner_name=owner_name,
        replica_set=replica_set,
        conditions=_conditions(status.conditions if status else None),
        containers=tuple(_container(specs.get(s.name), s) for s in statuses)
        or tuple(ContainerInfo(c.name, c.image or "") for c in specs.values()),
    )


def _container(spec: V1Container | None, status: V1ContainerStatus) -> ContainerInfo:
    state, last = status.state, status.last_state
    waiting = state.waiting if state else None
    terminated = last.terminated if last else None
    probe = spec.readiness_probe if spec else None
    return ContainerInfo(
        name=status.name,
        image=(spec.image if spec and spec.image else status.image),
        ready=status.ready,
        restart_count=status.restart_count,
        started_at=state.running.started_at if state and state.running else None,
        waiting_reason=waiting.reason if waiting else None,
        waiting_message=clip(waiting.message) if waiting else None,
        last_terminated_reason=terminated.reason if terminated else None,
        last_exit_code=terminated.exit_code if terminated else None,
        last_terminated_at=terminated.finished_at if terminated else None,
        readiness_probe=ReadinessProbe(
            probe.initial_delay_seconds or 0,
            probe.period_seconds or 10,
            probe.failure_threshold or 3,
        )
        if probe
        else None,
    )


def deployment_info(deployment: V1Deployment) -> WorkloadInfo:
    name, namespace, labels, created = _meta(deployment.metadata)
    spec, status = deployment.spec, deployment.status
    desired = spec.replicas if spec and spec.replicas is not None else 1
    return WorkloadInfo(
        kind="Deployment",
        name=name,
        namespace=namespace,
        labels=labels,
        created_at=created,
        desired=desired,
        ready=(status.ready_replicas or 0) if status else 0,
        updated=(status.updated_replicas or 0) if status else 0,
        unavailable=(status.unavailable_replicas or 0) if status else 0,
        generation=deployment.metadata.generation if deployment.metadata else None,
        observed_generation=status.observed_generation if status else None,
        conditions=_conditions(status.conditions if status else None),
        images=tuple(c.image or "" for c in spec.template.spec.containers)
        if spec and spec.template.spec
        else (),
    )


def statefulset_info(statefulset: V1StatefulSet) -> WorkloadInfo:
    name, namespace, labels, created = _meta(statefulset.metadata)
    spec, status = statefulset.spec, statefulset.status
    desired = spec.replicas if spec and spec.replicas is not None else 1
    ready = (status.ready_replicas or 0) if status else 0
    return WorkloadInfo(
        kind="StatefulSet",
        name=name,
        namespace=namespace,
        labels=labels,
        created_at=created,
        desired=desired,
        ready=ready,
        updated=(status.updated_replicas or 0) if status else 0,
        unavailable=max(desired - ((status.available_replicas or 0) if status else 0), 0),
        generation=statefulset.metadata.generation if statefulset.metadata else None,
        observed_generation=status.observed_generation if status else None,
        conditions=_conditions(status.conditions if status else None),
        images=tuple(c.image or "" for c in spec.template.spec.containers)
        if spec and spec.template.spec
        else (),
    )


def autoscaler_info(hpa: V2HorizontalPodAutoscaler) -> AutoscalerInfo:
    name, namespace, labels, _ = _meta(hpa.metadata)
    spec, status = hpa.spec, hpa.status
    return AutoscalerInfo(
        name=name,
        namespace=namespace,
        labels=labels,
        target_kind=spec.scale_target_ref.kind if spec else "",
        target_name=spec.scale_target_ref.name if spec else "",
        max_replicas=spec.max_replicas if spec else 0,
        min_replicas=spec.min_replicas if spec else None,
        current_replicas=status.current_replicas if status else None,
        desired_replicas=status.desired_replicas if status else None,
    )


def warning_event(event: CoreV1Event) -> WarningEvent:
    involved = event.involved_object
    series = event.series
    last_seen = (
        (series.last_observed_time if series else None)
        or event.last_timestamp
        or event.event_time
        or event.first_timestamp
        or event.metadata.creation_timestamp
    )
    count = (series.count if series and series.count else None) or event.count or 1
    return WarningEvent(
        namespace=involved.namespace or event.metadata.namespace or "",
        object_kind=involved.kind or "",
        object_name=involved.name or "",
        reason=event.reason or "",
        message=clip(event.message) or "",
        count=count,
        last_seen=last_seen,
    )
