"""Health findings: Backstage's error-detection rules plus greenroom's own, in plain words.

Backstage's rules (``kubernetes-common/src/error-detection``): ``container-waiting`` (only when
the waiting state has a message), ``containers-restarting`` (OOMKilled / Error / Unknown last
state), ``readiness-probe-taking-too-long``, ``condition-message-present`` (Deployment
conditions that are False with a message) and ``hpa-max-current-replicas``. Ours:
``hpa-close-to-max`` (>= 90 % of max), ``replicas-unavailable``, ``pod-pending``,
``pod-unschedulable`` and ``repeated-warning-events`` (BackOff, FailedScheduling, Unhealthy,
FailedMount). Differences from Backstage: pod problems are reported once per workload (pod
names change on every rollout, the Deployment does not), a container already in a crash loop is
not reported again as "restarting", and probe timing uses Kubernetes' defaults when unset.

A Deployment's crash loop carries ``new_image`` when every crashing pod runs the current
revision and that revision changed the image (from its ReplicaSets): the fix then says to roll
back, and the Slack answer offers "Roll back" instead of "Restart".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from integrations.kubernetes.finding import Finding, ImageChange, Severity, sort_findings
from integrations.kubernetes.resources import (
    ClusterObjects,
    ContainerInfo,
    ObjectRef,
    PodInfo,
    WarningEvent,
)

__all__ = ["find_problems"]

CLOSE_TO_MAX = 0.9
PENDING_GRACE = timedelta(minutes=5)
REPEATED = 3
_EVENT_REASONS = {"BackOff", "FailedScheduling", "Unhealthy", "FailedMount"}
_COVERED_BY = {  # an event adds nothing when this finding already names the same object
    "BackOff": {"container-waiting", "containers-restarting"},
    "FailedScheduling": {"pod-unschedulable"},
    "Unhealthy": {"readiness-probe-taking-too-long"},
    "FailedMount": {"pod-pending"},
}
_MAX_PODS = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def find_problems(
    cluster: str,
    objects: ClusterObjects,
    *,
    now: datetime,
    recent: timedelta = timedelta(hours=1),
) -> list[Finding]:
    """Every finding about one cluster's objects, worst first."""
    owners = {(p.namespace, p.name): _owner(cluster, p) for p in objects.pods}
    per_pod = [
        (owners[(pod.namespace, pod.name)], pod.name, finding)
        for pod in objects.pods
        for finding in _pod_findings(cluster, pod, now, recent, objects.events)
    ]
    findings = _with_image_changes(_merge(per_pod, owners), objects)
    findings += _workload_findings(cluster, objects)
    findings += _autoscaler_findings(cluster, objects)
    findings += _event_findings(cluster, objects, owners, findings)
    return sort_findings(findings)


def _owner(cluster: str, pod: PodInfo) -> ObjectRef:
    if pod.owner_kind and pod.owner_name and pod.owner_kind != "ReplicaSet":
        return ObjectRef(cluster, pod.namespace, pod.owner_kind, pod.owner_name)
    return ObjectRef(cluster, pod.namespace, "Pod", pod.name)


def _merge(
    per_pod: list[tuple[ObjectRef, str, Finding]], owners: dict[tuple[str, str], ObjectRef]
) -> list[Finding]:
    """Pod findings become one finding per workload, listing the pods it affects."""
    groups: dict[tuple[ObjectRef, str, str], list[str]] = defaultdict(list)
    first: dict[tuple[ObjectRef, str, str], Finding] = {}
    for owner, pod, finding in per_pod:
        key = (owner, finding.rule, finding.detail)
        groups[key].append(pod)
        first.setdefault(key, finding)
    total = Counter(owners.values())
    merged = []
    for key, names in groups.items():
        owner, pods = key[0], tuple(sorted(names))
        title = first[key].title
        if owner.kind != "Pod" and total[owner] > 1:
            title += f" ({len(pods)} of {total[owner]} pods)"
        merged.append(
            replace(
                first[key], object=owner, title=title, pods=pods[:_MAX_PODS], pod_count=len(pods)
            )
        )
    return merged


def _with_image_changes(findings: list[Finding], objects: ClusterObjects) -> list[Finding]:
    """Crash loops that began with a new image say so, and which image rolling back restores."""
    changes = _image_changes(objects)
    marked = []
    for f in findings:
        change = changes.get((f.object.namespace, f.object.name))
        if f.object.kind != "Deployment" or change is None or not _crash_loop(f):
            marked.append(f)
            continue
        new, old = ", ".join(change.images), ", ".join(change.previous_images)
        marked.append(
            replace(
                f,
                new_image=change,
                explanation=f"{f.explanation} It began with revision {change.revision}, which "
                f"changed the image from {old} to {new}.",
                fix=f"Roll back to revision {change.previous_revision} (image {old}): kubectl "
                f"rollout undo deployment/{f.object.name} -n {f.object.namespace}. Then: {f.fix}",
            )
        )
    return marked


