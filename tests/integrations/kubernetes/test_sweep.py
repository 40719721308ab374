"""The health sweep over a real catalog and database (SQLite and PostgreSQL): each problem is
reported once, resolved once, routed to the owning team's channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from catalog import Catalog, EntityRef, GreenroomError, parse_ref
from catalog.sources.directory import DirectorySource
from catalog.sync import sync_catalog
from integrations.kubernetes import (
    Change,
    ClusterSet,
    HealthNotification,
    HealthStatus,
    SweepReport,
    health_badges,
    notify_all,
    sweep_health,
)
from tests.integrations.kubernetes.conftest import MakeClusters

NOW = k.NOW
PAYMENTS = parse_ref("component:payments-api")
CHECKOUT = parse_ref("component:checkout")
SEARCH = parse_ref("component:search-service")
LEGACY = parse_ref("component:legacy-billing")
LEDGER = parse_ref("component:ledger-export")
GHOST = parse_ref("component:ghost")


def group(name: str, parent: str | None = None, channel: str | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {
            "name": name,
            "annotations": {"slack.com/channel": channel} if channel else {},
        },
        "spec": {"type": "team", "children": [], **({"parent": parent} if parent else {})},
    }


def service(name: str, owner: str, annotations: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"type": "service", "lifecycle": "production", "owner": owner},
    }


COMPANY = [
    group("payments-tribe", channel="#payments-tribe"),
    group("payments-core", parent="payments-tribe", channel="#payments-alerts"),
    group("shopping-tribe", channel="#shopping"),
    group("checkout-squad", parent="shopping-tribe"),
    group("search-squad"),
    service("payments-api", "payments-core", {k.KUBE_ID: "payments-api"}),
    service(
        "checkout", "checkout-squad", {"backstage.io/kubernetes-label-selector": "app=checkout"}
    ),
    service("search-service", "search-squad", {k.KUBE_ID: "search-service"}),
    service("legacy-billing", "payments-core", {}),
]
CHECKOUT_LABELS = {"app": "checkout"}


def crash(name: str, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    crashing = k.Container(ready=False, restarts=9, waiting=("CrashLoopBackOff", "back-off 5m0s"))
    return [
        k.deployment(name, replicas=2, ready=1, labels=labels),
        *k.pods_of(name, 1, labels=labels),
        *k.pods_of(f"{name}-x", 1, labels=labels or {k.KUBE_ID: name}, containers=(crashing,)),
    ]


@pytest.fixture
def sync(engine: Engine, tmp_path: Path) -> Callable[[list[dict[str, Any]]], Catalog]:
    """Write these documents as the company's catalog and sync it."""

    def write(documents: list[dict[str, Any]]) -> Catalog:
        folder = tmp_path / "catalog"
        folder.mkdir(exist_ok=True)
        (folder / "catalog-info.yaml").write_text(yaml.safe_dump_all(documents), encoding="utf-8")
        report = sync_catalog(engine, [DirectorySource("company", folder)])
        assert not report.exit_code, report
        return Catalog(engine)

    return write


@pytest.fixture
def catalog(sync: Callable[[list[dict[str, Any]]], Catalog]) -> Catalog:
    return sync(COMPANY)


@pytest.fixture
def sweep(fake_api: FakeKubernetesApi, make_clusters: MakeClusters) -> Callable[..., SweepReport]:
    clusters: dict[str, ClusterSet] = {}

    def run(catalog: Catalog, **settings: Any) -> SweepReport:
        key = repr(sorted(settings.items()))
        if key not in clusters:
            clusters[key] = make_clusters(("prod-eu", fake_api), **settings)
        return sweep_health(catalog, clusters[key], now=NOW)

    return run


def changes(report: SweepReport) -> list[tuple[str, str, str | None, str]]:
    return [
        (n.change.value, n.entity.name, n.channel, n.finding.rule)
        for n in sorted(report.notifications, key=lambda n: (n.entity, n.finding.key))
    ]


def healthy_company(api: FakeKubernetesApi) -> None:
    api.clear()
    api.add(*k.healthy_service("payments-api"), *k.healthy_service("search-service"))
    api.add(*k.healthy_service("checkout", labels=CHECKOUT_LABELS))


