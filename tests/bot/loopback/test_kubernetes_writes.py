"""The fake API server answers writes the way the API server does, to the real client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi


@pytest.fixture
def api() -> Iterator[FakeKubernetesApi]:
    with FakeKubernetesApi(rollout_seconds=0.1) as fake:
        fake.add(
            k.deployment("payments-api"),
            k.job("migrate", namespace="payments"),
            k.cronjob("nightly", namespace="payments"),
        )
        yield fake


@pytest.fixture
def apps(api: FakeKubernetesApi) -> Iterator[tuple[client.AppsV1Api, client.BatchV1Api]]:
    configuration = client.Configuration()
    configuration.host = api.url
    configuration.api_key = {"authorization": api.token}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    with client.ApiClient(configuration) as api_client:
        yield client.AppsV1Api(api_client), client.BatchV1Api(api_client)


def test_a_strategic_merge_patch_rolls_out_a_new_revision(
    api: FakeKubernetesApi, apps: tuple[client.AppsV1Api, client.BatchV1Api]
) -> None:
    body = {"spec": {"template": {"metadata": {"annotations": {"a": "b"}}}}}
    patched = apps[0].patch_namespaced_deployment("payments-api", "payments", body)
    assert patched.metadata.annotations["deployment.kubernetes.io/revision"] == "5"
    assert patched.status.updated_replicas == 0 and patched.metadata.generation == 5
    time.sleep(0.3)
    now = apps[0].read_namespaced_deployment("payments-api", "payments")
    assert now.status.updated_replicas == 3 and now.status.available_replicas == 3
    assert now.spec.template.spec.containers[0].image.endswith(":1.4.2")  # merged, not replaced
    [rs] = api.objects["replicasets"]
    assert rs["metadata"]["ownerReferences"][0]["uid"] == now.metadata.uid


def test_the_scale_subresource(apps: tuple[client.AppsV1Api, client.BatchV1Api]) -> None:
    scale = apps[0].patch_namespaced_deployment_scale(
        "payments-api", "payments", {"spec": {"replicas": 5}}
    )
    assert scale.kind == "Scale" and scale.spec.replicas == 5
    assert scale.status.selector == "app=payments-api"


def test_a_stale_resource_version_is_a_409_conflict(
    apps: tuple[client.AppsV1Api, client.BatchV1Api],
) -> None:
    with pytest.raises(ApiException) as raised:
        apps[0].patch_namespaced_deployment(
            "payments-api", "payments", {"metadata": {"resourceVersion": "1"}, "spec": {}}
        )
    assert raised.value.status == 409
    assert json.loads(raised.value.body)["reason"] == "Conflict"


def test_a_job_is_created_once_and_forbidden_writes_are_403(
    api: FakeKubernetesApi, apps: tuple[client.AppsV1Api, client.BatchV1Api]
) -> None:
    container = {"name": "batch", "image": "registry.globex.example/batch:1"}
    template = {"spec": {"containers": [container], "restartPolicy": "Never"}}
    body = {"metadata": {"name": "migrate-again"}, "spec": {"template": template}}
    created = apps[1].create_namespaced_job("payments", body)
    assert created.metadata.uid and created.status.active == 1
    with pytest.raises(ApiException) as again:
        apps[1].create_namespaced_job("payments", body)
    assert again.value.status == 409 and json.loads(again.value.body)["reason"] == "AlreadyExists"
    api.forbid("cronjobs")
    with pytest.raises(ApiException) as forbidden:
        apps[1].patch_namespaced_cron_job("nightly", "payments", {"spec": {"suspend": True}})
    status = json.loads(forbidden.value.body)
    assert forbidden.value.status == 403 and status["reason"] == "Forbidden"
    assert 'cannot patch resource "cronjobs" in API group "batch"' in status["message"]


def test_a_json_patch_test_operation_guards_the_change(
    apps: tuple[client.AppsV1Api, client.BatchV1Api],
) -> None:
    ops = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "nope"},
        {"op": "replace", "path": "/spec/replicas", "value": 1},
    ]
    with pytest.raises(ApiException) as raised:
        apps[0].patch_namespaced_deployment("payments-api", "payments", ops)
    assert raised.value.status == 422
