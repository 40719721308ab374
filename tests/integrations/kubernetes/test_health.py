"""``check_health`` end to end: the real ``kubernetes`` client against fake API servers."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.context import to_jsonable
from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from catalog import InvalidEntity
from integrations.kubernetes import (
    NOT_ANNOTATED,
    ClusterSet,
    ClusterState,
    ClusterSummary,
    HealthStatus,
    KubernetesHealth,
    KubernetesSettings,
    check_health,
)
from tests.integrations.kubernetes.conftest import MakeClusters

NOW = k.NOW


def cluster(health: KubernetesHealth, name: str) -> ClusterSummary:
    return next(c for c in health.clusters if c.name == name)


def test_healthy_service_lists_its_workload_and_is_all_healthy(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert health.status is HealthStatus.HEALTHY
    assert health.findings == ()
    assert health.headline == "all healthy"
    [namespace] = cluster(health, "prod-eu").namespaces
    assert namespace.name == "payments"
    [row] = namespace.workloads
    assert (row.kind, row.name, row.ready, row.desired, row.restarts) == (
        "Deployment",
        "payments-api",
        3,
        3,
        0,
    )
    assert row.autoscaler is not None
    assert (row.autoscaler.current, row.autoscaler.max) == (3, 10)
    assert row.image_tags == ("1.4.2",)
    assert row.age_seconds == 30 * 86400


def test_statefulsets_and_bare_pods_are_listed_too(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(
        k.statefulset("ledger-db", labels={k.KUBE_ID: "ledger"}, replicas=2, ready=2),
        k.pod("ledger-migrate", labels={k.KUBE_ID: "ledger"}),
    )

    health = check_health(clusters, k.annotated("ledger"), now=NOW)

    rows = {(w.kind, w.name): w for w in cluster(health, "prod-eu").namespaces[0].workloads}
    assert rows[("StatefulSet", "ledger-db")].ready == 2
    assert rows[("StatefulSet", "ledger-db")].image_tags == ("15.6",)
    assert rows[("Pod", "ledger-migrate")].desired == 1


def test_entity_without_kubernetes_annotations_gets_a_clear_answer_and_no_calls(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("legacy-billing"))

    health = check_health(clusters, k.component("legacy-billing"), now=NOW)

    assert health.status is HealthStatus.UNKNOWN
    assert health.message == NOT_ANNOTATED
    assert fake_api.requests == []


def test_kubernetes_id_annotation_is_used_instead_of_the_name(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("pay-api"))
    entity = k.component("payments-api", {"backstage.io/kubernetes-id": "pay-api"})

    health = check_health(clusters, entity, now=NOW)

    assert [w.name for w in cluster(health, "prod-eu").namespaces[0].workloads] == ["pay-api"]


def test_namespace_annotation_alone_finds_objects_by_entity_name_in_that_namespace(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("payments-api", namespace="payments"))
    fake_api.add(*k.healthy_service("payments-api", namespace="sandbox"))
    entity = k.component("payments-api", {"backstage.io/kubernetes-namespace": "payments"})

    health = check_health(clusters, entity, now=NOW)

    assert [n.name for n in cluster(health, "prod-eu").namespaces] == ["payments"]
    pod_lists = [r for r in fake_api.requests if r.path.endswith("/pods")]
    assert [r.path for r in pod_lists] == ["/api/v1/namespaces/payments/pods"]
    assert pod_lists[0].query["labelSelector"] == "backstage.io/kubernetes-id=payments-api"


def test_label_selector_annotation_replaces_the_id_selector(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    labels = {"app.kubernetes.io/name": "checkout", "tier": "web"}
    fake_api.add(*k.healthy_service("checkout-web", labels=labels))
    fake_api.add(*k.healthy_service("checkout"))  # has the id label, not the selector's labels
    selector = "app.kubernetes.io/name=checkout,tier in (web)"
    entity = k.component(
        "checkout",
        {
            "backstage.io/kubernetes-label-selector": selector,
            "backstage.io/kubernetes-id": "checkout",
        },
    )

    health = check_health(clusters, entity, now=NOW)

    assert [w.name for w in cluster(health, "prod-eu").namespaces[0].workloads] == ["checkout-web"]
    assert health.selector is not None
    assert health.selector.label_selector == selector


def test_malformed_namespace_annotation_is_an_invalid_entity(clusters: ClusterSet) -> None:
    entity = k.annotated("payments-api", namespace="Payments_NS")

    with pytest.raises(InvalidEntity, match=r"backstage\.io/kubernetes-namespace"):
        check_health(clusters, entity, now=NOW)


def test_nothing_matching_is_unknown_and_says_what_was_searched(clusters: ClusterSet) -> None:
    health = check_health(clusters, k.annotated("ghost", namespace="payments"), now=NOW)

    assert health.status is HealthStatus.UNKNOWN
    assert health.message == (
        "nothing matches backstage.io/kubernetes-id=ghost in namespace payments"
    )


def test_cluster_allowlist_limits_reads_to_its_namespaces(
    fake_api: FakeKubernetesApi, make_clusters: MakeClusters
) -> None:
    fake_api.add(*k.healthy_service("payments-api", namespace="payments"))
    fake_api.add(*k.healthy_service("payments-api", namespace="kube-system"))
    clusters = make_clusters(("prod-eu", fake_api), namespaces={"prod-eu": ["payments"]})

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert [n.name for n in cluster(health, "prod-eu").namespaces] == ["payments"]
    assert all("/namespaces/payments/" in path for path in fake_api.paths())


def test_namespace_outside_the_allowlist_skips_the_cluster_with_the_reason(
    fake_api: FakeKubernetesApi, make_clusters: MakeClusters
) -> None:
    clusters = make_clusters(("prod-eu", fake_api), namespaces={"prod-eu": ["payments"]})

    health = check_health(clusters, k.annotated("x", namespace="kube-system"), now=NOW)

    skipped = cluster(health, "prod-eu")
    assert skipped.state is ClusterState.SKIPPED
    assert skipped.reason == "namespace kube-system is not in this cluster's allowed namespaces"
    assert fake_api.requests == []


# --- two clusters, one misbehaving -----------------------------------------------------------


def test_hanging_cluster_is_named_and_the_answer_arrives_within_the_deadline(
    fake_api: FakeKubernetesApi, other_api: FakeKubernetesApi, make_clusters: MakeClusters
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    other_api.hang()
    clusters = make_clusters(("prod-eu", fake_api), ("prod-us", other_api))
    clusters.connections()  # connect (and import the client) before the clock starts

    started = time.monotonic()
    health = check_health(clusters, k.annotated("payments-api"), now=NOW)
    elapsed = time.monotonic() - started

    assert elapsed <= 2.5
    assert cluster(health, "prod-us").state is ClusterState.FAILED
    assert cluster(health, "prod-us").reason == "timed out after 2.5 s"
    assert cluster(health, "prod-eu").namespaces[0].workloads[0].name == "payments-api"
    assert health.status is HealthStatus.HEALTHY
    assert [c.name for c in health.failed_clusters] == ["prod-us"]


def test_slow_cluster_within_the_deadline_is_shown(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    fake_api.slow(0.3)

    health = check_health(clusters, k.annotated("payments-api"), timeout=1.5, now=NOW)

    assert cluster(health, "prod-eu").state is ClusterState.OK
    assert health.status is HealthStatus.HEALTHY


def test_cluster_slower_than_the_deadline_times_out_with_the_deadline_named(
    fake_api: FakeKubernetesApi, other_api: FakeKubernetesApi, make_clusters: MakeClusters
) -> None:
    other_api.add(*k.healthy_service("payments-api"))
    fake_api.slow(8)
    clusters = make_clusters(("prod-eu", fake_api), ("prod-us", other_api))
    clusters.connections()

    started = time.monotonic()
    health = check_health(clusters, k.annotated("payments-api"), timeout=0.8, now=NOW)

    # the answer does not wait for the slow cluster (margin for a busy machine)
    assert time.monotonic() - started < 4
    assert cluster(health, "prod-eu").reason == "timed out after 0.8 s"
    assert cluster(health, "prod-us").state is ClusterState.OK


def test_refused_connection_is_named(
    fake_api: FakeKubernetesApi, other_api: FakeKubernetesApi, make_clusters: MakeClusters
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    clusters = make_clusters(("prod-eu", fake_api), ("prod-us", other_api))
    url = other_api.url
    other_api.refuse()

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert cluster(health, "prod-us").reason == f"connection refused by {url}"
    assert cluster(health, "prod-eu").state is ClusterState.OK


def test_rejected_kubeconfig_credentials_name_the_context_and_file(
    fake_api: FakeKubernetesApi,
    other_api: FakeKubernetesApi,
    make_clusters: MakeClusters,
    tmp_path: Path,
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    clusters = make_clusters(
        ("prod-eu", fake_api), ("prod-us", other_api), tokens={"prod-us": "expired"}
    )

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert cluster(health, "prod-us").reason == (
        f"401 Unauthorized: check the credentials of context 'prod-us' in "
        f"{tmp_path / 'kubeconfig.yaml'}"
    )
    assert health.status is HealthStatus.HEALTHY


def _token_clusters(api: FakeKubernetesApi, token: str | None) -> ClusterSet:
    settings = KubernetesSettings.model_validate(
        {"clusters": [{"name": "edge", "type": "token", "url": api.url, "token_env": "EDGE_TOKEN"}]}
    )
    if token is not None:  # as runtime/settings.py fills it in from the environment
        from pydantic import SecretStr

        config = settings.clusters[0].model_copy(update={"token": SecretStr(token)})
        settings = settings.model_copy(update={"clusters": (config,)})
    return ClusterSet(settings)


def test_token_cluster_reads_with_the_token_from_the_environment(
    fake_api: FakeKubernetesApi,
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))

    health = check_health(_token_clusters(fake_api, fake_api.token), k.annotated("payments-api"))

    assert health.status is HealthStatus.HEALTHY
    assert fake_api.requests[0].authorization == f"Bearer {fake_api.token}"


def test_wrong_token_names_the_environment_variable_not_the_token(
    fake_api: FakeKubernetesApi,
) -> None:
    health = check_health(_token_clusters(fake_api, "wrong-token-123"), k.annotated("x"))

    assert cluster(health, "edge").reason == "401 Unauthorized: check the token in $EDGE_TOKEN"
    assert "wrong-token-123" not in json.dumps(to_jsonable(health))


def test_missing_token_says_which_variable_is_empty(fake_api: FakeKubernetesApi) -> None:
    health = check_health(_token_clusters(fake_api, None), k.annotated("x"))

    assert cluster(health, "edge").reason == (
        "cannot be configured: no token: the environment variable $EDGE_TOKEN is empty"
    )
    assert health.status is HealthStatus.UNKNOWN
    assert health.message == "no cluster answered"


def test_missing_kubeconfig_file_is_named(tmp_path: Path) -> None:
    settings = KubernetesSettings.model_validate(
        {
            "clusters": [
                {"name": "lab", "kubeconfig": str(tmp_path / "nope.yaml"), "type": "kubeconfig"}
            ]
        }
    )

    health = check_health(ClusterSet(settings), k.annotated("x"))

    assert cluster(health, "lab").reason == (
        f"cannot be configured: kubeconfig {tmp_path / 'nope.yaml'} does not exist"
    )


def test_unknown_kubeconfig_context_is_named(fake_api: FakeKubernetesApi, tmp_path: Path) -> None:
    kubeconfig = fake_api.kubeconfig(tmp_path / "kc.yaml", context="real")
    settings = KubernetesSettings.model_validate(
        {
            "clusters": [
                {
                    "name": "lab",
                    "type": "kubeconfig",
                    "kubeconfig": str(kubeconfig),
                    "context": "typo",
                }
            ]
        }
    )

    health = check_health(ClusterSet(settings), k.annotated("x"))

    reason = cluster(health, "lab").reason or ""
    assert reason.startswith("cannot be configured:")
    assert "typo" in reason


def test_in_cluster_outside_a_pod_says_so() -> None:
    settings = KubernetesSettings.model_validate(
        {"clusters": [{"name": "self", "type": "in-cluster"}]}
    )

    health = check_health(ClusterSet(settings), k.annotated("x"))

    assert (cluster(health, "self").reason or "").startswith(
        "cannot be configured: not running inside a Kubernetes pod"
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (
            403,
            "403 Forbidden: not allowed to list pods in all namespaces; grant greenroom's "
            "read-only ClusterRole (see docs/kubernetes.md)",
        ),
        (500, "500 Internal Server Error: Internal error occurred: etcdserver: request timed out"),
        (404, "404 Not Found: this cluster does not serve pods"),
        (429, "429 Too Many Requests: the API server is throttling greenroom"),
    ],
)
def test_http_errors_of_a_whole_cluster_are_named_in_plain_words(
    fake_api: FakeKubernetesApi, clusters: ClusterSet, status: int, reason: str
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    fake_api.fail(status)

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert cluster(health, "prod-eu").state is ClusterState.FAILED
    assert cluster(health, "prod-eu").reason == reason


def test_invalid_json_is_named(fake_api: FakeKubernetesApi, clusters: ClusterSet) -> None:
    fake_api.garbage()

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert cluster(health, "prod-eu").reason == (
        "answered with something that is not Kubernetes JSON (a proxy or login page?)"
    )


def test_objects_missing_fields_the_client_models_require_still_show(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    odd = k.pod("payments-api-1", labels={k.KUBE_ID: "payments-api"})
    del odd["status"]["containerStatuses"][0]["imageID"]  # the client's model would reject it
    odd["status"]["containerStatuses"][0]["restartCount"] = "many"  # wrong type: ignored
    fake_api.add(k.deployment("payments-api"), odd)

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    prod = cluster(health, "prod-eu")
    assert prod.problems == ()
    rows = {w.name: w for w in prod.namespaces[0].workloads}
    assert rows["payments-api-1"].restarts == 0


def test_a_list_that_is_not_a_list_is_named(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(k.deployment("payments-api"))
    fake_api.garbage(resource="pods")

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    assert cluster(health, "prod-eu").problems == (
        "pods: answered with something that is not Kubernetes JSON (a proxy or login page?)",
    )


def test_one_forbidden_kind_is_a_problem_of_the_cluster_not_a_failure(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    fake_api.add(*k.healthy_service("payments-api"))
    fake_api.fail(403, resource="horizontalpodautoscalers")

    health = check_health(clusters, k.annotated("payments-api", namespace="payments"), now=NOW)

    prod = cluster(health, "prod-eu")
    assert prod.state is ClusterState.OK
    assert prod.problems == (
        "autoscalers (HPAs): 403 Forbidden: not allowed to list horizontalpodautoscalers in "
        "namespace payments; grant greenroom's read-only ClusterRole (see docs/kubernetes.md)",
    )
    assert prod.namespaces[0].workloads[0].autoscaler is None


# --- secrets -----------------------------------------------------------------------------------


def test_no_secret_reaches_the_answer_and_none_is_ever_requested(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    crashing = k.Container(
        waiting=("CreateContainerConfigError", 'secret "payments-api-secrets" not found'),
        ready=False,
    )
    fake_api.add(
        *k.healthy_service("payments-api"),
        *k.pods_of("payments-api", 1, containers=(crashing,)),
        k.secret("payments-api-secrets"),
        k.config_map("payments-api-config"),
    )

    health = check_health(clusters, k.annotated("payments-api"), now=NOW)

    text = json.dumps(to_jsonable(health))
    assert health.findings  # the answer does talk about the secret's absence...
    assert k.SECRET_VALUE not in text  # ...but never about any value
    assert "DATABASE_PASSWORD" not in text
    assert not [p for p in fake_api.paths() if p.endswith(("/secrets", "/configmaps"))]
    assert {r.method for r in fake_api.requests} == {"GET"}


def test_a_service_that_runs_only_a_cronjob_names_it_instead_of_nothing_matches(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    ran = NOW - timedelta(hours=9)
    fake_api.add(
        k.cronjob("ledger-export", last_schedule=ran, last_success=ran, suspend=True),
        k.job("ledger-export-29100", cronjob_name="ledger-export", started=ran),
        k.job_pod("ledger-export-29100", labels={k.KUBE_ID: "ledger-export"}, terminated=None),
        k.job("ledger-backfill", labels={k.KUBE_ID: "ledger-export"}, started=ran),
        k.healthy_service("payments-api")[0],  # another service's Deployment: not counted
    )

    health = check_health(clusters, k.annotated("ledger-export"), now=NOW)

    assert health.status is HealthStatus.UNKNOWN
    assert health.message is not None and "nothing matches" not in health.message
    assert health.message.startswith("it runs as 1 CronJob and 1 Job, no Deployment")
    cron, job = health.batch
    assert (cron.kind, cron.name, cron.cluster, cron.namespace) == (
        "CronJob",
        "ledger-export",
        "prod-eu",
        "data",
    )
    assert (cron.schedule, cron.suspended, cron.last_success) == ("0 3 * * *", True, ran)
    assert (job.kind, job.name) == ("Job", "ledger-backfill")  # the CronJob's run is not repeated
    assert "hunter2" not in json.dumps(to_jsonable(health))


def test_nothing_matches_is_still_said_when_there_is_no_cronjob_either(
    fake_api: FakeKubernetesApi, clusters: ClusterSet
) -> None:
    health = check_health(clusters, k.annotated("ghost"), now=NOW)
    assert health.message == "nothing matches backstage.io/kubernetes-id=ghost"
    assert health.batch == ()
    assert any(p.endswith("/cronjobs") for p in fake_api.paths())

    fake_api.clear()
    fake_api.requests.clear()
    fake_api.add(*k.healthy_service("payments-api"))
    assert check_health(clusters, k.annotated("payments-api"), now=NOW).batch == ()
    assert not any(p.endswith("/cronjobs") for p in fake_api.paths())  # no extra read