def test_a_new_problem_is_reported_once_then_resolved_once(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    healthy_company(fake_api)
    fake_api.clear()
    fake_api.add(*crash("payments-api"), *k.healthy_service("search-service"))
    fake_api.add(*k.healthy_service("checkout", labels=CHECKOUT_LABELS))

    first = sweep(catalog)
    assert changes(first) == [
        ("new", "payments-api", "#payments-alerts", "container-waiting"),
        ("new", "payments-api", "#payments-alerts", "replicas-unavailable"),
    ]
    assert first.notifications[0].owner == parse_ref("group:payments-core")
    assert first.statuses == {"failing": 1, "healthy": 2}
    assert changes(sweep(catalog)) == []  # still broken: nothing new to say

    healthy_company(fake_api)
    assert changes(sweep(catalog)) == []  # one clean sweep is not yet "resolved"
    resolved = sweep(catalog)
    assert changes(resolved) == [
        ("resolved", "payments-api", "#payments-alerts", "container-waiting"),
        ("resolved", "payments-api", "#payments-alerts", "replicas-unavailable"),
    ]
    assert resolved.notifications[0].finding.title.startswith("Container app keeps crashing")
    assert changes(sweep(catalog)) == []


def test_badges_show_the_latest_status_of_swept_services_only(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("payments-api"), *k.healthy_service("search-service"))

    sweep(catalog)
    badges = health_badges(catalog.engine, [PAYMENTS, SEARCH, CHECKOUT, LEGACY])

    assert badges[PAYMENTS].status is HealthStatus.FAILING
    assert (badges[PAYMENTS].critical, badges[PAYMENTS].warnings) == (1, 1)
    assert badges[PAYMENTS].headline.startswith("Container app keeps crashing")
    assert badges[PAYMENTS].checked_at == NOW
    assert badges[SEARCH].status is HealthStatus.HEALTHY
    assert badges[CHECKOUT].status is HealthStatus.UNKNOWN
    assert badges[CHECKOUT].headline == "nothing matches app=checkout"
    assert LEGACY not in badges  # no Kubernetes annotations: no badge


def test_badges_of_services_that_run_only_cronjobs_name_them_instead_of_nothing_matches(
    sync: Callable[[list[dict[str, Any]]], Catalog],
    fake_api: FakeKubernetesApi,
    sweep: Callable[..., SweepReport],
) -> None:
    documents = [
        *COMPANY,
        service("ledger-export", "payments-core", {k.KUBE_ID: "ledger-export"}),
        service("ghost", "payments-core", {k.KUBE_ID: "ghost"}),
    ]
    ran = NOW - timedelta(hours=9)
    fake_api.add(*k.healthy_service("payments-api"))
    fake_api.add(k.cronjob("ledger-export", last_schedule=ran, last_success=ran))
    fake_api.add(k.cronjob("checkout-reindex", labels=CHECKOUT_LABELS, last_schedule=ran))
    fake_api.add(k.job("checkout-backfill", labels=CHECKOUT_LABELS, started=ran))
    catalog = sync(documents)

    sweep(catalog)
    badges = health_badges(catalog.engine, [PAYMENTS, LEDGER, CHECKOUT, GHOST, SEARCH])

    assert badges[LEDGER].status is HealthStatus.UNKNOWN
    assert badges[LEDGER].headline.startswith("it runs as 1 CronJob, no Deployment")
    assert badges[CHECKOUT].headline.startswith("it runs as 1 CronJob and 1 Job, no Deployment")
    assert badges[GHOST].headline == "nothing matches backstage.io/kubernetes-id=ghost"
    assert badges[SEARCH].headline == "nothing matches backstage.io/kubernetes-id=search-service"
    assert badges[PAYMENTS].status is HealthStatus.HEALTHY
    cron_lists = [r for r in fake_api.requests if r.path.endswith("/cronjobs")]
    assert len(cron_lists) == 2  # one for the batch of ids, one for checkout's own selector


def test_a_cluster_that_does_not_answer_resolves_nothing(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("payments-api"))
    assert changes(sweep(catalog))

    fake_api.fail(500)
    for _ in range(3):
        down = sweep(catalog)
        assert changes(down) == []
    assert down.unreachable == (
        (
            "prod-eu",
            "500 Internal Server Error: Internal error occurred: etcdserver: request timed out",
        ),
    )
    badge = health_badges(catalog.engine, [PAYMENTS])[PAYMENTS]
    assert badge.status is HealthStatus.UNKNOWN
    assert badge.failed_clusters[0][0] == "prod-eu"

    fake_api.heal()
    healthy_company(fake_api)
    sweep(catalog)
    assert [c[0] for c in changes(sweep(catalog))] == ["resolved", "resolved"]


def test_problems_go_to_the_owning_team_or_its_parent_team(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("checkout", labels=CHECKOUT_LABELS), *crash("search-service"))

    routed = {(c[1], c[2]) for c in changes(sweep(catalog))}

    assert routed == {("checkout", "#shopping"), ("search-service", None)}


def test_team_channels_mapping_covers_teams_without_an_annotation(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("search-service"), *crash("payments-api"))
    mapping = {"search-squad": "#search-oncall", "group:default/payments-core": "#ignored"}

    routed = {(c[1], c[2]) for c in changes(sweep(catalog, team_channels=mapping))}

    assert routed == {("search-service", "#search-oncall"), ("payments-api", "#payments-alerts")}


def test_default_channel_catches_teams_without_one(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("search-service"))

    report = sweep(catalog, default_channel="#platform-alerts")

    assert {c[2] for c in changes(report)} == {"#platform-alerts"}


def test_information_findings_are_shown_but_never_notified(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(
        k.deployment("payments-api", replicas=9), k.hpa("payments-api", max_replicas=10, current=9)
    )

    report = sweep(catalog)

    assert changes(report) == []
    assert health_badges(catalog.engine, [PAYMENTS])[PAYMENTS].status is HealthStatus.HEALTHY


def test_services_that_leave_the_catalog_lose_their_state_silently(
    sync: Callable[[list[dict[str, Any]]], Catalog],
    fake_api: FakeKubernetesApi,
    sweep: Callable[..., SweepReport],
) -> None:
    catalog = sync(COMPANY)
    fake_api.add(*crash("payments-api"))
    sweep(catalog)

    without = [d for d in COMPANY if d["metadata"]["name"] != "payments-api"]
    report = sweep(sync(without))

    assert changes(report) == []
    assert PAYMENTS not in health_badges(catalog.engine, [PAYMENTS])
    sync(COMPANY)
    assert [c[0] for c in changes(sweep(catalog))] == ["new", "new"]  # back: new again


def test_a_malformed_annotation_is_reported_and_shown_as_unknown(
    sync: Callable[[list[dict[str, Any]]], Catalog], sweep: Callable[..., SweepReport]
) -> None:
    catalog = sync([*COMPANY, service("odd", "search-squad", {k.KUBE_ID: "has spaces"})])

    report = sweep(catalog)

    [(ref, reason)] = report.invalid
    assert ref == parse_ref("component:odd")
    assert "backstage.io/kubernetes-id must be a Kubernetes label value" in reason
    assert health_badges(catalog.engine, [ref])[ref].status is HealthStatus.UNKNOWN


def test_services_found_by_id_are_read_in_one_batch_per_namespace(
    sync: Callable[[list[dict[str, Any]]], Catalog],
    fake_api: FakeKubernetesApi,
    sweep: Callable[..., SweepReport],
) -> None:
    names = [f"svc-{i:02}" for i in range(30)]
    documents = [group("team"), *(service(n, "team", {k.KUBE_ID: n}) for n in names)]
    for name in names:
        fake_api.add(*k.healthy_service(name, replicas=1))
    fake_api.add(*crash("svc-07"))
    catalog = sync(documents)

    report = sweep(catalog)

    pod_lists = [r for r in fake_api.requests if r.path == "/api/v1/pods"]
    assert len(pod_lists) == 1
    assert pod_lists[0].query["labelSelector"].startswith("backstage.io/kubernetes-id in (svc-00,")
    assert report.statuses == {"healthy": 29, "failing": 1}
    assert {n.entity.name for n in report.notifications} == {"svc-07"}


class _Recorder:
    def __init__(self, broken_channel: str) -> None:
        self.broken = broken_channel
        self.sent: list[HealthNotification] = []

    def notify(self, notification: HealthNotification) -> None:
        if notification.channel == self.broken:
            raise GreenroomError(f"channel {self.broken} not found")
        self.sent.append(notification)


def test_notify_all_keeps_going_when_one_channel_fails(
    catalog: Catalog, fake_api: FakeKubernetesApi, sweep: Callable[..., SweepReport]
) -> None:
    fake_api.add(*crash("checkout", labels=CHECKOUT_LABELS), *crash("payments-api"))
    report = sweep(catalog)
    recorder = _Recorder("#shopping")

    failed = notify_all(report.notifications, recorder)

    assert {n.entity for n in recorder.sent} == {PAYMENTS}
    assert {(n.entity, reason) for n, reason in failed} == {
        (CHECKOUT, "channel #shopping not found")
    }
    assert all(n.change is Change.NEW for n in report.notifications)


def test_badges_of_unknown_refs_are_absent(engine: Engine) -> None:
    assert health_badges(engine, [EntityRef.of("component", "default", "nope")]) == {}
