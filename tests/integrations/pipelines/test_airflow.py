"""The Airflow adapter against the loopback Airflow (real HTTP, the stable REST API's shapes):
findings with fixes and log links, auth and timeout errors in words, datasets paged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from bot.loopback.airflow_api import FakeAirflow, dag, dag_run, dataset, task_instance
from integrations.pipelines.airflow import AirflowClient, airflow_report
from integrations.pipelines.config import AirflowInstance
from integrations.pipelines.errors import EngineAuthFailed, EngineUnreachable
from integrations.pipelines.model import RunState

NOW = datetime(2026, 5, 4, 12, 20, tzinfo=UTC)
FAKE_PW = "pw"  # the loopback Airflow's, nothing real


@pytest.fixture
def airflow() -> Iterator[FakeAirflow]:
    with FakeAirflow(password=FAKE_PW) as fake:
        yield fake


def client(
    fake: FakeAirflow, *, secret: str | None = FAKE_PW, timeout: float = 2.5
) -> AirflowClient:
    instance = AirflowInstance(name="prod", url=fake.url, username="greenroom")
    if secret is not None:
        instance = instance.model_copy(update={"password": SecretStr(secret)})
    return AirflowClient(instance, timeout=timeout)


def hourly(dag_id: str, count: int = 4) -> list[dict[str, object]]:
    last = NOW.replace(minute=0) - timedelta(hours=1)
    return [dag_run(dag_id, last - timedelta(hours=i), "success") for i in range(count)]


def rules(report: object) -> list[str]:
    return [f.rule for f in report.findings]  # type: ignore[attr-defined]


def test_a_healthy_dag_has_runs_a_usual_length_and_no_findings(airflow: FakeAirflow) -> None:
    airflow.add(dag("orders"), *hourly("orders"))

    report = airflow_report(client(airflow), "orders", now=NOW)

    assert rules(report) == []
    assert report.last_success == NOW.replace(minute=5)
    assert report.usual_seconds == 300 and report.schedule == "0 * * * *"
    assert [r.state for r in report.runs] == [RunState.SUCCESS] * 4


def test_a_failed_run_names_its_failed_task_with_a_log_link(airflow: FakeAirflow) -> None:
    failed = dag_run(
        "orders",
        NOW.replace(minute=0) - timedelta(hours=1),
        "failed",
        tasks=(task_instance("extract"), task_instance("load", "failed", try_number=3)),
    )
    airflow.add(dag("orders"), *hourly("orders")[1:], failed)

    report = airflow_report(client(airflow), "orders", now=NOW)

    [finding] = report.findings
    assert finding.title == "The last run of DAG orders failed at task load"
    assert finding.log_url is not None and "task_id=load&tab=logs" in finding.log_url
    assert [t.task_id for t in report.runs[0].failures] == ["load"]


def test_paused_retrying_and_missed_schedules_are_findings(airflow: FakeAirflow) -> None:
    running = dag_run(
        "orders",
        NOW - timedelta(minutes=65),  # started 5 minutes ago: not yet long
        "running",
        tasks=(task_instance("load", "up_for_retry", try_number=2, max_tries=3),),
    )
    airflow.add(dag("orders"), *hourly("orders")[1:], running)
    airflow.add(dag("paused", paused=True), *hourly("paused"))
    stale = [dag_run("stale", NOW - timedelta(hours=h), "success") for h in (6, 7)]
    airflow.add(dag("stale"), *stale)

    assert rules(airflow_report(client(airflow), "orders", now=NOW)) == ["task-retrying"]
    assert rules(airflow_report(client(airflow), "paused", now=NOW)) == ["dag-paused"]
    assert rules(airflow_report(client(airflow), "stale", now=NOW)) == ["missed-schedule"]


def test_an_unknown_dag_is_a_finding_not_an_error(airflow: FakeAirflow) -> None:
    report = airflow_report(client(airflow), "nope", now=NOW)

    assert rules(report) == ["dag-not-found"]


def test_credentials_are_checked_and_never_shown(airflow: FakeAirflow) -> None:
    with pytest.raises(EngineAuthFailed) as wrong:
        airflow_report(client(airflow, secret="nope"), "orders", now=NOW)
    with pytest.raises(EngineAuthFailed) as missing:
        airflow_report(client(airflow, secret=None), "orders", now=NOW)
    airflow.fail(403)
    with pytest.raises(EngineAuthFailed) as forbidden:
        airflow_report(client(airflow), "orders", now=NOW)

    assert "refused greenroom's credentials (401): check the user" in wrong.value.user_message
    assert "no credentials are configured" in missing.value.user_message
    assert "Viewer role" in forbidden.value.user_message
    assert "nope" not in wrong.value.user_message


def test_a_hanging_airflow_times_out_in_words(airflow: FakeAirflow) -> None:
    airflow.hang()
    started = time.monotonic()

    with pytest.raises(EngineUnreachable, match=r"Airflow prod did not answer within 0\.5 s"):
        airflow_report(client(airflow, timeout=0.5), "orders", now=NOW)

    assert time.monotonic() - started < 2


def test_datasets_are_read_page_by_page(airflow: FakeAirflow) -> None:
    airflow.datasets += [dataset(f"s3://lake/{i}", producers=(("a", "t"),)) for i in range(150)]

    uris = [d["uri"] for d in client(airflow).datasets()]

    assert len(uris) == 150 and uris[-1] == "s3://lake/149"
