"""Fake clusters (real HTTP on loopback) reached through kubeconfig files, and entities."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from integrations.kubernetes import ClusterSet, KubernetesSettings
from tests.fakes.kubernetes_api import FakeKubernetesApi, write_kubeconfig

MakeClusters = Callable[..., ClusterSet]


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
