"""Realistic Kubernetes objects (as the API server returns them) for the fake API server.

Every object carries what a real one would, including things greenroom must never show:
environment values in pod templates, ``last-applied-configuration`` annotations, Secrets and
ConfigMaps with data. ``SECRET_VALUE`` is planted in all of them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog import Entity

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SECRET_VALUE = "hunter2-s3cr3t-value"
KUBE_ID = "backstage.io/kubernetes-id"

#: One team (with a Slack channel) and its one service on Kubernetes, as catalog YAML.
ONE_SERVICE_CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-api, annotations: {backstage.io/kubernetes-id: payments-api}}
spec: {type: service, lifecycle: production, owner: payments}
"""


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uid(*parts: str) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Container:
    """A container's spec and status in one place."""

    name: str = "app"
    image: str = "registry.globex.example/payments-api:1.4.2"
    ready: bool = True
    restarts: int = 0
    waiting: tuple[str, str | None] | None = None  # (reason, message)
    running_since: datetime | None = NOW - timedelta(days=2)
    last_terminated: tuple[str, int, datetime] | None = None  # (reason, exitCode, finishedAt)
    readiness_probe: dict[str, Any] | None = None

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": self.name,
            "image": self.image,
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "env": [
                {"name": "DATABASE_PASSWORD", "value": SECRET_VALUE},
                {"name": "LOG_LEVEL", "value": "info"},
            ],
            "envFrom": [{"secretRef": {"name": "payments-api-secrets"}}],
            "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m"}},
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
        if self.readiness_probe is not None:
            spec["readinessProbe"] = {
                "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                "timeoutSeconds": 1,
                "successThreshold": 1,
                **self.readiness_probe,
            }
        return spec

    def status(self) -> dict[str, Any]:
        state: dict[str, Any]
        if self.waiting is not None:
            reason, message = self.waiting
            state = {"waiting": {"reason": reason} | ({"message": message} if message else {})}
        elif self.running_since is not None:
            state = {"running": {"startedAt": ts(self.running_since)}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        last: dict[str, Any] = {}
        if self.last_terminated is not None:
            reason, code, finished = self.last_terminated
            last = {
                "terminated": {
                    "exitCode": code,
                    "reason": reason,
                    "startedAt": ts(finished - timedelta(minutes=3)),
                    "finishedAt": ts(finished),
                    "containerID": "containerd://" + _hash(self.name + reason),
                }
            }
        return {
            "name": self.name,
            "image": self.image,
            "imageID": f"{self.image.split(':')[0]}@sha256:{_hash(self.image) * 6}"[:120],
            "ready": self.ready,
            "started": self.waiting is None,
            "restartCount": self.restarts,
            "state": state,
            "lastState": last,
            "containerID": "containerd://" + _hash(self.name),
        }


def deployment(
    name: str,
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    replicas: int = 3,
    ready: int | None = None,
    updated: int | None = None,
    image: str = "registry.globex.example/payments-api:1.4.2",
    conditions: list[dict[str, Any]] | None = None,
    created: datetime = NOW - timedelta(days=30),
) -> dict[str, Any]:
    """A Deployment with its status; ``ready`` defaults to all replicas."""
    labels = {KUBE_ID: name} if labels is None else labels
    ready = replicas if ready is None else ready
    updated = replicas if updated is None else updated
    template = {
        "metadata": {"labels": labels | {"app": name}},
        "spec": {"containers": [Container(image=image).spec()], "restartPolicy": "Always"},
    }
    if conditions is None:
        conditions = [
            condition("Available", "True", "MinimumReplicasAvailable", "has minimum availability."),
            condition(
                "Progressing", "True", "NewReplicaSetAvailable", "has successfully progressed."
            ),
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, labels, created)
        | {
            "generation": 4,
            "annotations": {
                "deployment.kubernetes.io/revision": "4",
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"kind": "Deployment", "spec": {"template": template}}
                ),
            },
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template,
            "strategy": {"type": "RollingUpdate"},
        },
        "status": {
            "observedGeneration": 4,
            "replicas": replicas,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": ready,
            **({"unavailableReplicas": replicas - ready} if ready < replicas else {}),
            "conditions": conditions,
        },
    }


def statefulset(
    name: str,
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    replicas: int = 3,
    ready: int | None = None,
    image: str = "registry.globex.example/postgres:15.6",
) -> dict[str, Any]:
    """A StatefulSet with its status."""
    labels = {KUBE_ID: name} if labels is None else labels
    ready = replicas if ready is None else ready
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta(name, namespace, labels, NOW - timedelta(days=90)) | {"generation": 1},
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels | {"app": name}},
                "spec": {"containers": [Container(name="db", image=image).spec()]},
            },
        },
        "status": {
            "observedGeneration": 1,
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
        },
    }