def _crash_loop(f: Finding) -> bool:
    return f.rule == "container-waiting" and f.detail.endswith(":CrashLoopBackOff")


def _image_changes(objects: ClusterObjects) -> dict[tuple[str, str], ImageChange]:
    """Per Deployment whose crashing pods all belong to its current revision: that revision
    and the one before it, when their images differ (a crash loop that came with a new image;
    the same image crashing again is not fixed by going back)."""
    crashing: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for pod in objects.pods:
        if (
            pod.owner_kind == "Deployment"
            and pod.owner_name
            and any(c.waiting_reason == "CrashLoopBackOff" for c in pod.containers)
        ):
            crashing[(pod.namespace, pod.owner_name)].add(pod.replica_set)
    changes = {}
    for w in objects.deployments:
        key = (w.namespace, w.name)
        if key not in crashing or w.rollout_revision is None:
            continue
        history = {
            rs.revision: rs
            for rs in objects.replica_sets
            if rs.namespace == w.namespace and rs.owner_name == w.name and rs.revision is not None
        }
        current = history.get(w.rollout_revision)
        earlier = [r for r in history if r < w.rollout_revision]
        if current is None or not earlier or crashing[key] != {current.name}:
            continue
        previous = history[max(earlier)]
        if previous.images != current.images:
            changes[key] = ImageChange(
                current.revision or w.rollout_revision,
                current.images,
                max(earlier),
                previous.images,
            )
    return changes


def _pod_findings(
    cluster: str, pod: PodInfo, now: datetime, recent: timedelta, events: tuple[WarningEvent, ...]
) -> Iterator[Finding]:
    me = ObjectRef(cluster, pod.namespace, "Pod", pod.name)
    waiting = False
    for container in pod.containers:
        if container.waiting_message is not None:
            waiting = True
            yield _waiting(me, pod, container)
        elif container.restart_count > 0 and container.last_terminated_reason in {
            "OOMKilled",
            "Error",
            "Unknown",
        }:
            yield _restarting(me, container, now, recent)
        if _readiness_overdue(container, now):
            probe = container.readiness_probe
            assert probe is not None
            allowed = probe.initial_delay_seconds + probe.period_seconds * probe.failure_threshold
            yield Finding(
                "readiness-probe-taking-too-long",
                Severity.WARNING,
                me,
                f"Container {container.name} runs but never became ready",
                f"Its readiness probe still fails more than {allowed} s after it started, so it "
                "gets no traffic. It is not crashing.",
                "Check the readiness endpoint and the container's startup logs; if it only needs "
                "longer to start, raise the probe's initialDelaySeconds.",
                detail=container.name,
            )
    if not waiting and pod.phase == "Pending" and _older_than(pod.created_at, now, PENDING_GRACE):
        yield _pending(me, pod, now, events)


def _waiting(me: ObjectRef, pod: PodInfo, c: ContainerInfo) -> Finding:
    reason = c.waiting_reason or "Waiting"
    said = f"Kubernetes says: {c.waiting_message}"
    logs = f"kubectl logs -n {pod.namespace} {pod.name} -c {c.name} --previous"
    if reason == "CrashLoopBackOff":
        oom = c.last_terminated_reason == "OOMKilled"
        return Finding(
            "container-waiting",
            Severity.CRITICAL,
            me,
            f"Container {c.name} keeps crashing (CrashLoopBackOff)",
            f"It exits soon after starting, so Kubernetes restarts it with a growing delay "
            f"(restarted {c.restart_count} times"
            + (", last killed for using too much memory). " if oom else "). ")
            + said,
            "Raise its memory limit, or find what makes it use more memory."
            if oom
            else f"Read the logs of the crashed run ({logs}) and fix the error it shows.",
            detail=f"{c.name}:{reason}",
        )
    if reason in {"ImagePullBackOff", "ErrImagePull", "InvalidImageName"}:
        return Finding(
            "container-waiting",
            Severity.CRITICAL,
            me,
            f"The image of container {c.name} cannot be pulled ({reason})",
            f"The image {c.image} does not exist, or the cluster may not pull it. {said}",
            "Check that the image name and tag exist in the registry and that the pod's "
            "imagePullSecrets give access to it.",
            detail=f"{c.name}:{reason}",
        )
    if reason in {"CreateContainerConfigError", "CreateContainerError"}:
        return Finding(
            "container-waiting",
            Severity.CRITICAL,
            me,
            f"Container {c.name} cannot start: its configuration is missing ({reason})",
            f"A ConfigMap, Secret or key it refers to does not exist or does not match. {said}",
            "Create the missing ConfigMap or Secret (or key), or fix the reference in the "
            "manifest.",
            detail=f"{c.name}:{reason}",
        )
    return Finding(
        "container-waiting",
        Severity.WARNING,
        me,
        f"Container {c.name} is waiting ({reason})",
        said,
        f"See what it waits for: kubectl describe pod -n {pod.namespace} {pod.name}",
        detail=f"{c.name}:{reason}",
    )


