"""Reaching a cluster by URL + token over TLS: CA data, skip-TLS, and an untrusted server."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from integrations.kubernetes import (
    ClusterSet,
    ClusterState,
    HealthStatus,
    KubernetesSettings,
    check_health,
)


@pytest.fixture
def tls_api(certificate: tuple[Path, Path]) -> Iterator[FakeKubernetesApi]:
    with FakeKubernetesApi(tls=certificate) as api:
        api.add(*k.healthy_service("payments-api"))
        yield api


def token_cluster(api: FakeKubernetesApi, **options: Any) -> ClusterSet:
    settings = KubernetesSettings.model_validate(
        {
            "clusters": [
                {"name": "edge", "type": "token", "url": api.url, "token_env": "T", **options}
            ]
        }
    )
    config = settings.clusters[0].model_copy(update={"token": SecretStr(api.token)})
    return ClusterSet(settings.model_copy(update={"clusters": (config,)}))


def test_ca_data_as_base64_lets_the_client_trust_the_cluster(
    tls_api: FakeKubernetesApi, certificate: tuple[Path, Path]
) -> None:
    ca_data = base64.b64encode(certificate[0].read_bytes()).decode()

    health = check_health(token_cluster(tls_api, ca_data=ca_data), k.annotated("payments-api"))

    assert health.status is HealthStatus.HEALTHY


def test_ca_data_as_pem_works_too(
    tls_api: FakeKubernetesApi, certificate: tuple[Path, Path]
) -> None:
    health = check_health(
        token_cluster(tls_api, ca_data=certificate[0].read_text()), k.annotated("payments-api")
    )

    assert health.status is HealthStatus.HEALTHY


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_skip_tls_verify_accepts_an_unknown_certificate(tls_api: FakeKubernetesApi) -> None:
    health = check_health(token_cluster(tls_api, skip_tls_verify=True), k.annotated("payments-api"))

    assert health.status is HealthStatus.HEALTHY


def test_an_untrusted_certificate_is_named_as_a_tls_failure(tls_api: FakeKubernetesApi) -> None:
    health = check_health(token_cluster(tls_api), k.annotated("payments-api"))

    [edge] = health.clusters
    assert edge.state is ClusterState.FAILED
    assert edge.reason == (
        "TLS failed (certificate verify failed: self-signed certificate); "
        "check ca_data or kubeconfig's certificate-authority"
    )


def test_ca_data_that_is_not_a_certificate_is_a_configuration_problem(
    tls_api: FakeKubernetesApi,
) -> None:
    health = check_health(token_cluster(tls_api, ca_data="not base64!"), k.annotated("x"))

    assert health.clusters[0].reason == (
        "cannot be configured: ca_data is neither PEM nor base64 of PEM"
    )
