"""A small company, a fake cluster with its workloads, and the action service over them."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from bot.loopback.kubernetes_writes import replica_set
from catalog import Catalog
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from integrations.actions import ActionService, ActionsSettings, Actor
from integrations.actions.cluster import ClusterWriters
from integrations.kubernetes import KubernetesSettings

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: department, children: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, parent: platform, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search, annotations: {slack.com/channel: C0SEARCH}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {profile: {email: bob@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {email: carol@acme.example}, memberOf: [search]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: pat}
spec: {profile: {email: pat@acme.example}, memberOf: [platform]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations: {backstage.io/kubernetes-id: payments-api}
spec: {type: service, lifecycle: production, owner: payments}
"""

ALICE = Actor("U0ALICE", person=None, name="alice")


def actor(name: str, slack_id: str, *, admin: bool = False) -> Actor:
    from catalog import parse_ref

    return Actor(slack_id, person=parse_ref(f"user:{name}"), name=name, is_admin=admin)


@dataclass
class World:
    engine: Engine
    catalog: Catalog
    api: FakeKubernetesApi
    service: ActionService
    folder: Path

    def write(self, text: str) -> None:
        (self.folder / "catalog-info.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        report = sync_catalog(self.engine, [DirectorySource("test", self.folder)])
        assert report.status == "ok"


def payments_objects() -> list[dict]:
    deployment = k.deployment("payments-api", image="registry.globex.example/payments-api:1.5.0")
    deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "4"
    previous = k.deployment("payments-api", image="registry.globex.example/payments-api:1.4.2")
    return [
        deployment,
        replica_set(previous, 3),
        replica_set(deployment, 4),
        *k.pods_of("payments-api", 3),
        k.hpa("payments-api", min_replicas=2, max_replicas=6),
        k.cronjob("payments-api-nightly", namespace="payments", labels={k.KUBE_ID: "payments-api"}),
        k.job(
            "payments-api-migrate",
            namespace="payments",
            outcome="Failed",
            labels={k.KUBE_ID: "payments-api"},
        ),
    ]


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[World]:
    folder = tmp_path / "catalog"
    folder.mkdir()
    api = FakeKubernetesApi(rollout_seconds=0.2).start()
    api.add(*payments_objects())
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (api.url, api.token)})
    kubernetes = KubernetesSettings.model_validate(
        {
            "clusters": [
                {
                    "name": "prod",
                    "type": "kubeconfig",
                    "kubeconfig": str(kubeconfig),
                    "context": "prod",
                }
            ]
        }
    )
    settings = ActionsSettings(
        environments={"prod": "production"}, cooldown_seconds=0, verify_timeout_seconds=10
    )
    writers = ClusterWriters(kubernetes, timeout=5)
    catalog = Catalog(engine)
    service = ActionService(engine, catalog, settings, clusters=writers)
    w = World(engine, catalog, api, service, folder)
    w.write(COMPANY)
    yield w
    writers.close()
    api.close()
