"""``/greenroom pipeline``, ``/greenroom lineage``, the pipelines sections of Home and team
pages, and the pipelines sweep's alerts: the real server, the loopback Slack, a fake Airflow
(stable REST API), a fake Marquez and a fake Kubernetes API server reached by the real clients."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.loopback import kubernetes_objects as k
from bot.loopback.airflow_api import FakeAirflow, dag, dag_run, dataset, task_instance
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from bot.loopback.marquez_api import FakeMarquez
from commands.pipelines.sweep import PipelinesSweepOutcome, run_pipelines_sweep
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, CAROL, Workspace

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: data, title: Data platform, annotations: {slack.com/channel: C0DATA}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: analytics, annotations: {slack.com/channel: "#analytics"}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: ml, annotations: {slack.com/channel: "#ml"}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [data]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: carol@acme.example}, memberOf: [analytics]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-etl
  title: Orders ETL
  annotations:
    greenroom.dev/airflow-dag-id: orders_hourly
    greenroom.dev/openlineage-namespace: airflow://prod
    greenroom.dev/openlineage-name: orders_hourly
    pagerduty.com/service-id: PORDERS
spec:
  type: data-pipeline
  lifecycle: production
  owner: data
  dependsOn: [resource:raw-orders]
  dependencyOf: [resource:orders]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: raw-orders, title: Raw orders}
spec: {type: table, owner: data}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: orders
  title: Orders (hourly)
  annotations: {greenroom.dev/expected-interval: 1h}
spec: {type: dataset, owner: data}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: revenue-report, title: Revenue report}
spec:
  type: data-pipeline
  lifecycle: production
  owner: analytics
  dependsOn: [resource:orders, resource:features]
  dependencyOf: [resource:revenue]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: revenue}
spec: {type: table, owner: analytics}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: churn-model, title: Churn model}
spec:
  type: ml-pipeline
  lifecycle: production
  owner: ml
  dependsOn: [resource:revenue, resource:ghost-events]
  dependencyOf: [resource:features]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: features}
spec: {type: model, owner: ml}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: nightly-export
  title: Nightly export
  annotations:
    backstage.io/kubernetes-id: nightly-export
    backstage.io/kubernetes-namespace: data
spec:
  type: data-pipeline
  lifecycle: production
  owner: data
  dependencyOf: [resource:exports]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: exports}
spec: {type: dataset, owner: data}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: analytics}
"""
PASSWORD = "s3cret-airflow-pass"


def hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def good_runs(dag_id: str, now: datetime, count: int = 5) -> list[dict[str, Any]]:
    """Hourly runs that succeeded, the newest ended 5 minutes ago (runs start when their data
    interval ends, so none is due yet)."""
    last = now - timedelta(minutes=70)
    return [dag_run(dag_id, last - timedelta(hours=i), "success") for i in range(count)]


def failed_run(dag_id: str, now: datetime) -> dict[str, Any]:
    """The newest run, failed 5 minutes ago at load_orders (after a run that succeeded)."""
    tasks = (
        task_instance("extract"),
        task_instance("load_orders", "failed", try_number=3, max_tries=2),
        task_instance("publish", "upstream_failed"),
    )
    return dag_run(dag_id, now - timedelta(minutes=70), "failed", tasks=tasks)


