"""``/greenroom k8s <entity>``, health badges on the Home tab and team pages, and the scheduled
sweep's alerts in team channels: the real server, the loopback Slack, and fake Kubernetes API
servers reached by the real ``kubernetes`` client through a kubeconfig."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from commands.k8s.sweep import HealthSweepOutcome, run_health_sweep
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, CAROL, Workspace

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search, annotations: {slack.com/channel: "#search"}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: ledgers}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: carol@acme.example}, memberOf: [search]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  annotations:
    backstage.io/kubernetes-id: payments-api
    backstage.io/kubernetes-namespace: payments
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: {backstage.io/kubernetes-label-selector: app=checkout}
spec: {type: service, lifecycle: production, owner: search}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: {backstage.io/kubernetes-id: ledger}
spec: {type: service, lifecycle: production, owner: ledgers}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing-batch}
spec: {type: batch, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-export
  annotations: {backstage.io/kubernetes-id: ledger-export}
spec: {type: data-pipeline, lifecycle: production, owner: ledgers}
"""
CHECKOUT = {"app": "checkout"}
_TOKENS = re.compile(r"<[!@#][^>]*>")


@dataclass
class Kubernetes:
    """Fake clusters, the settings that reach them, and greenroom served over them."""

    engine: Engine
    database_url: str
    tmp_path: Path
    serve_greenroom: Callable[..., Workspace]
    slack_url: str
    clusters: dict[str, FakeKubernetesApi] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    runtimes: list[Runtime] = field(default_factory=list)

    def add_cluster(self, name: str) -> FakeKubernetesApi:
        self.clusters[name] = FakeKubernetesApi().start()
        return self.clusters[name]

    def settings(self) -> dict[str, Any]:
        kubeconfig = write_kubeconfig(
            self.tmp_path / "kubeconfig.yaml",
            {name: (api.url, api.token) for name, api in self.clusters.items()},
        )
        clusters = [
            {"name": name, "type": "kubeconfig", "kubeconfig": str(kubeconfig), "context": name}
            for name in self.clusters
        ]
        return {"kubernetes": {"clusters": clusters, **self.extra}}

    def serve(self) -> Workspace:
        return self.serve_greenroom(config=self.settings())

    def sweep(self) -> HealthSweepOutcome:
        """What the worker does every few minutes."""
        if not self.runtimes:
            environ = {"SLACK_BOT_TOKEN": "xoxb-loopback-token", "SLACK_API_URL": self.slack_url}
            environ["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
            settings = load_settings(
                None,
                environ=environ,
                database_url=self.database_url,
                data_dir=self.tmp_path,
                **self.settings(),
            )
            self.runtimes.append(Runtime(settings, self.engine))
        return run_health_sweep(self.runtimes[0])

    def close(self) -> None:
        for runtime in self.runtimes:
            runtime.clusters.close()
        for api in self.clusters.values():
            api.close()


@pytest.fixture
def kube(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    slack_api: Any,
) -> Iterator[Kubernetes]:
    write_catalog(COMPANY)
    kube = Kubernetes(engine, database_url, tmp_path, serve_greenroom, slack_api.api_url)
    yield kube
    kube.close()


def crash(name: str, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """A Deployment with one of its two pods crash-looping, and its HPA at max replicas."""
    crashing = k.Container(ready=False, restarts=9, waiting=("CrashLoopBackOff", "back-off 5m0s"))
    labels = labels or {k.KUBE_ID: name}
    return [
        k.deployment(name, replicas=2, ready=1, labels=labels),
        *k.pods_of(name, 1, labels=labels),
        k.pod(
            f"{name}-crashing", labels=labels, owner=("Deployment", name), containers=(crashing,)
        ),
        k.hpa(name, labels=labels, min_replicas=1, max_replicas=2, current=2),
    ]


def tokens(payload: Any) -> set[str]:
    """Mention tokens Slack would act on, in mrkdwn and message text (not plain_text)."""
    found: set[str] = set()
    if isinstance(payload, dict):
        if payload.get("type") != "plain_text" and isinstance(payload.get("text"), str):
            found.update(_TOKENS.findall(payload["text"]))
        for value in payload.values():
            found |= tokens(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= tokens(item)
    return found


# -- /greenroom k8s --------------------------------------------------------------------
def test_k8s_of_a_healthy_service_lists_its_workloads_and_says_all_healthy(
    kube: Kubernetes,
) -> None:
    api = kube.add_cluster("prod-eu")
    api.add(*k.healthy_service("payments-api"), k.secret("payments-api-secrets"))
    ws = kube.serve()

    sent = ws.command("k8s payments-api")
    reply = ws.reply(sent)

    assert sent.seconds < 1.5  # acked before any cluster was asked
    text = ws.text(reply)
    assert "Kubernetes: Payments API" in text and "healthy" in text
    assert "selector `backstage.io/kubernetes-id=payments-api` in namespace `payments`" in text
    assert "*prod-eu* · namespace `payments`" in text
    age = (datetime.now(UTC) - (k.NOW - timedelta(days=30))).days
    row = "• Deployment `payments-api` · 3/3 ready · 0 restarts · HPA 3/10 (min 2) · `1.4.2`"
    assert f"{row} · {age}d" in text
    assert "All healthy" in text
    assert ws.buttons(reply) == ["Share in channel"]
    assert k.SECRET_VALUE not in str(reply)
    assert not [p for p in api.paths() if "secrets" in p or "configmaps" in p]


def test_k8s_lists_findings_worst_first_with_explanation_and_fix(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(*crash("payments-api"))
    ws = kube.serve()

    text = ws.text(ws.ask("k8s payments-api"))

    assert "failing" in text and "*3 problems* (1 critical, 2 warning)" in text
    assert ":warning: *1/2 ready*" in text and "*9 restarts*" in text and "HPA 2/2" in text
    findings = text[text.index("Findings, worst first") :]
    crash_at = findings.index("Container app keeps crashing (CrashLoopBackOff) (1 of 2 pods)")
    assert crash_at < findings.index("Deployment payments-api is at its autoscaling limit")
    assert "`prod-eu/payments/deployment/payments-api` · critical" in findings
    assert "Kubernetes says: back-off 5m0s" in findings
    assert "*Fix:* Read the logs of the crashed run (kubectl logs -n payments" in findings
    assert "*Fix:* Raise maxReplicas" in findings
    assert text.index("Deployment `payments-api`") < text.index("Findings, worst first")


def test_k8s_answers_in_time_when_one_of_two_clusters_hangs_and_names_it(
    kube: Kubernetes,
) -> None:
    kube.add_cluster("prod-eu").add(*k.healthy_service("payments-api"))
    kube.add_cluster("prod-us").hang()
    ws = kube.serve()

    ws.ask("k8s payments-api")  # the process's first question also waits for its connections
    started = time.monotonic()
    sent = ws.command("k8s payments-api")
    reply = ws.reply(sent)
    answered = time.monotonic() - started

    assert sent.seconds < 1.5
    # waits for the 2.5 s deadline, not for the hanging cluster (which would take 60 s);
    # the upper bound leaves room for a busy test machine (bench/k8s_slack_bench.py times it)
    assert 2.0 < answered < 6.0
    text = ws.text(reply)
    assert ":x: *prod-us* did not answer: timed out after 2.5 s" in text
    assert "*prod-eu* · namespace `payments`" in text and "All healthy" in text


def test_k8s_of_an_entity_without_kubernetes_annotations_says_what_to_add(
    kube: Kubernetes,
) -> None:
    api = kube.add_cluster("prod-eu")
    ws = kube.serve()

    text = ws.text(ws.ask("k8s billing-batch"))

    assert "No Kubernetes annotations: add backstage.io/kubernetes-id" in text
    assert api.requests == []


def test_k8s_of_an_unknown_entity_offers_did_you_mean(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(*k.healthy_service("payments-api"))
    ws = kube.serve()

    reply = ws.ask("k8s paymnts-api")

    assert "I could not find `paymnts-api` in the catalog. Did you mean:" in ws.text(reply)
    answer = ws.reply(ws.click(reply, "component:payments-api"))
    assert "Kubernetes: Payments API" in ws.text(answer)


def test_slack_syntax_in_a_warning_event_stays_inert(kube: Kubernetes) -> None:
    api = kube.add_cluster("prod-eu")
    api.add(*k.healthy_service("payments-api", replicas=1))
    pod = next(o for o in api.objects["pods"])["metadata"]["name"]
    api.add(
        k.event(
            "Pod",
            pod,
            "Unhealthy",
            "Readiness probe failed: <!channel> <@U0ALICE> <https://evil.example|login>",
            count=4,
            last_seen=datetime.now(UTC) - timedelta(minutes=1),
        )
    )
    ws = kube.serve()

    reply = ws.ask("k8s payments-api")

    assert "Readiness probe failed: <!channel> <@U0ALICE>" in ws.text(reply)  # shown as text
    assert "&lt;!channel&gt; &lt;@U0ALICE&gt;" in str(reply["blocks"])
    assert tokens(reply) == set()


# -- badges from the sweep -------------------------------------------------------------
def test_home_shows_a_health_badge_per_owned_service_after_a_sweep(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(*crash("payments-api"))
    ws = kube.serve()
    assert "Kubernetes health" not in ws.view_text(ws.open_home(ALICE))  # never swept

    kube.sweep()
    text = ws.view_text(ws.open_home(ALICE))

    assert "Kubernetes health* (1 failing) · swept just now" in text
    assert (
        ":red_circle: _failing_ *Payments API* `component:payments-api` — Container app keeps "
        "crashing (CrashLoopBackOff) (1 of 2 pods) (+2 more)"
    ) in text
    assert "billing-batch" not in text[text.index("Kubernetes health") :].split("\n")[1]


def test_team_page_shows_a_health_badge_per_swept_service(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(
        *crash("payments-api"), *k.healthy_service("checkout", labels=CHECKOUT)
    )
    ws = kube.serve()
    kube.sweep()

    payments = ws.text(ws.ask("team payments"))
    search = ws.text(ws.ask("team search", user=CAROL))

    start = payments.index("*Kubernetes health* (1 failing) · swept just now")
    health = payments[start : payments.index("checks one service now", start)]
    assert health.split("\n")[1].startswith(
        ":red_circle: _failing_ *Payments API* `component:payments-api` — Container app keeps"
    )
    assert "billing-batch" not in health  # no annotations: never swept, no badge
    assert ":large_green_circle: _healthy_: `component:checkout`" in search


# -- the sweep's alerts --------------------------------------------------------------------
def posts(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (c.args["channel"], ws.text(c.args)) for c in ws.slack.calls("chat.postMessage") if c.ok
    ]


def test_the_sweep_tells_each_team_once_per_problem_then_once_when_resolved(
    kube: Kubernetes,
) -> None:
    api = kube.add_cluster("prod-eu")
    api.add(*crash("payments-api"), *crash("checkout", labels=CHECKOUT), *crash("ledger"))
    kube.extra["team_channels"] = {"ledgers": "#ledger-oncall"}
    ws = kube.serve()

    first = kube.sweep()

    assert first.posted == 9 and first.failed == ()
    sent = posts(ws)
    assert [channel for channel, _ in sent] == ["#ledger-oncall", "#search", "C0PAYMENTS"]
    payments = sent[2][1]
    assert (
        "*Kubernetes* · `component:payments-api` (owned by `group:payments`): 3 new problems"
        in (payments)
    )
    assert payments.index("CrashLoopBackOff") < payments.index("autoscaling limit")
    assert "*Fix:*" in payments and "First seen" in payments
    assert "/greenroom k8s component:payments-api` shows it now" in payments

    assert kube.sweep().posted == 0  # still broken: nothing new to say
    assert len(posts(ws)) == 3

    api.clear()
    api.add(*k.healthy_service("payments-api"), *crash("checkout", labels=CHECKOUT))
    api.add(*crash("ledger"))
    assert kube.sweep().posted == 0  # one clean sweep is not yet "resolved"
    resolved = kube.sweep()

    assert resolved.posted == 3
    channel, note = posts(ws)[3]
    assert channel == "C0PAYMENTS" and "3 resolved" in note
    assert ":white_check_mark: *Resolved:* Container app keeps crashing" in note
    assert kube.sweep().posted == 0
    assert len(posts(ws)) == 4


def test_the_sweep_retries_a_rate_limited_post(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(*crash("payments-api"))
    ws = kube.serve()
    ws.slack.rate_limit("chat.postMessage", retry_after=1)

    outcome = kube.sweep()

    calls = ws.slack.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert outcome.posted == 3 and outcome.failed == ()
    assert calls[1].args["channel"] == "C0PAYMENTS"


def test_a_refused_post_is_reported_and_not_retried_by_the_next_sweep(kube: Kubernetes) -> None:
    kube.add_cluster("prod-eu").add(*crash("payments-api"), *crash("checkout", labels=CHECKOUT))
    ws = kube.serve()
    ws.slack.fail("chat.postMessage", error="channel_not_found")

    outcome = kube.sweep()

    assert {n.entity.name for n, _ in outcome.failed} == {"checkout"}  # #search comes first
    assert "Slack refused the health alert for #search: channel_not_found" in outcome.failed[0][1]
    assert [c for c, _ in posts(ws)] == ["C0PAYMENTS"]
    assert kube.sweep().posted == 0  # at most once: state was committed before posting


def test_a_service_with_many_workloads_is_paged_and_every_page_fits_slack(
    kube: Kubernetes,
) -> None:
    labels = {k.KUBE_ID: "payments-api"}
    api = kube.add_cluster("prod-eu")
    api.add(*(k.deployment(f"worker-{i:02d}", labels=labels) for i in range(30)))
    api.add(*crash("payments-api"))
    ws = kube.serve()

    first = ws.ask("k8s payments-api")

    # the fix buttons (commands/actions) come first, then paging and sharing
    assert ws.buttons(first)[-2:] == ["Show more", "Share in channel"]
    assert "Restart payments-api" in ws.buttons(first)  # no revision history: not a new image
    assert "*3 problems*" in ws.text(first) and "Findings, worst first" not in ws.text(first)
    second = ws.reply(ws.click(first, "Show more"))
    assert "Findings, worst first" in ws.text(second) and "*3 problems*" in ws.text(second)
    assert all(len(page["blocks"]) <= 50 for page in (first, second))


def test_k8s_of_a_component_that_runs_only_cronjobs_lists_them_and_points_to_pipeline(
    kube: Kubernetes,
) -> None:
    ran = k.NOW - timedelta(hours=9)
    kube.add_cluster("prod-eu").add(
        k.cronjob("ledger-export", schedule="0 3 * * *", last_schedule=ran, last_success=ran),
        k.job("ledger-export-29100", cronjob_name="ledger-export", started=ran),
        k.job_pod("ledger-export-29100", labels={k.KUBE_ID: "ledger-export"}, terminated=None),
    )
    ws = kube.serve()

    text = ws.text(ws.ask("k8s ledger-export"))

    assert "nothing matches" not in text
    assert "It runs as 1 CronJob, no Deployment or StatefulSet" in text
    assert "Ask `/greenroom pipeline ledger-export`" in text
    assert "CronJob `ledger-export` in `prod-eu/data` · `0 3 * * *`" in text
    assert "last success" in text and "hunter2" not in text
