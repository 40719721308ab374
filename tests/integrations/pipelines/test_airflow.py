"""The Airflow adapter against the loopback Airflow (real HTTP), speaking Airflow 2's stable REST
API (``/api/v1``) or Airflow 3's public API (``/api/v2``): findings with fixes and log links,
auth and timeout errors in words, datasets (assets) paged; and what only Airflow 3 has: a JWT
that expires, the API version asked once, assets read by tasks."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from pydantic import SecretStr

from bot.loopback.airflow_api import FakeAirflow, dag, dag_run, dataset, task_instance
from bot.loopback.marquez_api import FakeMarquez
from integrations.pipelines.airflow import AirflowClient, airflow_report
from integrations.pipelines.config import AirflowInstance
from integrations.pipelines.errors import EngineAuthFailed, EngineUnreachable
from integrations.pipelines.model import RunState

NOW = datetime(2026, 5, 4, 12, 20, tzinfo=UTC)
FAKE_PW = "loopback-pw-7c1d"  # the loopback Airflow's, nothing real


@pytest.fixture(params=[1, 2], ids=["airflow2", "airflow3"])
def airflow(request: pytest.FixtureRequest) -> Iterator[FakeAirflow]:
    with FakeAirflow(password=FAKE_PW, api_version=request.param) as fake:
        yield fake


@pytest.fixture
def airflow3() -> Iterator[FakeAirflow]:
    with FakeAirflow(password=FAKE_PW, api_version=2) as fake:
        yield fake


def client(
    fake: FakeAirflow,
    *,
    secret: str | None = FAKE_PW,
    timeout: float = 2.5,
    api_version: str = "auto",
    url: str | None = None,
) -> AirflowClient:
    instance = AirflowInstance(
        name="prod", url=url or fake.url, username="greenroom", api_version=api_version
    )
    if secret is not None:
        instance = instance.model_copy(update={"password": SecretStr(secret)})
    return AirflowClient(instance, timeout=timeout)


def log_link(fake: FakeAirflow, run_id: str, task_id: str) -> str:
    """Where each UI shows a task's log: Airflow 2's grid tab, Airflow 3's task page."""
    if fake.api_version == 1:
        return f"{fake.url}/dags/orders/grid?dag_run_id={quote(run_id)}&task_id={task_id}&tab=logs"
    return f"{fake.url}/dags/orders/runs/{quote(run_id, safe='')}/tasks/{task_id}/logs"


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
    assert finding.log_url == log_link(airflow, failed["dag_run_id"], "load")
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


def test_credentials_are_checked_and_never_shown(
    airflow: FakeAirflow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EngineAuthFailed) as wrong:
        airflow_report(client(airflow, secret="nope-wrong-pw"), "orders", now=NOW)
    with pytest.raises(EngineAuthFailed) as missing:
        airflow_report(client(airflow, secret=None), "orders", now=NOW)
    airflow.fail(403)
    right = client(airflow)
    with pytest.raises(EngineAuthFailed) as forbidden:
        airflow_report(right, "orders", now=NOW)

    assert "refused greenroom's credentials (401): check the user" in wrong.value.user_message
    assert "no credentials are configured" in missing.value.user_message
    assert "Viewer role" in forbidden.value.user_message
    shown = [wrong.value.user_message, missing.value.user_message, forbidden.value.user_message]
    shown += [caplog.text, repr(right.instance), str(right.instance.model_dump())]
    assert not [s for s in shown if "nope-wrong-pw" in s or FAKE_PW in s]


def test_a_hanging_airflow_times_out_in_words(airflow: FakeAirflow) -> None:
    airflow.hang()
    started = time.monotonic()

    with pytest.raises(EngineUnreachable, match=r"Airflow prod did not answer within 0\.5 s"):
        airflow_report(client(airflow, timeout=0.5), "orders", now=NOW)

    assert time.monotonic() - started < 2