@dataclass
class Pipelines:
    """Fake engines, the settings that reach them, and greenroom served over them."""

    engine: Engine
    database_url: str
    tmp_path: Path
    serve_greenroom: Callable[..., Workspace]
    slack_url: str
    airflow: FakeAirflow = field(default_factory=lambda: FakeAirflow(password=PASSWORD))
    marquez: FakeMarquez | None = None
    clusters: dict[str, FakeKubernetesApi] = field(default_factory=dict)
    password: str = PASSWORD
    runtimes: list[Runtime] = field(default_factory=list)

    def add_cluster(self, name: str) -> FakeKubernetesApi:
        self.clusters[name] = FakeKubernetesApi().start()
        return self.clusters[name]

    def settings(self) -> dict[str, Any]:
        pipelines: dict[str, Any] = {
            "airflow": [
                {
                    "name": "prod",
                    "url": self.airflow.url,
                    "username": "greenroom",
                    "password_env": "AIRFLOW_PROD_PASSWORD",
                }
            ]
        }
        if self.marquez is not None:
            pipelines["marquez"] = {"url": self.marquez.url}
        config: dict[str, Any] = {"pipelines": pipelines}
        if self.clusters:
            kubeconfig = write_kubeconfig(
                self.tmp_path / "kubeconfig.yaml",
                {name: (api.url, api.token) for name, api in self.clusters.items()},
            )
            clusters = [
                {"name": n, "type": "kubeconfig", "kubeconfig": str(kubeconfig), "context": n}
                for n in self.clusters
            ]
            config["kubernetes"] = {"clusters": clusters}
        return config

    def environ(self) -> dict[str, str]:
        return {"AIRFLOW_PROD_PASSWORD": self.password}

    def serve(self) -> Workspace:
        return self.serve_greenroom(config=self.settings(), environ=self.environ())

    def sweep(self) -> PipelinesSweepOutcome:
        """What the worker does every few minutes."""
        if not self.runtimes:
            environ = {"SLACK_BOT_TOKEN": "xoxb-loopback-token", "SLACK_API_URL": self.slack_url}
            environ |= {"SLACK_SIGNING_SECRET": SIGNING_SECRET, **self.environ()}
            settings = load_settings(
                None,
                environ=environ,
                database_url=self.database_url,
                data_dir=self.tmp_path,
                **self.settings(),
            )
            self.runtimes.append(Runtime(settings, self.engine))
        return run_pipelines_sweep(self.runtimes[0], min_interval=0)

    def close(self) -> None:
        for runtime in self.runtimes:
            runtime.clusters.close()
        self.airflow.close()
        if self.marquez is not None:
            self.marquez.close()
        for api in self.clusters.values():
            api.close()


@pytest.fixture
def airflow_version() -> int:
    """Airflow 2's stable API; tests that hold for both say
    ``@both_airflows`` (which parametrises this)."""
    return 1


both_airflows = pytest.mark.parametrize("airflow_version", [1, 2], ids=["airflow2", "airflow3"])


@pytest.fixture
def lines(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    slack_api: Any,
    airflow_version: int,
) -> Iterator[Pipelines]:
    write_catalog(COMPANY)
    world = Pipelines(
        engine,
        database_url,
        tmp_path,
        serve_greenroom,
        slack_api.api_url,
        airflow=FakeAirflow(password=PASSWORD, api_version=airflow_version),
    )
    world.airflow.start()
    yield world
    world.close()


def posts(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (c.args["channel"], ws.text(c.args)) for c in ws.slack.calls("chat.postMessage") if c.ok
    ]


# -- /greenroom pipeline ------------------------------------------------------------------
@both_airflows
def test_a_failing_dag_shows_its_failing_task_log_link_owner_and_on_call(
    lines: Pipelines,
) -> None:
    now = datetime.now(UTC)
    lines.airflow.add(
        dag("orders_hourly"), *good_runs("orders_hourly", now)[1:], failed_run("orders_hourly", now)
    )
    ws = lines.serve()

    sent = ws.command("pipeline orders-etl")
    reply = ws.reply(sent)
    text = ws.text(reply)

    assert sent.seconds < 1.5  # acked before Airflow was asked
    assert "Pipeline: Orders ETL" in text
    assert (
        ":red_circle: _failing_ — The last run of DAG orders_hourly failed at task load_orders"
        in (text)
    )
    assert "*Owner:* *Data platform* `group:data`" in text
    assert "*On call:* #C0DATA, PagerDuty service `PORDERS`" in text
    assert "failing task `load_orders` try 3 of 3" in text
    blocks = str(reply["blocks"])
    if lines.airflow.api_version == 1:
        assert f"{lines.airflow.url}/dags/orders_hourly/grid?dag_run_id=" in blocks
        assert "task_id=load_orders&tab=logs|log>" in blocks
    else:  # Airflow 3's UI: a page per run and per task instance
        assert f"{lines.airflow.url}/dags/orders_hourly/runs/scheduled__" in blocks
        assert "/tasks/load_orders/logs|log>" in blocks
    assert "*Writes*" in text and "`resource:orders`" in text and "*Reads*" in text
    assert "*Fix:* Read the failing task's log" in text
    assert PASSWORD not in blocks
    auth = [a for p, a in lines.airflow.requests if p.startswith("/api/") and "/version" not in p]
    scheme = "Basic " if lines.airflow.api_version == 1 else "Bearer "
    assert auth and all(a and a.startswith(scheme) for a in auth)


