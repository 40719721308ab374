"""Each finding, from objects served by the fake API server and read by the real client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from integrations.kubernetes import (
    ClusterSet,
    Finding,
    HealthStatus,
    KubernetesHealth,
    ObjectRef,
    Severity,
    check_health,
)

NOW = k.NOW
APP = "payments-api"
DEPLOYMENT = ObjectRef("prod-eu", "payments", "Deployment", APP)


def check(api: FakeKubernetesApi, clusters: ClusterSet, *objects: dict) -> KubernetesHealth:
    api.add(*objects)
    return check_health(clusters, k.annotated(APP, namespace="payments"), now=NOW)


def only(health: KubernetesHealth, rule: str) -> Finding:
    found = [f for f in health.findings if f.rule == rule]
    assert len(found) == 1, health.findings
    return found[0]


def with_pods(*containers: k.Container, replicas: int = 3, broken: int = 1) -> list[dict]:
    """A deployment whose first ``broken`` pods have ``containers``; the rest are fine."""
    pods = k.pods_of(APP, replicas)
    for pod in pods[:broken]:
        pod["status"]["containerStatuses"] = [c.status() for c in containers]
        pod["spec"]["containers"] = [c.spec() for c in containers]
    return [k.deployment(APP, replicas=replicas), *pods]


@pytest.fixture
def api(fake_api: FakeKubernetesApi) -> FakeKubernetesApi:
    return fake_api


def test_crash_loop_is_critical_and_reported_once_for_the_deployment(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    crashing = k.Container(
        ready=False,
        restarts=14,
        waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container=app pod=x"),
        last_terminated=("Error", 1, NOW - timedelta(minutes=1)),
    )

    health = check(api, clusters, *with_pods(crashing, broken=2))

    finding = only(health, "container-waiting")
    assert finding.severity is Severity.CRITICAL
    assert finding.object == DEPLOYMENT
    assert finding.title == "Container app keeps crashing (CrashLoopBackOff) (2 of 3 pods)"
    assert "back-off 5m0s restarting failed container=app" in finding.explanation
    assert "kubectl logs -n payments" in finding.fix and "--previous" in finding.fix
    assert finding.pod_count == 2
    assert not [f for f in health.findings if f.rule == "containers-restarting"]
    assert health.status is HealthStatus.FAILING


def test_crash_loop_after_out_of_memory_proposes_more_memory(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    crashing = k.Container(
        ready=False,
        restarts=6,
        waiting=("CrashLoopBackOff", "back-off 2m40s restarting failed container=app"),
        last_terminated=("OOMKilled", 137, NOW - timedelta(minutes=2)),
    )

    finding = only(check(api, clusters, *with_pods(crashing)), "container-waiting")

    assert "too much memory" in finding.explanation
    assert finding.fix.startswith("Raise its memory limit")


def test_image_pull_back_off_names_the_image(api: FakeKubernetesApi, clusters: ClusterSet) -> None:
    pulling = k.Container(
        image="registry.globex.example/payments-api:1.5.0-typo",
        ready=False,
        waiting=(
            "ImagePullBackOff",
            'Back-off pulling image "registry.globex.example/payments-api:1.5.0-typo"',
        ),
        running_since=None,
    )

    finding = only(check(api, clusters, *with_pods(pulling)), "container-waiting")

    assert finding.severity is Severity.CRITICAL
    assert finding.title.startswith(
        "The image of container app cannot be pulled (ImagePullBackOff)"
    )
    assert "payments-api:1.5.0-typo does not exist" in finding.explanation
    assert "imagePullSecrets" in finding.fix


def test_create_container_config_error_points_at_the_missing_config(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    blocked = k.Container(
        ready=False,
        waiting=("CreateContainerConfigError", 'secret "payments-api-secrets" not found'),
        running_since=None,
    )

    finding = only(check(api, clusters, *with_pods(blocked)), "container-waiting")

    assert finding.severity is Severity.CRITICAL
    assert 'secret "payments-api-secrets" not found' in finding.explanation
    assert "Create the missing ConfigMap or Secret" in finding.fix


def test_waiting_without_a_message_is_not_a_finding_as_in_backstage(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    quiet = k.Container(
        ready=False, waiting=("CreateContainerConfigError", None), running_since=None
    )

    health = check(api, clusters, *with_pods(quiet))

    assert not [f for f in health.findings if f.rule == "container-waiting"]


def test_recent_out_of_memory_restarts_are_a_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    restarted = k.Container(
        restarts=3, last_terminated=("OOMKilled", 137, NOW - timedelta(minutes=9))
    )

    health = check(api, clusters, *with_pods(restarted))

    finding = only(health, "containers-restarting")
    assert finding.severity is Severity.WARNING
    assert (
        finding.title
        == "Container app was killed for using too much memory (OOMKilled) (1 of 3 pods)"
    )
    assert "restarted 3 times" in finding.explanation
    assert "memory limit" in finding.fix
    assert health.status is HealthStatus.DEGRADED


def test_error_exits_name_the_exit_code(api: FakeKubernetesApi, clusters: ClusterSet) -> None:
    restarted = k.Container(restarts=2, last_terminated=("Error", 2, NOW - timedelta(minutes=5)))

    finding = only(check(api, clusters, *with_pods(restarted)), "containers-restarting")

    assert "exit code 2 (Error)" in finding.explanation
    assert "kubectl logs --previous" in finding.fix


def test_old_restarts_are_only_information_and_keep_the_service_healthy(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    restarted = k.Container(restarts=1, last_terminated=("OOMKilled", 137, NOW - timedelta(days=3)))

    health = check(api, clusters, *with_pods(restarted))

    assert only(health, "containers-restarting").severity is Severity.INFO
    assert health.status is HealthStatus.HEALTHY


def test_readiness_probe_failing_past_its_allowance_is_a_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    unready = k.Container(
        ready=False,
        running_since=NOW - timedelta(minutes=10),
        readiness_probe={"initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 3},
    )

    finding = only(check(api, clusters, *with_pods(unready)), "readiness-probe-taking-too-long")

    assert finding.severity is Severity.WARNING
    assert "more than 60 s after it started" in finding.explanation


def test_readiness_probe_still_within_its_allowance_is_not_a_finding(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    starting = k.Container(
        ready=False,
        running_since=NOW - timedelta(seconds=20),
        readiness_probe={"initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 3},
    )

    health = check(api, clusters, *with_pods(starting))

    assert not [f for f in health.findings if f.rule == "readiness-probe-taking-too-long"]


def test_deployment_condition_false_with_a_message_is_reported(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    stuck = k.deployment(
        APP,
        replicas=3,
        ready=3,
        conditions=[
            k.condition("Available", "True", "MinimumReplicasAvailable", "ok"),
            k.condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                'ReplicaSet "payments-api-5d8f" has timed out progressing.',
            ),
        ],
    )

    finding = only(check(api, clusters, stuck, *k.pods_of(APP, 3)), "condition-message-present")

    assert finding.severity is Severity.WARNING
    assert (
        finding.title == "Deployment payments-api: Progressing is False (ProgressDeadlineExceeded)"
    )
    assert "has timed out progressing" in finding.explanation
    assert "kubectl rollout undo deployment/payments-api -n payments" in finding.fix


def test_deployment_not_available_is_critical(api: FakeKubernetesApi, clusters: ClusterSet) -> None:
    down = k.deployment(
        APP,
        replicas=2,
        ready=0,
        conditions=[
            k.condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        ],
    )

    health = check(api, clusters, down)

    assert only(health, "condition-message-present").severity is Severity.CRITICAL
    replicas = only(health, "replicas-unavailable")
    assert replicas.severity is Severity.CRITICAL
    assert replicas.title == "Deployment payments-api: 2 of 2 replicas not ready"
    assert "service is down here" in replicas.explanation


def test_some_replicas_unavailable_is_a_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(api, clusters, k.deployment(APP, replicas=3, ready=2), *k.pods_of(APP, 3))

    finding = only(health, "replicas-unavailable")
    assert finding.severity is Severity.WARNING
    assert "Only 2 of 3 replicas are ready" in finding.explanation


def test_a_rollout_in_progress_is_not_reported_as_unavailable(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    rolling = k.deployment(APP, replicas=3, ready=2, updated=1)

    health = check(api, clusters, rolling, *k.pods_of(APP, 3))

    assert not [f for f in health.findings if f.rule == "replicas-unavailable"]


def test_statefulset_missing_replicas_is_reported(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(api, clusters, k.statefulset(APP, replicas=3, ready=1))

    finding = only(health, "replicas-unavailable")
    assert finding.object == ObjectRef("prod-eu", "payments", "StatefulSet", APP)


def test_autoscaler_at_its_maximum_is_a_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(
        api,
        clusters,
        *k.healthy_service(APP),
        k.hpa(f"{APP}-burst", target=APP, max_replicas=6, current=6, labels={k.KUBE_ID: APP}),
    )

    finding = only(health, "hpa-max-current-replicas")
    assert finding.severity is Severity.WARNING
    assert (
        finding.title == "Deployment payments-api is at its autoscaling limit (6 of max 6 replicas)"
    )
    assert finding.object.kind == "HorizontalPodAutoscaler"


def test_autoscaler_at_90_percent_is_close_to_its_limit(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(
        api, clusters, k.deployment(APP, replicas=9), k.hpa(APP, max_replicas=10, current=9)
    )

    finding = only(health, "hpa-close-to-max")
    assert finding.severity is Severity.INFO
    assert "close to its autoscaling limit (9 of max 10)" in finding.title
    assert health.status is HealthStatus.HEALTHY


def test_autoscaler_with_headroom_is_not_a_finding(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(
        api, clusters, k.deployment(APP, replicas=8), k.hpa(APP, max_replicas=10, current=8)
    )

    assert health.findings == ()


def test_pod_pending_for_long_is_reported_with_the_latest_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    waiting = k.Container(ready=False, running_since=None)
    pending = k.pods_of(
        APP, 1, phase="Pending", containers=(waiting,), created=NOW - timedelta(minutes=12)
    )
    mount = k.event(
        "Pod",
        pending[0]["metadata"]["name"],
        "FailedMount",
        'MountVolume.SetUp failed for volume "certs" : secret "payments-tls" not found',
        count=7,
    )

    health = check(api, clusters, k.deployment(APP, replicas=1, ready=0), *pending, mount)

    finding = only(health, "pod-pending")
    assert finding.severity is Severity.WARNING
    assert "for 12 min" in finding.explanation
    assert 'secret "payments-tls" not found' in finding.explanation
    assert not [f for f in health.findings if f.rule == "repeated-warning-events"]


def test_unschedulable_pod_gives_the_scheduler_reason(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    unscheduled = k.pods_of(
        APP,
        1,
        phase="Pending",
        created=NOW - timedelta(minutes=30),
        conditions=[
            k.condition(
                "PodScheduled",
                "False",
                "Unschedulable",
                "0/5 nodes are available: 5 Insufficient cpu.",
            )
        ],
    )

    finding = only(check(api, clusters, *unscheduled), "pod-unschedulable")

    assert "0/5 nodes are available: 5 Insufficient cpu." in finding.explanation
    assert "requests" in finding.fix


def test_a_pod_pending_for_a_minute_is_not_yet_a_finding(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fresh = k.pods_of(
        APP,
        1,
        phase="Pending",
        containers=(k.Container(ready=False, running_since=None),),
        created=NOW - timedelta(minutes=1),
    )

    health = check(api, clusters, *fresh)

    assert health.findings == ()


def test_repeated_unhealthy_events_are_a_warning(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    pods = k.pods_of(APP, 2)
    probe = k.event(
        "Pod",
        pods[0]["metadata"]["name"],
        "Unhealthy",
        "Liveness probe failed: HTTP probe failed with statuscode: 503",
        count=4,
    )

    health = check(api, clusters, k.deployment(APP, replicas=2), *pods, probe)

    finding = only(health, "repeated-warning-events")
    assert finding.object == DEPLOYMENT
    assert finding.title == "Deployment payments-api: 4 Unhealthy warnings recently"
    assert "statuscode: 503" in finding.explanation


@pytest.mark.parametrize(
    ("count", "age", "about_live_pod"),
    [
        (2, timedelta(minutes=2), True),
        (9, timedelta(hours=3), True),
        (9, timedelta(minutes=2), False),
    ],
    ids=["too-few", "too-old", "pod-gone"],
)
def test_events_that_are_rare_old_or_about_gone_pods_are_ignored(
    api: FakeKubernetesApi, clusters: ClusterSet, count: int, age: timedelta, about_live_pod: bool
) -> None:
    pods = k.pods_of(APP, 1)
    name = pods[0]["metadata"]["name"] if about_live_pod else f"{APP}-old-pod"
    noise = k.event(
        "Pod",
        name,
        "BackOff",
        "Back-off restarting failed container",
        count=count,
        last_seen=NOW - age,
    )

    health = check(api, clusters, k.deployment(APP, replicas=1), *pods, noise)

    assert health.findings == ()


def test_back_off_events_add_nothing_to_a_crash_loop_finding(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    crashing = k.Container(ready=False, restarts=5, waiting=("CrashLoopBackOff", "back-off 1m20s"))
    objects = with_pods(crashing, replicas=1)
    back_off = k.event(
        "Pod",
        objects[1]["metadata"]["name"],
        "BackOff",
        "Back-off restarting failed container",
        count=12,
    )

    health = check(api, clusters, *objects, back_off)

    assert [f.rule for f in health.findings] == ["container-waiting"]


def test_findings_come_worst_first(api: FakeKubernetesApi, clusters: ClusterSet) -> None:
    crashing = k.Container(ready=False, restarts=5, waiting=("CrashLoopBackOff", "back-off"))
    health = check(
        api,
        clusters,
        *with_pods(crashing),
        k.hpa(APP, max_replicas=10, current=9),
        k.hpa("worker", target="worker", max_replicas=4, current=4, labels={k.KUBE_ID: APP}),
    )

    assert [f.severity for f in health.findings] == [
        Severity.CRITICAL,
        Severity.WARNING,
        Severity.INFO,
    ]
    assert (
        health.headline == "Container app keeps crashing (CrashLoopBackOff) (1 of 3 pods) (+2 more)"
    )


def test_a_finding_survives_its_json_form_unchanged(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check(api, clusters, k.deployment(APP, replicas=3, ready=1))

    finding = health.findings[0]
    assert Finding.from_json(finding.to_json()) == finding


OLD, NEW = (
    "registry.globex.example/payments-api:1.4.2",
    "registry.globex.example/payments-api:1.5.0",
)


def crash_looping(image: str) -> k.Container:
    return k.Container(
        image=image,
        ready=False,
        restarts=9,
        waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container=app"),
        last_terminated=("Error", 1, NOW - timedelta(minutes=1)),
    )


def test_a_crash_loop_that_came_with_a_new_image_names_the_image_to_go_back_to(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    objects = k.rolled_out(APP, (OLD, NEW), containers=(crash_looping(NEW),))

    finding = only(check(api, clusters, *objects), "container-waiting")

    assert finding.new_image is not None
    assert (finding.new_image.revision, finding.new_image.images) == (2, (NEW,))
    assert (finding.new_image.previous_revision, finding.new_image.previous_images) == (1, (OLD,))
    assert f"began with revision 2, which changed the image from {OLD} to {NEW}" in (
        finding.explanation
    )
    assert finding.fix.startswith(f"Roll back to revision 1 (image {OLD}): kubectl rollout undo")
    assert Finding.from_json(finding.to_json()) == finding  # the sweep stores and reloads it


def test_a_crash_loop_on_the_same_image_as_before_is_no_reason_to_roll_back(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    objects = k.rolled_out(APP, (NEW, NEW), containers=(crash_looping(NEW),))

    finding = only(check(api, clusters, *objects), "container-waiting")

    assert finding.new_image is None
    assert "Roll back" not in finding.fix


def test_a_crash_loop_without_revision_history_or_of_older_pods_is_not_tied_to_an_image(
    api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    crashing = crash_looping(NEW)
    first = k.rolled_out(APP, (NEW,), containers=(crashing,))  # revision 1: nothing before it
    assert only(check(api, clusters, *first), "container-waiting").new_image is None

    api.clear()
    objects = k.rolled_out(APP, (OLD, NEW), containers=(crashing,))
    older = next(o for o in objects if o["kind"] == "ReplicaSet")["metadata"]
    objects.append(  # a pod of revision 1 crashes too: the loop did not begin with 1.5.0
        k.pod(
            f"{older['name']}-zzzzz",
            labels=older["labels"],
            owner=("ReplicaSet", older["name"]),
            containers=(crash_looping(OLD),),
        )
    )
    assert only(check(api, clusters, *objects), "container-waiting").new_image is None
