"""The API server's JSON -> greenroom's small dataclasses (``resources.py``).

greenroom asks the official client for the raw body (``_preload_content=False``) instead of
its pydantic models: those cost about 1.3 ms per realistic pod (measured; 1,000 pods would eat
half of a slash command's budget under the GIL), and one object missing a field the models
require makes the whole list call fail. Here every field is read defensively: a value of the
wrong type counts as absent, and nothing beyond what ``resources.py`` holds is kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from integrations.kubernetes.resources import (
    REVISION_ANNOTATIONS,
    AutoscalerInfo,
    Condition,
    ContainerInfo,
    PodInfo,
    ReadinessProbe,
    ReplicaSetInfo,
    WarningEvent,
    WorkloadInfo,
)

__all__ = [
    "autoscaler_info",
    "clip",
    "deployment_info",
    "list_items",
    "pod_info",
    "replica_set_info",
    "statefulset_info",
    "warning_event",
]

_MAX_TEXT = 400  # messages come from the cluster: keep them short enough for Slack
_TEMPLATE_HASH = "pod-template-hash"
ROLLOUT_REVISION = "deployment.kubernetes.io/revision"
_Json = dict[str, Any]


def list_items(body: bytes) -> list[_Json]:
    """The ``items`` of a ``*List`` body; ValueError when it is not one."""
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise ValueError("not a Kubernetes list")
    return [item for item in data.get("items") or [] if isinstance(item, dict)]


def clip(text: object) -> str | None:
    """A cluster-supplied message, one line, at most ``_MAX_TEXT`` characters."""
    if not isinstance(text, str):
        return None
    line = " ".join(text.split())
    return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…"


def _obj(value: object, *path: str) -> _Json:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _objs(value: object) -> list[_Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _labels(meta: _Json) -> dict[str, str]:
    return {k: v for k, v in _obj(meta, "labels").items() if isinstance(v, str)}


def _conditions(status: _Json) -> tuple[Condition, ...]:
    return tuple(
        Condition(
            _str(c.get("type")) or "",
            _str(c.get("status")) or "",
            _str(c.get("reason")),
            clip(c.get("message")),
        )
        for c in _objs(status.get("conditions"))
    )


def pod_info(pod: _Json) -> PodInfo:
    """A pod; a Deployment's pod is attributed to the Deployment (via pod-template-hash)."""
    meta, status = _obj(pod, "metadata"), _obj(pod, "status")
    labels = _labels(meta)
    owner = next((o for o in _objs(meta.get("ownerReferences")) if o.get("controller")), {})
    owner_kind, owner_name = _str(owner.get("kind")), _str(owner.get("name"))
    replica_set = None
    template_hash = labels.get(_TEMPLATE_HASH)
    if owner_kind == "ReplicaSet" and owner_name:
        # A Deployment's pods belong to "<deployment>-<pod-template-hash>"; no need to read RSs.
        replica_set = owner_name
        if template_hash and owner_name.endswith("-" + template_hash):
            owner_kind, owner_name = "Deployment", owner_name[: -len(template_hash) - 1]
    specs = {_str(c.get("name")): c for c in _objs(_obj(pod, "spec").get("containers"))}
    statuses = _objs(status.get("containerStatuses"))
    containers = tuple(_container(specs.get(_str(s.get("name"))) or {}, s) for s in statuses)
    return PodInfo(
        name=_str(meta.get("name")) or "",
        namespace=_str(meta.get("namespace")) or "",
        labels=labels,
        created_at=_time(meta.get("creationTimestamp")),
        phase=_str(status.get("phase")),
        owner_kind=owner_kind,
        owner_name=owner_name,
        replica_set=replica_set,
        conditions=_conditions(status),
        containers=containers
        or tuple(
            ContainerInfo(name or "", _str(c.get("image")) or "") for name, c in specs.items()
        ),
    )


def _container(spec: _Json, status: _Json) -> ContainerInfo:
    state, last = _obj(status, "state"), _obj(status, "lastState")
    waiting, terminated = _obj(state, "waiting"), _obj(last, "terminated")
    probe = _obj(spec, "readinessProbe") if "readinessProbe" in spec else None
    return ContainerInfo(
        name=_str(status.get("name")) or "",
        image=_str(spec.get("image")) or _str(status.get("image")) or "",
        ready=status.get("ready") is True,
        restart_count=_int(status.get("restartCount")),
        started_at=_time(_obj(state, "running").get("startedAt")),
        waiting_reason=_str(waiting.get("reason")),
        waiting_message=clip(waiting.get("message")),
        last_terminated_reason=_str(terminated.get("reason")),
        last_exit_code=_opt_int(terminated.get("exitCode")),
        last_terminated_at=_time(terminated.get("finishedAt")),
        readiness_probe=ReadinessProbe(
            _int(probe.get("initialDelaySeconds")),
            _int(probe.get("periodSeconds"), 10) or 10,
            _int(probe.get("failureThreshold"), 3) or 3,
        )
        if probe is not None
        else None,
    )