@both_airflows
def test_a_late_dataset_shows_how_late_and_since_when(lines: Pipelines) -> None:
    now = datetime.now(UTC)
    stale = [dag_run("orders_hourly", hour(now) - timedelta(hours=h), "success") for h in (5, 6, 7)]
    lines.airflow.add(dag("orders_hourly", paused=True), *stale)
    ws = lines.serve()

    text = ws.text(ws.ask("pipeline orders-etl"))

    assert ":hourglass: *late by" in text and "expected every 1h" in text
    assert "DAG orders_hourly is paused" in text
    assert ":hourglass: _late_" in text or ":red_circle: _failing_" not in text


@pytest.mark.parametrize("airflow_version", [2], ids=["airflow3"])
def test_airflow_3s_token_is_fetched_again_when_it_expires_between_questions(
    lines: Pipelines,
) -> None:
    now = datetime.now(UTC)
    lines.airflow.add(
        dag("orders_hourly"), *good_runs("orders_hourly", now)[1:], failed_run("orders_hourly", now)
    )
    ws = lines.serve()

    first = ws.text(ws.ask("pipeline orders-etl"))
    lines.airflow.expire_tokens()  # a day later, as far as the JWT is concerned
    second = ws.text(ws.ask("pipeline orders-etl"))

    said = "The last run of DAG orders_hourly failed at task load_orders"
    assert said in first and said in second
    assert len(lines.airflow.issued) == 2  # one token per day, not one per question
    assert [p for p, _ in lines.airflow.requests].count("/api/v2/version") == 1
    assert PASSWORD not in second


@both_airflows
def test_an_airflow_that_hangs_is_named_and_the_answer_still_comes_in_time(
    lines: Pipelines,
) -> None:
    lines.airflow.hang()
    ws = lines.serve()

    started = time.monotonic()
    sent = ws.command("pipeline orders-etl")
    reply = ws.reply(sent)
    answered = time.monotonic() - started

    assert sent.seconds < 1.5
    assert 2.0 < answered < 4.5  # the 2.5 s deadline, not Airflow's 60 s hang
    text = ws.text(reply)
    assert ":x: *Airflow prod* did not answer: Airflow prod did not answer within 2.5 s" in text
    assert ":white_circle: _unknown_" in text


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (401, "Airflow prod refused greenroom's credentials (401): check the user and the secret"),
        (403, "Airflow prod forbids greenroom to read this (403): give its user the Viewer role"),
    ],
)
@both_airflows
def test_airflow_auth_errors_say_what_to_fix(lines: Pipelines, status: int, said: str) -> None:
    if status == 401:
        lines.password = "wrong"
    else:
        lines.airflow.fail(403)
    ws = lines.serve()

    text = ws.text(ws.ask("pipeline orders-etl"))

    assert said in text
    assert "wrong" not in text and PASSWORD not in text