def pod(
    name: str,
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    owner: tuple[str, str] | None = None,
    phase: str = "Running",
    containers: tuple[Container, ...] = (Container(),),
    conditions: list[dict[str, Any]] | None = None,
    created: datetime = NOW - timedelta(days=2),
) -> dict[str, Any]:
    """A pod; ``owner=("Deployment", "x")`` makes it a pod of x's current ReplicaSet."""
    labels = dict(labels or {})
    owners = []
    if owner is not None:
        kind, owner_name = owner
        if kind == "Deployment":
            template_hash = _hash(owner_name)[:10]
            labels["pod-template-hash"] = template_hash
            kind, owner_name = "ReplicaSet", f"{owner_name}-{template_hash}"
        owners = [
            {
                "apiVersion": "apps/v1",
                "kind": kind,
                "name": owner_name,
                "uid": _uid(namespace, owner_name),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    ready = all(c.ready for c in containers) and phase == "Running"
    if conditions is None:
        conditions = [
            condition("PodScheduled", "True"),
            condition("Initialized", "True"),
            condition("ContainersReady", "True" if ready else "False"),
            condition("Ready", "True" if ready else "False"),
        ]
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": conditions,
        "qosClass": "Burstable",
        "startTime": ts(created),
    }
    if phase != "Pending" or any(c.waiting for c in containers):
        status |= {
            "hostIP": "10.0.3.17",
            "podIP": "10.244.1.23",
            "containerStatuses": [c.status() for c in containers],
        }
    spec_extra = {"nodeName": "node-a"} if phase != "Pending" else {}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(name, namespace, labels, created) | {"ownerReferences": owners},
        "spec": {
            "containers": [c.spec() for c in containers],
            "serviceAccountName": "default",
            "volumes": [{"name": "secrets", "secret": {"secretName": "payments-api-secrets"}}],
        }
        | spec_extra,
        "status": status,
    }


def pods_of(
    deployment_name: str,
    count: int,
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    containers: tuple[Container, ...] = (Container(),),
    phase: str = "Running",
    conditions: list[dict[str, Any]] | None = None,
    created: datetime = NOW - timedelta(days=2),
) -> list[dict[str, Any]]:
    """``count`` pods of a Deployment, named as its ReplicaSet would name them."""
    labels = {KUBE_ID: deployment_name} if labels is None else labels
    template_hash = _hash(deployment_name)[:10]
    return [
        pod(
            f"{deployment_name}-{template_hash}-{_hash(str(i))[:5]}",
            namespace=namespace,
            labels=labels,
            owner=("Deployment", deployment_name),
            containers=containers,
            phase=phase,
            conditions=conditions,
            created=created,
        )
        for i in range(count)
    ]


def hpa(
    name: str,
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    target: str | None = None,
    min_replicas: int = 2,
    max_replicas: int = 10,
    current: int = 3,
) -> dict[str, Any]:
    """An autoscaling/v2 HorizontalPodAutoscaler on a Deployment."""
    labels = {KUBE_ID: name} if labels is None else labels
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(name, namespace, labels, NOW - timedelta(days=30)),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": target or name,
            },
            "minReplicas": min_replicas,
            "maxReplicas": max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
        "status": {
            "currentReplicas": current,
            "desiredReplicas": current,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": 64}},
                }
            ],
            "conditions": [condition("AbleToScale", "True", "ReadyForNewScale")],
        },
    }


def event(
    kind: str,
    name: str,
    reason: str,
    message: str,
    *,
    namespace: str = "payments",
    count: int = 1,
    last_seen: datetime = NOW - timedelta(minutes=2),
    type_: str = "Warning",
) -> dict[str, Any]:
    """A core/v1 Event about one object."""
    event_name = f"{name}.{_hash(reason + message)[:16]}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": _meta(event_name, namespace, {}, last_seen - timedelta(minutes=30)),
        "involvedObject": {
            "kind": kind,
            "namespace": namespace,
            "name": name,
            "uid": _uid(namespace, name),
            "apiVersion": "v1" if kind == "Pod" else "apps/v1",
        },
        "reason": reason,
        "message": message,
        "source": {"component": "kubelet", "host": "node-a"},
        "firstTimestamp": ts(last_seen - timedelta(minutes=30)),
        "lastTimestamp": ts(last_seen),
        "count": count,
        "type": type_,
        "eventTime": None,
        "reportingComponent": "kubelet",
        "reportingInstance": "node-a",
    }


