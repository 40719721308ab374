"""Fake clusters (real HTTP on loopback) reached through kubeconfig files, and entities."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from integrations.kubernetes import ClusterSet, KubernetesSettings

MakeClusters = Callable[..., ClusterSet]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def fake_api() -> Iterator[FakeKubernetesApi]:
    """A running fake API server (cluster "prod-eu" in ``clusters``)."""
    with FakeKubernetesApi() as api:
        yield api


@pytest.fixture
def other_api() -> Iterator[FakeKubernetesApi]:
    """A second fake API server (cluster "prod-us")."""
    with FakeKubernetesApi() as api:
        yield api


@pytest.fixture
def make_clusters(tmp_path: Path) -> Iterator[MakeClusters]:
    """``make_clusters(("prod-eu", api), ..., namespaces={"prod-eu": [...]}, **settings)``:
    one kubeconfig with a context per fake, and a ClusterSet over it."""
    made: list[ClusterSet] = []

    def make(
        *apis: tuple[str, FakeKubernetesApi],
        namespaces: dict[str, list[str]] | None = None,
        tokens: dict[str, str] | None = None,
        **settings: Any,
    ) -> ClusterSet:
        kubeconfig = write_kubeconfig(
            tmp_path / "kubeconfig.yaml",
            {name: (api.url, (tokens or {}).get(name, api.token)) for name, api in apis},
        )
        clusters = [
            {
                "name": name,
                "type": "kubeconfig",
                "kubeconfig": str(kubeconfig),
                "context": name,
                "namespaces": (namespaces or {}).get(name),
            }
            for name, _ in apis
        ]
        cluster_set = ClusterSet(
            KubernetesSettings.model_validate({"clusters": clusters, **settings})
        )
        made.append(cluster_set)
        return cluster_set

    yield make
    for cluster_set in made:
        cluster_set.close()


@pytest.fixture
def clusters(fake_api: FakeKubernetesApi, make_clusters: MakeClusters) -> ClusterSet:
    """One cluster, "prod-eu", on ``fake_api``."""
    return make_clusters(("prod-eu", fake_api))