def test_a_hanging_airflow_does_not_make_threads_sharing_a_client_queue(
    airflow: FakeAirflow,
) -> None:
    airflow.hang()
    shared = client(airflow, timeout=0.3)  # the sweep asks 8 pipelines at a time through one
    started = time.monotonic()

    with ThreadPoolExecutor(16) as pool:
        asks = [pool.submit(airflow_report, shared, f"dag{i}", now=NOW) for i in range(16)]
        errors = [a.exception() for a in asks]

    assert all(isinstance(e, EngineUnreachable) for e in errors)
    assert {str(e) for e in errors} == {"Airflow prod did not answer within 0.3 s"}
    assert time.monotonic() - started < 2  # not 16 x 0.3 s in a queue for the version probe


def test_datasets_are_read_page_by_page(airflow: FakeAirflow) -> None:
    airflow.datasets += [dataset(f"s3://lake/{i}", producers=(("a", "t"),)) for i in range(150)]

    uris = [d["uri"] for d in client(airflow).datasets()]

    assert len(uris) == 150 and uris[-1] == "s3://lake/149"


def test_a_dag_scheduled_every_few_hours_has_that_interval(airflow: FakeAirflow) -> None:
    every = timedelta(hours=6)
    runs = [dag_run("sync", NOW - every * i, interval=every) for i in range(1, 4)]
    airflow.add(dag("sync", every=every), *runs)

    report = airflow_report(client(airflow), "sync", now=NOW)

    assert report.interval == every and rules(report) == []


def test_a_manual_run_is_the_newest_though_airflow_3_gives_it_no_logical_date(
    airflow: FakeAirflow,
) -> None:
    manual = dag_run("orders", NOW - timedelta(minutes=50), "failed", run_type="manual")
    airflow.add(dag("orders"), *hourly("orders"), manual)

    report = airflow_report(client(airflow), "orders", now=NOW)

    assert report.runs[0].run_id == manual["dag_run_id"] and report.runs[0].run_type == "manual"
    assert rules(report) == ["run-failed"]


def test_the_api_version_is_asked_once_per_client(airflow: FakeAirflow) -> None:
    airflow.add(dag("orders"), *hourly("orders"))
    auto = client(airflow)

    for _ in range(3):
        airflow_report(auto, "orders", now=NOW)

    asked = [path for path, _ in airflow.requests if path.endswith("/version")]
    assert auto.api_version == airflow.api_version
    assert asked == (
        ["/api/v2/version"] if airflow.api_version == 2 else ["/api/v2/version", "/api/v1/version"]
    )


def test_a_configured_api_version_is_not_asked(airflow: FakeAirflow) -> None:
    airflow.add(dag("orders"), *hourly("orders"))

    report = airflow_report(
        client(airflow, api_version=str(airflow.api_version)), "orders", now=NOW
    )

    assert rules(report) == [] and not [p for p, _ in airflow.requests if p.endswith("/version")]


def test_the_wrong_api_version_is_said_not_taken_for_a_missing_dag(airflow: FakeAirflow) -> None:
    airflow.add(dag("orders"), *hourly("orders"))
    other = "1" if airflow.api_version == 2 else "2"
    wrong = client(airflow, api_version=other)
    if other == "1":  # Airflow 3 has no /api/v1: the DAG's path is not found
        expected = r"Airflow prod has no /api/v1 \(GET /api/v1/dags/orders answered 404"
    else:  # Airflow 2 has no /auth/token to trade the password for a JWT
        expected = r"gives no token .*or it is Airflow 2, so set api_version to 1 or auto"

    with pytest.raises(EngineUnreachable, match=expected):
        airflow_report(wrong, "orders", now=NOW)


def test_a_server_that_speaks_neither_api_is_named() -> None:
    with FakeMarquez() as marquez:  # a url pointing at the wrong service
        url = marquez.url
        instance = AirflowInstance(name="prod", url=url, username="greenroom")
        lost = AirflowClient(instance, timeout=2.5)

        with pytest.raises(EngineUnreachable) as neither:
            airflow_report(lost, "orders", now=NOW)

    assert neither.value.user_message == (
        f"Airflow prod speaks neither Airflow 3's public API nor Airflow 2's stable REST API at "
        f"{url} (/api/v2/version answered 404, /api/v1/version answered 404): check "
        "the url in pipelines.airflow[prod], or set its api_version to 1 or 2"
    )