def secret(name: str, *, namespace: str = "payments") -> dict[str, Any]:
    """A Secret with data (greenroom must never ask for these)."""
    import base64

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(name, namespace, {}, NOW - timedelta(days=30)),
        "type": "Opaque",
        "data": {"DATABASE_PASSWORD": base64.b64encode(SECRET_VALUE.encode()).decode()},
    }


def config_map(name: str, *, namespace: str = "payments") -> dict[str, Any]:
    """A ConfigMap with data (greenroom must never ask for these)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace, {}, NOW - timedelta(days=30)),
        "data": {"settings.yaml": f"password: {SECRET_VALUE}\n"},
    }


def healthy_service(
    name: str,
    *,
    namespace: str = "payments",
    replicas: int = 3,
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A Deployment, its pods and an HPA, all fine."""
    labels = {KUBE_ID: name} if labels is None else labels
    return [
        deployment(name, namespace=namespace, labels=labels, replicas=replicas),
        *pods_of(name, replicas, namespace=namespace, labels=labels),
        hpa(name, namespace=namespace, labels=labels, current=replicas),
    ]


def condition(
    type_: str, status: str, reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "type": type_,
        "status": status,
        "lastTransitionTime": ts(NOW - timedelta(days=2)),
    }
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _meta(name: str, namespace: str, labels: dict[str, str], created: datetime) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "uid": _uid(namespace, name),
        "resourceVersion": "4242",
        "creationTimestamp": ts(created),
        "labels": labels,
    }


def component(name: str, annotations: dict[str, str] | None = None) -> Entity:
    """A catalog Component with these annotations."""
    return Entity.model_validate(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name, "annotations": annotations or {}},
            "spec": {"type": "service", "lifecycle": "production", "owner": "group:payments-core"},
        }
    )


def annotated(name: str, **extra: str) -> Entity:
    """A Component found by ``backstage.io/kubernetes-id: <name>``; ``namespace=`` adds the
    namespace annotation."""
    annotations = {KUBE_ID: name}
    if "namespace" in extra:
        annotations["backstage.io/kubernetes-namespace"] = extra.pop("namespace")
    return component(name, annotations | extra)


# --- batch/v1: CronJobs, their Jobs and the Jobs' pods (data pipelines) ----------------------
def cronjob(
    name: str,
    *,
    namespace: str = "data",
    schedule: str = "0 3 * * *",
    time_zone: str | None = "Etc/UTC",
    suspend: bool = False,
    last_schedule: datetime | None = None,
    last_success: datetime | None = None,
    active: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
    memory_limit: str = "512Mi",
) -> dict[str, Any]:
    """A CronJob as ``kubectl get cronjob -o json`` shows it (env values planted, as usual)."""
    labels = {KUBE_ID: name} if labels is None else labels
    container = Container(name="job", image=f"registry.globex.example/{name}:2.0.1").spec()
    container.pop("ports")
    container["resources"] = {"limits": {"memory": memory_limit}, "requests": {"cpu": "100m"}}
    spec: dict[str, Any] = {
        "schedule": schedule,
        "suspend": suspend,
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 900,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 5,
        "jobTemplate": {
            "metadata": {"labels": labels},
            "spec": {
                "backoffLimit": 2,
                "activeDeadlineSeconds": 3600,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"restartPolicy": "Never", "containers": [container]},
                },
            },
        },
    }
    if time_zone:
        spec["timeZone"] = time_zone
    status: dict[str, Any] = {}
    if last_schedule is not None:
        status["lastScheduleTime"] = ts(last_schedule)
    if last_success is not None:
        status["lastSuccessfulTime"] = ts(last_success)
    if active:
        status["active"] = [
            {"kind": "Job", "namespace": namespace, "name": job, "apiVersion": "batch/v1"}
            for job in active
        ]
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(name, namespace, labels, NOW - timedelta(days=40))
        | {
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"spec": {"jobTemplate": {"env": SECRET_VALUE}}}
                )
            }
        },
        "spec": spec,
        "status": status,
    }