def _restarting(me: ObjectRef, c: ContainerInfo, now: datetime, recent: timedelta) -> Finding:
    fresh = c.last_terminated_at is None or not _older_than(c.last_terminated_at, now, recent)
    severity = Severity.WARNING if fresh else Severity.INFO
    when = (
        ""
        if fresh or c.last_terminated_at is None
        else f" (last on {c.last_terminated_at:%Y-%m-%d %H:%M} UTC)"
    )
    if c.last_terminated_reason == "OOMKilled":
        return Finding(
            "containers-restarting",
            severity,
            me,
            f"Container {c.name} was killed for using too much memory (OOMKilled)",
            f"It restarted {c.restart_count} times{when}; the last time it went over its memory "
            "limit.",
            "Raise the container's memory limit, or make the application use less memory.",
            detail=f"{c.name}:OOMKilled",
        )
    return Finding(
        "containers-restarting",
        severity,
        me,
        f"Container {c.name} keeps exiting with an error",
        f"It restarted {c.restart_count} times{when}; the last run ended with exit code "
        f"{c.last_exit_code} ({c.last_terminated_reason}).",
        "Read the logs of the previous run (kubectl logs --previous) for the stack trace.",
        detail=f"{c.name}:{c.last_terminated_reason}",
    )


def _readiness_overdue(c: ContainerInfo, now: datetime) -> bool:
    probe = c.readiness_probe
    if c.ready or c.started_at is None or probe is None:
        return False
    allowed = probe.initial_delay_seconds + probe.period_seconds * probe.failure_threshold
    return c.started_at + timedelta(seconds=allowed) < now