def test_a_cronjob_whose_last_job_was_oomkilled_says_so_with_a_fix(lines: Pipelines) -> None:
    now = datetime.now(UTC)
    api = lines.add_cluster("prod-eu")
    last = now - timedelta(hours=2)
    api.add(
        k.cronjob(
            "nightly-export",
            schedule=f"{last.minute} {last.hour} * * *",
            last_schedule=last,
            last_success=now - timedelta(days=1, hours=2),
        ),
        k.job(
            "nightly-export-1",
            cronjob_name="nightly-export",
            started=now - timedelta(days=1, hours=2),
        ),
        k.job(
            "nightly-export-2",
            cronjob_name="nightly-export",
            started=last,
            outcome="Failed",
        ),
        k.job_pod("nightly-export-2", labels={k.KUBE_ID: "nightly-export"}, finished=last),
        k.secret("nightly-export-source", namespace="data"),
    )
    ws = lines.serve()

    reply = ws.ask("pipeline nightly-export")
    text = ws.text(reply)

    assert (
        ":red_circle: _failing_ — The last Job nightly-export-2 failed: container job was " in text
    )
    assert "killed for using too much memory (OOMKilled)" in text
    assert "*Kubernetes prod-eu* · CronJob `nightly-export` · schedule" in text
    assert "failing task `job` (OOMKilled)" in text
    assert "*Fix:* Raise the container's memory limit" in text
    assert k.SECRET_VALUE not in str(reply)
    assert not [p for p in api.paths() if "secrets" in p or "configmaps" in p]


def test_pipeline_of_a_service_says_it_is_not_a_pipeline(lines: Pipelines) -> None:
    ws = lines.serve()

    text = ws.text(ws.ask("pipeline checkout"))

    assert "component:checkout is not a pipeline" in text or "checkout is not a pipeline" in text


# -- /greenroom lineage -------------------------------------------------------------------
def test_lineage_downstream_lists_levels_with_owners_and_who_to_tell(lines: Pipelines) -> None:
    ws = lines.serve()

    reply = ws.ask("lineage orders --down")
    text = ws.text(reply)

    assert "Lineage of Orders (hourly)" in text
    assert "*Who is affected if this is late:* 2 teams to tell" in text
    assert "• Tell `group:analytics` #analytics (2): `component:revenue-report`" in text
    assert "• Tell `group:ml` #ml (1): `component:churn-model`" in text
    assert (
        "_downstream level 1_\n• :gear: *Revenue report* `component:revenue-report` · owner "
        in (text)
    )
    assert "`group:data`" not in text.split("Who is affected")[1].split("_downstream")[0]


def test_lineage_with_a_cycle_and_a_dataset_missing_from_the_catalog(lines: Pipelines) -> None:
    ws = lines.serve()

    text = ws.text(ws.ask("lineage churn-model --up --depth all"))

    assert ":repeat: *Loop in the lineage:*" in text
    assert ":grey_question: *1 not in the catalog:* `resource:default/ghost-events`" in text
    assert "`resource:ghost-events` · :grey_question: _not in the catalog_" in text
    upstream = text.split("*Upstream*")[1]
    assert upstream.count("`component:revenue-report`") == 1  # each node once despite the loop
    assert "`component:orders-etl`" in upstream  # and the walk went on past the loop


def test_lineage_merges_openlineage_from_marquez(lines: Pipelines) -> None:
    lines.marquez = FakeMarquez().start()
    lines.marquez.add_job(
        "airflow://prod",
        "orders_hourly",
        inputs=(("postgres://shop:5432", "public.orders"),),
        outputs=(("s3://lake", "orders/hourly"),),
    )
    ws = lines.serve()

    text = ws.text(ws.ask("lineage orders-etl --up"))

    assert "From catalog relations, Marquez, Airflow prod" in text
    missing = "`postgres://shop:5432/public.orders` · :grey_question: _not in the catalog_"
    assert f"{missing} (named by OpenLineage)" in text
    assert "`resource:raw-orders`" in text
    assert lines.marquez.requests[0].startswith("/api/v1/lineage?nodeId=job%3Aairflow")


def test_lineage_answers_in_time_when_marquez_hangs(lines: Pipelines) -> None:
    lines.marquez = FakeMarquez().start()
    lines.marquez.hang()
    ws = lines.serve()

    started = time.monotonic()
    text = ws.text(ws.ask("lineage orders-etl --down"))

    assert time.monotonic() - started < 4.5
    assert "Marquez did not answer within 2.5 s: its lineage is missing." in text
    assert "`resource:orders`" in text