def test_airflow_3s_token_is_fetched_once_and_again_when_it_expires(airflow3: FakeAirflow) -> None:
    airflow3.add(dag("orders"), *hourly("orders"))
    reader = client(airflow3)

    airflow_report(reader, "orders", now=NOW)
    airflow_report(reader, "orders", now=NOW)
    [first] = airflow3.issued
    airflow3.expire_tokens()
    report = airflow_report(reader, "orders", now=NOW)

    assert rules(report) == [] and len(airflow3.issued) == 2
    assert [p for p, _ in airflow3.requests].count("/auth/token") == 2
    _, claims, _ = first.split(".")
    assert json.loads(base64.urlsafe_b64decode(claims + "==")).keys() >= {"sub", "exp"}
    sent = [a for p, a in airflow3.requests if p.startswith("/api/v2/dags")]
    assert set(sent) == {f"Bearer {t}" for t in airflow3.issued}  # never the password


def test_a_token_refused_as_soon_as_issued_is_an_auth_error_not_a_loop() -> None:
    with FakeAirflow(password=FAKE_PW, api_version=2, token_seconds=0) as fake:
        fake.add(dag("orders"), *hourly("orders"))

        with pytest.raises(EngineAuthFailed, match=r"refused greenroom's credentials \(401\)"):
            airflow_report(client(fake), "orders", now=NOW)

        assert [p for p, _ in fake.requests].count("/auth/token") == 2


def test_a_configured_bearer_token_is_sent_as_is_to_airflow_3(airflow3: FakeAirflow) -> None:
    airflow3.token = "static-token-for-greenroom"
    airflow3.add(dag("orders"), *hourly("orders"))
    instance = AirflowInstance(name="prod", url=airflow3.url, api_version="2")
    instance = instance.model_copy(update={"token": SecretStr(airflow3.token)})

    report = airflow_report(AirflowClient(instance, timeout=2.5), "orders", now=NOW)
    airflow3.token = "rotated"  # greenroom's is no longer accepted: nothing to refresh it with
    with pytest.raises(EngineAuthFailed, match=r"refused greenroom's credentials \(401\)"):
        airflow_report(AirflowClient(instance, timeout=2.5), "orders", now=NOW)

    assert rules(report) == [] and not airflow3.issued
    assert "/auth/token" not in [p for p, _ in airflow3.requests]


def test_airflow_3s_assets_name_the_dags_that_read_them(airflow: FakeAirflow) -> None:
    airflow.datasets.append(
        dataset(
            "s3://lake/orders/",
            producers=(("orders_hourly", "load"),),
            consumers=("revenue_daily",),
            readers=(("ml_scoring", "features"), ("revenue_daily", "join")),
        )
    )

    [(uri, writers, readers)] = client(airflow).dataset_links()

    assert uri == "s3://lake/orders/" and writers == ["orders_hourly"]
    # Airflow 2 knows only the DAGs scheduled on a dataset; Airflow 3 also the tasks reading it
    assert readers == (
        ["revenue_daily"] if airflow.api_version == 1 else ["revenue_daily", "ml_scoring"]
    )


@pytest.mark.parametrize(("written", "kept"), [(1, "1"), (2, "2"), ("2", "2"), ("auto", "auto")])
def test_api_version_is_one_two_or_auto(written: object, kept: str) -> None:
    instance = AirflowInstance.model_validate(
        {"name": "prod", "url": "https://airflow.example.com", "api_version": written}
    )

    assert instance.api_version == kept


def test_an_unknown_api_version_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="api_version"):
        AirflowInstance.model_validate(
            {"name": "prod", "url": "https://airflow.example.com", "api_version": 3}
        )