def _pending(
    me: ObjectRef, pod: PodInfo, now: datetime, events: tuple[WarningEvent, ...]
) -> Finding:
    minutes = int((now - pod.created_at).total_seconds() // 60) if pod.created_at else 0
    scheduled = pod.condition("PodScheduled")
    if scheduled and scheduled.status == "False" and scheduled.reason == "Unschedulable":
        return Finding(
            "pod-unschedulable",
            Severity.WARNING,
            me,
            "Pods cannot be scheduled on any node",
            f"Pending for {minutes} min: {scheduled.message or 'no node fits it'}",
            "Lower the pod's CPU/memory requests, add nodes, or fix its nodeSelector, "
            "affinity or tolerations.",
        )
    cause = next(
        (e.message for e in events if e.object_kind == "Pod" and e.object_name == pod.name),
        None,
    )
    return Finding(
        "pod-pending",
        Severity.WARNING,
        me,
        "Pods are stuck in Pending",
        f"Scheduled but not started for {minutes} min"
        + (f". Last warning: {cause}" if cause else "."),
        f"See what it waits for (volumes, init containers, images): "
        f"kubectl describe pod -n {pod.namespace} {pod.name}",
    )


def _workload_findings(cluster: str, objects: ClusterObjects) -> list[Finding]:
    found = []
    for w in objects.workloads:
        me = ObjectRef(cluster, w.namespace, w.kind, w.name)
        if w.kind == "Deployment":
            for c in w.conditions:
                if c.status == "False" and c.message:
                    found.append(
                        Finding(
                            "condition-message-present",
                            Severity.CRITICAL if c.type == "Available" else Severity.WARNING,
                            me,
                            f"Deployment {w.name}: {c.type} is False ({c.reason or 'no reason'})",
                            f"Kubernetes says: {c.message}",
                            _CONDITION_FIX.get(c.reason or "", _CONDITION_FIX[""]).format(w=w),
                            detail=c.type,
                        )
                    )
        missing = w.desired - w.ready
        rolling = w.updated < w.desired or (w.observed_generation or 0) < (w.generation or 0)
        if missing > 0 and (w.ready == 0 or not rolling):
            found.append(
                Finding(
                    "replicas-unavailable",
                    Severity.CRITICAL if w.ready == 0 else Severity.WARNING,
                    me,
                    f"{w.kind} {w.name}: {missing} of {w.desired} replicas not ready",
                    "None of its replicas is ready: the service is down here."
                    if w.ready == 0
                    else f"Only {w.ready} of {w.desired} replicas are ready, so it runs with "
                    "less capacity and redundancy than intended.",
                    "The pod findings say why; otherwise: "
                    f"kubectl describe {w.kind.lower()} -n {w.namespace} {w.name}",
                )
            )
    return found


_CONDITION_FIX = {
    "ProgressDeadlineExceeded": "The rollout is stuck: fix what the new pods report, or roll "
    "back with kubectl rollout undo deployment/{w.name} -n {w.namespace}.",
    "MinimumReplicasUnavailable": "Fewer replicas are available than required: see the pod "
    "findings for why.",
    "FailedCreate": "Pods cannot be created (quota, admission policy or service account): "
    "read the message and fix the manifest or the quota.",
    "": "Read the message; kubectl describe deployment/{w.name} -n {w.namespace} shows more.",
}


def _autoscaler_findings(cluster: str, objects: ClusterObjects) -> list[Finding]:
    found = []
    for h in objects.autoscalers:
        me = ObjectRef(cluster, h.namespace, "HorizontalPodAutoscaler", h.name)
        current, top = h.current_replicas, h.max_replicas
        if current is None or top <= 0:
            continue
        target = f"{h.target_kind} {h.target_name}"
        if current == top:
            found.append(
                Finding(
                    "hpa-max-current-replicas",
                    Severity.WARNING,
                    me,
                    f"{target} is at its autoscaling limit ({current} of max {top} replicas)",
                    "The autoscaler cannot add replicas if the load grows further.",
                    "Raise maxReplicas, or make each replica handle more load.",
                )
            )
        elif current >= CLOSE_TO_MAX * top:
            found.append(
                Finding(
                    "hpa-close-to-max",
                    Severity.INFO,
                    me,
                    f"{target} is close to its autoscaling limit ({current} of max {top})",
                    f"It runs at {current * 100 // top} % of the replicas it may scale to.",
                    "If load keeps growing, raise maxReplicas before it is reached.",
                )
            )
    return found


def _event_findings(
    cluster: str,
    objects: ClusterObjects,
    owners: dict[tuple[str, str], ObjectRef],
    existing: list[Finding],
) -> list[Finding]:
    by_rs = {(p.namespace, p.replica_set): owners[(p.namespace, p.name)] for p in objects.pods}
    grouped: dict[tuple[ObjectRef, str], list[WarningEvent]] = defaultdict(list)
    for event in objects.events:
        if event.reason not in _EVENT_REASONS:
            continue
        key = (event.namespace, event.object_name)
        if event.object_kind == "Pod":
            if key not in owners:
                continue  # about a pod that is gone
            target = owners[key]
        elif event.object_kind == "ReplicaSet" and key in by_rs:
            target = by_rs[key]
        else:
            target = ObjectRef(cluster, event.namespace, event.object_kind, event.object_name)
        grouped[(target, event.reason)].append(event)
    rules_on: dict[ObjectRef, set[str]] = defaultdict(set)
    for f in existing:
        rules_on[f.object].add(f.rule)
    found = []
    for (target, reason), events in sorted(grouped.items()):
        count = sum(e.count for e in events)
        if count < REPEATED or rules_on[target] & _COVERED_BY[reason]:
            continue
        latest = max(events, key=lambda e: e.last_seen or _EPOCH)
        found.append(
            Finding(
                "repeated-warning-events",
                Severity.WARNING,
                target,
                f"{target.kind} {target.name}: {count} {reason} warnings recently",
                f"Latest: {latest.message}",
                _EVENT_FIX[reason],
                detail=reason,
            )
        )
    return found


_EVENT_FIX = {
    "BackOff": "A container keeps failing to start: read its logs (kubectl logs --previous).",
    "FailedScheduling": "No node fits the pods: lower their requests, add nodes, or fix "
    "nodeSelector, affinity or tolerations.",
    "Unhealthy": "A probe keeps failing: check the endpoint it calls and whether its timeouts "
    "suit the application.",
    "FailedMount": "A volume cannot be mounted: check that the PersistentVolumeClaim, "
    "ConfigMap or Secret it names exists.",
}


def _older_than(moment: datetime | None, now: datetime, age: timedelta) -> bool:
    return moment is not None and now - moment > age