# -- the sweep --------------------------------------------------------------------------------
@both_airflows
def test_the_sweep_tells_the_owner_once_and_once_when_it_recovers(lines: Pipelines) -> None:
    now = datetime.now(UTC)
    lines.airflow.add(
        dag("orders_hourly"), *good_runs("orders_hourly", now)[1:], failed_run("orders_hourly", now)
    )
    ws = lines.serve()

    first = lines.sweep()

    mine = [(c, t) for c, t in posts(ws) if c == "C0DATA"]
    assert len(mine) == 1 and first.failed == ()
    assert "*Pipeline* · `component:orders-etl` (owned by `group:data`): " in mine[0][1]
    assert "The last run of DAG orders_hourly failed at task load_orders" in mine[0][1]
    assert "/greenroom pipeline component:orders-etl` shows it now" in mine[0][1]

    before = len(posts(ws))
    lines.sweep()
    assert len(posts(ws)) == before  # still failing: nothing new to say

    lines.airflow.runs.clear()
    lines.airflow.add(dag("orders_hourly"), *good_runs("orders_hourly", now))
    lines.sweep()
    resolved = posts(ws)[before:]
    assert [c for c, _ in resolved] == ["C0DATA"]
    assert (
        ":white_check_mark: *Resolved:* The last run of DAG orders_hourly failed" in resolved[0][1]
    )
    lines.sweep()
    assert len(posts(ws)) == before + 1


@both_airflows
def test_a_late_dataset_is_told_downstream_once(lines: Pipelines) -> None:
    now = datetime.now(UTC)
    stale = [dag_run("orders_hourly", hour(now) - timedelta(hours=h), "success") for h in (5, 6, 7)]
    lines.airflow.add(dag("orders_hourly", schedule="0 */6 * * *"), *stale)
    ws = lines.serve()

    lines.sweep()
    lines.sweep()

    sent = posts(ws)
    downstream = [(c, t) for c, t in sent if "Upstream data is late" in t]
    assert sorted(c for c, _ in downstream) == ["#analytics", "#ml"]
    analytics = next(t for c, t in downstream if c == "#analytics")
    assert "`resource:orders` (written by `component:orders-etl`, owned by `group:data`)" in (
        analytics
    )
    assert "Yours downstream of it: `component:revenue-report`, `resource:revenue`" in analytics
    assert [c for c, t in sent if "is late by" in t and "Pipeline" in t] == ["C0DATA"]


def test_home_and_team_page_show_pipelines_failing_late_and_healthy(lines: Pipelines) -> None:
    now = datetime.now(UTC)
    lines.airflow.add(
        dag("orders_hourly"), *good_runs("orders_hourly", now)[1:], failed_run("orders_hourly", now)
    )
    ws = lines.serve()
    assert "*Pipelines*" not in ws.view_text(ws.open_home(ALICE))  # never swept

    lines.sweep()
    home = ws.view_text(ws.open_home(ALICE))
    team = ws.text(ws.ask("team analytics", user=CAROL))

    assert "*Pipelines* (1 failing" in home
    assert ":red_circle: _failing_ *Orders ETL* `component:orders-etl` — The last run" in home
    assert "/greenroom pipeline <name>` checks one pipeline now" in home
    assert "*Pipelines* (" in team and "`component:revenue-report`" in team


@both_airflows
def test_lineage_merges_airflow_datasets_and_names_dags_the_catalog_lacks(
    lines: Pipelines,
) -> None:
    lines.airflow.datasets.append(
        dataset(
            "s3://lake/orders/",
            producers=(("orders_hourly", "publish"),),
            consumers=("ml_scoring",),
        )
    )
    ws = lines.serve()

    text = ws.text(ws.ask("lineage orders-etl --down --depth 2"))

    assert "From catalog relations, Airflow prod" in text
    assert "`s3://lake/orders/` · :grey_question: _not in the catalog_ (named by Airflow)" in text
    assert "`ml_scoring` · :grey_question: _not in the catalog_ (named by Airflow)" in text