def job(
    name: str,
    *,
    cronjob_name: str | None = None,
    namespace: str = "data",
    started: datetime = NOW - timedelta(hours=9),
    outcome: str = "Complete",  # Complete, Failed, Running
    reason: str | None = None,  # BackoffLimitExceeded, DeadlineExceeded
    took: timedelta = timedelta(minutes=4),
    labels: dict[str, str] | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """A Job (of a CronJob when ``cronjob_name``) that completed, failed or is running, with
    the selector and controller-uid labels the API server generated for it."""
    labels = dict({KUBE_ID: cronjob_name or name} if labels is None else labels)
    own_labels = dict(labels)
    labels |= {"batch.kubernetes.io/job-name": name, "job-name": name}
    owners = []
    if cronjob_name:
        owners = [
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cronjob_name,
                "uid": _uid(namespace, cronjob_name),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    status: dict[str, Any] = {"startTime": ts(started)}
    ended = started + took
    if outcome == "Complete":
        status |= {"succeeded": 1, "completionTime": ts(ended)}
        status["conditions"] = [
            condition("SuccessCriteriaMet", "True", "CompletionsReached"),
            condition("Complete", "True", "CompletionsReached"),
        ]
    elif outcome == "Failed":
        status |= {"failed": 3}
        message = "Job has reached the specified backoff limit"
        status["conditions"] = [
            condition("FailureTarget", "True", reason or "BackoffLimitExceeded", message),
            condition("Failed", "True", reason or "BackoffLimitExceeded", message),
        ]
        for item in status["conditions"]:
            item["lastTransitionTime"] = ts(ended)
    else:
        status |= {"active": 1, "ready": 1}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(name, namespace, labels, started) | {"ownerReferences": owners},
        "spec": _job_spec(
            name, namespace, own_labels, image or f"registry.globex.example/{name}:2.0.1"
        ),
        "status": status,
    }


def _job_spec(name: str, namespace: str, labels: dict[str, str], image: str) -> dict[str, Any]:
    uid = _uid(namespace, name)
    generated = {"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid}
    generated |= {"batch.kubernetes.io/job-name": name, "job-name": name}
    return {
        "backoffLimit": 2,
        "completions": 1,
        "parallelism": 1,
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
        "template": {
            "metadata": {"labels": labels | generated},
            "spec": {
                "containers": [Container(name="job", image=image).spec()],
                "restartPolicy": "Never",
            },
        },
    }


def job_pod(
    job_name: str,
    *,
    namespace: str = "data",
    labels: dict[str, str] | None = None,
    terminated: tuple[str, int] | None = ("OOMKilled", 137),
    attempt: int = 0,
    finished: datetime = NOW - timedelta(hours=9),
) -> dict[str, Any]:
    """A pod of a Job; ``terminated=(reason, exitCode)`` is how its container ended."""
    labels = dict(labels or {}) | {"batch.kubernetes.io/job-name": job_name, "job-name": job_name}
    created = finished - timedelta(minutes=3)
    made = pod(
        f"{job_name}-{_hash(f'{job_name}{attempt}')[:5]}",
        namespace=namespace,
        labels=labels,
        owner=("Job", job_name),
        phase="Failed" if terminated else "Running",
        containers=(Container(name="job", ready=False, running_since=None),),
        created=created,
    )
    if terminated is not None:
        reason, code = terminated
        for status in made["status"].get("containerStatuses", []):
            status["state"] = {
                "terminated": {
                    "exitCode": code,
                    "reason": reason,
                    "startedAt": ts(created),
                    "finishedAt": ts(finished),
                }
            }
            status["started"] = False
    return made


# --- apps/v1 revision history: a Deployment, its ReplicaSets and the pods of the newest ------
def rolled_out(
    name: str,
    images: tuple[str, ...],
    *,
    namespace: str = "payments",
    labels: dict[str, str] | None = None,
    replicas: int = 3,
    containers: tuple[Container, ...] | None = None,
) -> list[dict[str, Any]]:
    """A Deployment rolled out once per image in ``images`` (revision 1, 2, ...): it, one
    ReplicaSet per revision (as the controller keeps them, the old ones at 0 replicas) and
    ``replicas`` pods of the newest, running ``containers`` (the last image, healthy, if unset)."""
    from bot.loopback.kubernetes_writes import REVISION, replica_set

    current = deployment(
        name, namespace=namespace, labels=labels, replicas=replicas, image=images[-1]
    )
    current["metadata"]["annotations"][REVISION] = str(len(images))
    sets = []
    for revision, image in enumerate(images, start=1):
        then = deployment(name, namespace=namespace, labels=labels, image=image)
        rs = replica_set(current, revision, template=then["spec"]["template"])
        if revision < len(images):
            rs["spec"]["replicas"] = rs["status"]["replicas"] = 0
        sets.append(rs)
    newest = sets[-1]
    template_hash = newest["metadata"]["labels"]["pod-template-hash"]
    running = containers or (Container(image=images[-1]),)
    pods = [
        pod(
            f"{newest['metadata']['name']}-{_hash(str(i))[:5]}",
            namespace=namespace,
            labels=(current["metadata"]["labels"] | {"pod-template-hash": template_hash}),
            owner=("ReplicaSet", newest["metadata"]["name"]),
            containers=running,
        )
        for i in range(replicas)
    ]
    return [current, *sets, *pods]