def _workload(kind: str, item: _Json) -> WorkloadInfo:
    meta, spec, status = _obj(item, "metadata"), _obj(item, "spec"), _obj(item, "status")
    desired = _int(spec.get("replicas"), 1)
    available = _int(status.get("availableReplicas"))
    unavailable = (
        _int(status.get("unavailableReplicas"))
        if kind == "Deployment"
        else max(desired - available, 0)
    )
    return WorkloadInfo(
        kind=kind,
        name=_str(meta.get("name")) or "",
        namespace=_str(meta.get("namespace")) or "",
        labels=_labels(meta),
        created_at=_time(meta.get("creationTimestamp")),
        desired=desired,
        ready=_int(status.get("readyReplicas")),
        updated=_int(status.get("updatedReplicas")),
        unavailable=unavailable,
        generation=_opt_int(meta.get("generation")),
        observed_generation=_opt_int(status.get("observedGeneration")),
        conditions=_conditions(status),
        images=_images(_obj(spec, "template")),
        revision=_revision(meta, _obj(spec, "template", "metadata")),
        rollout_revision=_rollout_revision(meta) if kind == "Deployment" else None,
    )


def _rollout_revision(meta: _Json) -> int | None:
    value = _str(_obj(meta, "annotations").get(ROLLOUT_REVISION)) or ""
    return int(value) if value.isdigit() and len(value) < 10 else None


def _images(template: _Json) -> tuple[str, ...]:
    containers = _objs(_obj(template, "spec").get("containers"))
    return tuple(_str(c.get("image")) or "" for c in containers)


def replica_set_info(item: _Json) -> ReplicaSetInfo:
    """A ReplicaSet: its Deployment, revision and images (nothing else of its template)."""
    meta, spec = _obj(item, "metadata"), _obj(item, "spec")
    owner = next((o for o in _objs(meta.get("ownerReferences")) if o.get("controller")), {})
    return ReplicaSetInfo(
        name=_str(meta.get("name")) or "",
        namespace=_str(meta.get("namespace")) or "",
        owner_name=_str(owner.get("name")) if owner.get("kind") == "Deployment" else None,
        revision=_rollout_revision(meta),
        images=_images(_obj(spec, "template")),
        labels=_labels(meta),
        replicas=_int(spec.get("replicas")),
    )


def _revision(*metas: _Json) -> str | None:
    for meta in metas:
        annotations = _obj(meta, "annotations")
        for key in REVISION_ANNOTATIONS:
            value = _str(annotations.get(key))
            if value and value.strip():
                return value.strip()[:200]
    return None


def deployment_info(item: _Json) -> WorkloadInfo:
    return _workload("Deployment", item)


def statefulset_info(item: _Json) -> WorkloadInfo:
    return _workload("StatefulSet", item)


def autoscaler_info(item: _Json) -> AutoscalerInfo:
    meta, spec, status = _obj(item, "metadata"), _obj(item, "spec"), _obj(item, "status")
    target = _obj(spec, "scaleTargetRef")
    return AutoscalerInfo(
        name=_str(meta.get("name")) or "",
        namespace=_str(meta.get("namespace")) or "",
        labels=_labels(meta),
        target_kind=_str(target.get("kind")) or "",
        target_name=_str(target.get("name")) or "",
        max_replicas=_int(spec.get("maxReplicas")),
        min_replicas=_opt_int(spec.get("minReplicas")),
        current_replicas=_opt_int(status.get("currentReplicas")),
        desired_replicas=_opt_int(status.get("desiredReplicas")),
    )


def warning_event(item: _Json) -> WarningEvent:
    meta, involved, series = (
        _obj(item, "metadata"),
        _obj(item, "involvedObject"),
        _obj(item, "series"),
    )
    last_seen = (
        _time(series.get("lastObservedTime"))
        or _time(item.get("lastTimestamp"))
        or _time(item.get("eventTime"))
        or _time(item.get("firstTimestamp"))
        or _time(meta.get("creationTimestamp"))
    )
    return WarningEvent(
        namespace=_str(involved.get("namespace")) or _str(meta.get("namespace")) or "",
        object_kind=_str(involved.get("kind")) or "",
        object_name=_str(involved.get("name")) or "",
        reason=_str(item.get("reason")) or "",
        message=clip(item.get("message")) or "",
        count=_int(series.get("count")) or _int(item.get("count")) or 1,
        last_seen=last_seen,
    )
