"""Every KPI source against its loopback fake, through ``collect_kpis`` into the database
(SQLite and PostgreSQL): the happy path, paging, a rejected token, 429 with Retry-After, a
timeout, and an id the source no longer knows."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from bot.loopback.opencost_api import FakeOpenCost
from bot.loopback.pagerduty_api import TOKEN, FakePagerDuty
from bot.loopback.prometheus_api import FakePrometheus
from catalog import Catalog
from integrations.kpis.collect import build_source, collect_kpis
from integrations.kpis.model import KpiSource
from integrations.kpis.tables import kpi_gaps, kpi_values
from tests.fakes.opsgenie_api import KEY as OPSGENIE_KEY, FakeOpsgenie
from tests.fakes.sonarqube_api import TOKEN as SONAR_TOKEN, FakeSonarQube
from tests.scenarios.kpis_company import COMPANY, TODAY, YESTERDAY, at, settings

GH_TOKEN = "ghp_fake_token_0123456789"
GL_TOKEN = "glpat-fake-token-0123456789"


@pytest.fixture
def company(write_catalog: Callable[[str], None]) -> None:
    write_catalog(COMPANY)


def stored(engine: Engine, kpi: str) -> dict[tuple[str, str], float]:
    """``{(entity name, day): value}`` of one KPI."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(kpi_values.c.entity_ref, kpi_values.c.day, kpi_values.c.value).where(
                kpi_values.c.kpi == kpi
            )
        ).all()
    return {(r.entity_ref.rpartition("/")[2], str(r.day)[:10]): r.value for r in rows}


def gaps(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(kpi_gaps.c.entity_ref, kpi_gaps.c.reason)).all()
    return {r.entity_ref.rpartition("/")[2]: r.reason for r in rows}


@contextmanager
def silent_server() -> Iterator[str]:
    """A URL whose server accepts connections and never answers (a hung API)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def source(config: dict[str, object], env: dict[str, str], sleeps: Sleeps) -> KpiSource:
    built = build_source(settings([config], env).sources[0])
    built.api._sleep = sleeps  # type: ignore[attr-defined]
    return built


def collect(engine: Engine, catalog: Catalog, *sources: KpiSource, days: int = 2):  # type: ignore[no-untyped-def]
    return collect_kpis(
        engine, catalog, settings([], {}), today=TODAY, days=days, sources=list(sources)
    )


# -- PagerDuty ------------------------------------------------------------------------------
@pytest.fixture
def pagerduty() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as fake:
        fake.add_service("PPAY001", "Payments API")
        fake.add_service("PCHK002", "Checkout")
        yield fake


def pd(fake: FakePagerDuty, sleeps: Sleeps, **extra: object) -> KpiSource:
    config = {"type": "pagerduty", "api_url": fake.url, **extra}
    return source(config, {"PAGERDUTY_TOKEN": TOKEN}, sleeps)


def test_pagerduty_counts_incidents_per_day_with_time_to_ack_and_resolve(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    day_before = YESTERDAY - timedelta(days=1)
    pagerduty.add_incident("PPAY001", at(YESTERDAY, 3), ack_minutes=4, resolve_minutes=60)
    pagerduty.add_incident("PPAY001", at(YESTERDAY, 9), ack_minutes=10, resolve_minutes=30)
    pagerduty.add_incident("PPAY001", at(day_before, 9), ack_minutes=2)
    pagerduty.add_incident("PCHK002", at(TODAY, 1))  # today is not complete: not counted

    report = collect(engine, catalog, pd(pagerduty, Sleeps()))

    assert report.failed == []
    incidents = stored(engine, "incidents")
    assert incidents[("payments-api", str(YESTERDAY))] == 2
    assert incidents[("payments-api", str(day_before))] == 1
    # a quiet day is a real zero (PagerDuty answered), unlike a service it does not know
    assert incidents[("checkout", str(YESTERDAY))] == 0
    assert stored(engine, "incidents.ack_minutes")[("payments-api", str(YESTERDAY))] == 7
    assert stored(engine, "incidents.resolve_minutes")[("payments-api", str(YESTERDAY))] == 45
    assert ("payments-api", str(day_before)) not in stored(engine, "incidents.resolve_minutes")
    assert not any(name == "ledger" for name, _ in incidents)
    assert "PagerDuty has no service PGONE99" in gaps(engine)["ledger"]
    assert pagerduty.calls[0].headers["authorization"] == f"Token token={TOKEN}"
    assert "version=2" in pagerduty.calls[0].headers["accept"]


def test_pagerduty_follows_offset_paging_until_more_is_false(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    for minute in range(230):
        pagerduty.add_incident("PCHK002", at(YESTERDAY, 0) + timedelta(minutes=minute))

    collect(engine, catalog, pd(pagerduty, Sleeps()))

    assert stored(engine, "incidents")[("checkout", str(YESTERDAY))] == 230
    offsets = [c.arg("offset") for c in pagerduty.calls if c.path == "/incidents"]
    assert offsets == ["0", "100", "200"]


def test_pagerduty_rejected_token_fails_the_source_and_keeps_earlier_values(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    pagerduty.add_incident("PPAY001", at(YESTERDAY))
    collect(engine, catalog, pd(pagerduty, Sleeps()))
    pagerduty.token = "rotated"

    report = collect(engine, catalog, pd(pagerduty, Sleeps()))

    [failed] = report.failed
    assert "PagerDuty rejected the token in PAGERDUTY_TOKEN" in (failed.failure or "")
    assert "Invalid Credentials" in (failed.failure or "")
    assert TOKEN not in (failed.failure or "")
    assert stored(engine, "incidents")[("payments-api", str(YESTERDAY))] == 1


def test_pagerduty_429_waits_retry_after_then_goes_on(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    pagerduty.add_incident("PPAY001", at(YESTERDAY))
    pagerduty.fail(
        "GET",
        "/incidents",
        429,
        {"error": {"code": 2020, "message": "Rate Limit Exceeded"}},
        headers={"Retry-After": "7"},
    )
    sleeps = Sleeps()

    report = collect(engine, catalog, pd(pagerduty, sleeps))

    assert report.failed == [] and sleeps == [7.0]
    assert stored(engine, "incidents")[("payments-api", str(YESTERDAY))] == 1


def test_pagerduty_429_asking_too_long_a_wait_fails_and_says_so(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    pagerduty.fail("GET", "/services", 429, {}, headers={"ratelimit-reset": "3600"})
    sleeps = Sleeps()

    report = collect(engine, catalog, pd(pagerduty, sleeps))

    assert "kept answering 429" in (report.failed[0].failure or "") and sleeps == []


def test_pagerduty_timeout_fails_the_source_not_the_collection(
    engine: Engine, catalog: Catalog, company: None, pagerduty: FakePagerDuty
) -> None:
    pagerduty.fail("GET", "/services", 200, {"services": []}, delay=1.5)

    report = collect(engine, catalog, pd(pagerduty, Sleeps(), timeout_seconds=0.3))

    assert "did not answer in time while listing services" in (report.failed[0].failure or "")
    assert stored(engine, "incidents") == {}


# -- OpenCost -------------------------------------------------------------------------------
@pytest.fixture
def opencost() -> Iterator[FakeOpenCost]:
    with FakeOpenCost() as fake:
        yield fake


def oc(fake: FakeOpenCost, sleeps: Sleeps, **extra: object) -> KpiSource:
    return source({"type": "opencost", "url": fake.url, **extra}, {}, sleeps)


def test_opencost_reads_one_set_per_day_by_label_and_names_what_it_lacks(
    engine: Engine, catalog: Catalog, company: None, opencost: FakeOpenCost
) -> None:
    day_before = YESTERDAY - timedelta(days=1)
    opencost.set_cost("payments-api", YESTERDAY, 41.5)
    opencost.set_cost("payments-api", day_before, 40.0)
    opencost.set_cost("checkout", YESTERDAY, 12.25)

    report = collect(engine, catalog, oc(opencost, Sleeps()))

    assert report.failed == []
    cost = stored(engine, "cost")
    assert cost[("payments-api", str(YESTERDAY))] == 41.5
    assert cost[("payments-api", str(day_before))] == 40.0
    # a day without an allocation is missing, not zero
    assert ("checkout", str(day_before)) not in cost
    assert gaps(engine)["ledger"] == "OpenCost has no allocation for label:app = ledger"
    [call] = opencost.calls
    assert call.arg("aggregate") == "label:app" and call.arg("step") == "1d"


def test_opencost_by_namespace(
    engine: Engine, catalog: Catalog, company: None, opencost: FakeOpenCost
) -> None:
    opencost.set_cost("shop", YESTERDAY, 99.0)

    collect(engine, catalog, oc(opencost, Sleeps(), aggregate="namespace", entity_key="namespace"))

    assert stored(engine, "cost") == {("checkout", str(YESTERDAY)): 99.0}


def test_opencost_errors_429_and_timeouts(
    engine: Engine, catalog: Catalog, company: None, opencost: FakeOpenCost
) -> None:
    opencost.set_cost("payments-api", YESTERDAY, 1.0)
    opencost.fail("GET", "/allocation", 500, {"code": 500, "message": "Error: boom"})
    report = collect(engine, catalog, oc(opencost, Sleeps()))
    assert (
        report.failed[0].failure == "OpenCost answered 500 while reading allocations: Error: boom"
    )

    opencost.fail("GET", "/allocation", 429, "slow down", headers={"Retry-After": "2"})
    sleeps = Sleeps()
    assert collect(engine, catalog, oc(opencost, sleeps)).failed == [] and sleeps == [2.0]

    opencost.fail("GET", "/allocation", 200, {}, delay=1.0)
    report = collect(engine, catalog, oc(opencost, Sleeps(), timeout_seconds=0.2))
    assert "did not answer in time" in (report.failed[0].failure or "")
    # OpenCost has no auth, so there is no 401 to test; its values were kept
    assert stored(engine, "cost")[("payments-api", str(YESTERDAY))] == 1.0


# -- GitHub Dependabot ------------------------------------------------------------------------
@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github") as fake:
        yield fake


def gh(fake: FakeGitHub, sleeps: Sleeps, **extra: object) -> KpiSource:
    config = {"type": "github", "api_url": fake.api_url, **extra}
    return source(config, {"GITHUB_TOKEN": GH_TOKEN}, sleeps)


def test_github_counts_open_dependabot_alerts_by_severity_over_cursor_pages(
    engine: Engine, catalog: Catalog, company: None, github: FakeGitHub
) -> None:
    for _ in range(140):
        github.add_dependabot_alert("acme/payments-api", "medium")
    github.add_dependabot_alert("acme/payments-api", "critical")
    github.add_dependabot_alert("acme/payments-api", "high", state="fixed")
    github.add_dependabot_alert("acme/orphan", "high")

    report = collect(engine, catalog, gh(github, Sleeps()))

    assert report.failed == []
    day = str(YESTERDAY)
    assert stored(engine, "security")[("payments-api", day)] == 141
    assert stored(engine, "security.critical")[("payments-api", day)] == 1
    assert stored(engine, "security.high")[("payments-api", day)] == 0
    assert stored(engine, "security.high")[("orphan", day)] == 1  # from its source location
    pages = [c for c in github.calls if c.path == "/repos/acme/payments-api/dependabot/alerts"]
    assert len(pages) == 2 and pages[1].query["after"] == ["100"]
    assert gaps(engine)["ledger"] == "GitHub has no repository acme/ledger that this token can see"


def test_github_rejected_token_429_and_timeout(
    engine: Engine, catalog: Catalog, company: None, github: FakeGitHub
) -> None:
    github.add_dependabot_alert("acme/payments-api", "low")
    report = collect(
        engine,
        catalog,
        source({"type": "github", "api_url": github.api_url}, {"GITHUB_TOKEN": "wrong"}, Sleeps()),
    )
    assert "GitHub rejected the token in GITHUB_TOKEN" in (report.failed[0].failure or "")
    assert "Bad credentials" in (report.failed[0].failure or "")

    github.fail(
        "GET",
        "/repos/acme/payments-api/dependabot/alerts",
        429,
        {"message": "You have exceeded a secondary rate limit"},
        headers={"Retry-After": "3"},
    )
    sleeps = Sleeps()
    assert collect(engine, catalog, gh(github, sleeps)).failed == [] and sleeps == [3.0]
    assert stored(engine, "security.low")[("payments-api", str(YESTERDAY))] == 1

    with silent_server() as url:
        config = {"type": "github", "api_url": url, "timeout_seconds": 0.2}
        report = collect(engine, catalog, source(config, {"GITHUB_TOKEN": GH_TOKEN}, Sleeps()))
    assert "GitHub at http://127.0.0.1" in (report.failed[0].failure or "")
    assert "did not answer in time" in (report.failed[0].failure or "")


# -- GitLab vulnerability findings ------------------------------------------------------------
@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    with FakeGitLab(tmp_path / "gitlab") as fake:
        yield fake


def gl(fake: FakeGitLab, sleeps: Sleeps, **extra: object) -> KpiSource:
    config = {"type": "gitlab", "api_url": fake.api_url, **extra}
    return source(config, {"GITLAB_TOKEN": GL_TOKEN}, sleeps)


def test_gitlab_counts_findings_by_severity_over_pages_and_handles_failures(
    engine: Engine, catalog: Catalog, company: None, gitlab: FakeGitLab
) -> None:
    for _ in range(120):
        gitlab.add_vulnerability_finding("acme/shop/checkout", "high")
    gitlab.add_vulnerability_finding("acme/shop/checkout", "critical")
    gitlab.add_vulnerability_finding("acme/shop/checkout", "info")

    report = collect(engine, catalog, gl(gitlab, Sleeps()))

    assert report.failed == []
    day = str(YESTERDAY)
    assert stored(engine, "security")[("checkout", day)] == 122
    assert stored(engine, "security.high")[("checkout", day)] == 120
    assert stored(engine, "security.critical")[("checkout", day)] == 1
    calls = [c for c in gitlab.calls if c.path.endswith("/vulnerability_findings")]
    assert [c.query["page"] for c in calls] == [["1"], ["2"]]
    assert "%2F" in calls[0].path or "acme%2Fshop%2Fcheckout" in str(calls[0].path)

    gitlab.fail(
        "GET",
        r"/projects/.*/vulnerability_findings",
        429,
        {"message": "Retry later"},
        headers={"Retry-After": "1"},
    )
    sleeps = Sleeps()
    assert collect(engine, catalog, gl(gitlab, sleeps)).failed == [] and sleeps == [1.0]

    with silent_server() as url:
        config = {"type": "gitlab", "api_url": url, "timeout_seconds": 0.2}
        report = collect(engine, catalog, source(config, {"GITLAB_TOKEN": GL_TOKEN}, Sleeps()))
    assert "did not answer in time" in (report.failed[0].failure or "")
    assert stored(engine, "security.high")[("checkout", day)] == 120  # kept

    report = collect(
        engine,
        catalog,
        source({"type": "gitlab", "api_url": gitlab.api_url}, {"GITLAB_TOKEN": "nope"}, Sleeps()),
    )
    assert "GitLab rejected the token in GITLAB_TOKEN" in (report.failed[0].failure or "")


def test_gitlab_project_that_is_gone_is_a_gap(
    engine: Engine, catalog: Catalog, company: None, gitlab: FakeGitLab
) -> None:
    report = collect(engine, catalog, gl(gitlab, Sleeps()))

    assert report.failed == []
    assert gaps(engine)["checkout"] == (
        "GitLab has no repository acme/shop/checkout that this token can see"
    )
    assert stored(engine, "security") == {}


# -- Prometheus -------------------------------------------------------------------------------
@pytest.fixture
def prometheus() -> Iterator[FakePrometheus]:
    with FakePrometheus() as fake:
        yield fake


ERROR_BUDGET = 'slo:error_budget_remaining:ratio{service="$kubernetes_id"}'


def prom(
    fake: FakePrometheus,
    sleeps: Sleeps,
    *,
    timeout_seconds: float = 10.0,
    **kpi: object,
) -> KpiSource:
    config = {
        "type": "prometheus",
        "url": fake.url,
        "token_env": "PROM_TOKEN",
        "timeout_seconds": timeout_seconds,
        "kpis": [{"name": "error-budget", "query": ERROR_BUDGET, "better": "higher", **kpi}],
    }
    return source(config, {"PROM_TOKEN": "prom-token"}, sleeps)


def test_prometheus_fills_the_template_per_entity_and_a_missing_series_is_a_gap(
    engine: Engine, catalog: Catalog, company: None, prometheus: FakePrometheus
) -> None:
    prometheus.answer('slo:error_budget_remaining:ratio{service="payments-api"}', 0.42)
    prometheus.answer('slo:error_budget_remaining:ratio{service="checkout"}', 0.9)

    report = collect(engine, catalog, prom(prometheus, Sleeps()), days=1)

    assert report.failed == []
    assert stored(engine, "error-budget") == {
        ("payments-api", str(YESTERDAY)): 0.42,
        ("checkout", str(YESTERDAY)): 0.9,
    }
    assert gaps(engine)["ledger"] == "error-budget: the query returned no series"
    assert prometheus.calls[0].headers["authorization"] == "Bearer prom-token"


def test_prometheus_range_query_averages_the_day(
    engine: Engine, catalog: Catalog, company: None, prometheus: FakePrometheus
) -> None:
    prometheus.answer('slo:error_budget_remaining:ratio{service="checkout"}', 0.5)

    collect(engine, catalog, prom(prometheus, Sleeps(), range_hours=24), days=1)

    assert stored(engine, "error-budget") == {("checkout", str(YESTERDAY)): 0.5}
    assert all(c.path == "/api/v1/query_range" for c in prometheus.calls)


def test_prometheus_401_429_timeout_and_a_bad_query(
    engine: Engine, catalog: Catalog, company: None, prometheus: FakePrometheus
) -> None:
    prometheus.answer('slo:error_budget_remaining:ratio{service="checkout"}', 0.5)
    prometheus.fail("GET", "/api/v1/query", 401, "Unauthorized", times=100)
    report = collect(engine, catalog, prom(prometheus, Sleeps()), days=1)
    assert "Prometheus rejected the token in PROM_TOKEN" in (report.failed[0].failure or "")

    prometheus.fail("GET", "/api/v1/query", 200, {}, times=0)
    prometheus._faults.clear()
    prometheus.fail("GET", "/api/v1/query", 429, "", headers={"Retry-After": "5"})
    sleeps = Sleeps()
    assert collect(engine, catalog, prom(prometheus, sleeps), days=1).failed == []
    assert sleeps == [5.0]

    prometheus.fail("GET", "/api/v1/query", 200, {}, delay=1.0, times=10)
    report = collect(engine, catalog, prom(prometheus, Sleeps(), timeout_seconds=0.2), days=1)
    assert "did not answer in time" in (report.failed[0].failure or "")
    prometheus._faults.clear()

    prometheus.fail(
        "GET",
        "/api/v1/query",
        400,
        {"status": "error", "errorType": "bad_data", "error": "parse error at char 3"},
        times=10,
    )
    report = collect(engine, catalog, prom(prometheus, Sleeps()), days=1)
    assert report.failed == []
    assert "parse error at char 3" in gaps(engine)["checkout"]


def test_a_catalog_value_cannot_change_the_shape_of_a_promql_query() -> None:
    from catalog import EntityRef
    from integrations.kpis.model import KpiEntity
    from integrations.kpis.prometheus import render_query

    entity = KpiEntity(
        EntityRef("component", "default", "x"),
        None,
        {"backstage.io/kubernetes-id": 'x"} or vector(1) or {a="'},
    )

    query = render_query(ERROR_BUDGET, entity)

    assert query == ('slo:error_budget_remaining:ratio{service="x\\"} or vector(1) or {a=\\""}')
    assert render_query('up{namespace="$namespace"}', entity) is None


# -- Opsgenie -------------------------------------------------------------------------------
OPSGENIE_COMPANY = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search-api
  annotations:
    opsgenie.com/component-selector: 'tag:"service:search-api"'
    opsgenie.com/team: Search
spec: {type: service, lifecycle: production, owner: infra}
"""


@pytest.fixture
def opsgenie() -> Iterator[FakeOpsgenie]:
    with FakeOpsgenie() as fake:
        yield fake


def og(fake: FakeOpsgenie, sleeps: Sleeps, **extra: object) -> KpiSource:
    config = {"type": "opsgenie", "api_url": fake.url, **extra}
    return source(config, {"OPSGENIE_API_KEY": OPSGENIE_KEY}, sleeps)


def test_opsgenie_counts_alerts_per_day_over_pages_with_response_times(
    engine: Engine, catalog: Catalog, write_catalog: Callable[[str], None], opsgenie: FakeOpsgenie
) -> None:
    write_catalog(COMPANY + OPSGENIE_COMPANY)
    selector = 'tag:"service:search-api"'
    for minute in range(130):
        opsgenie.add_alert(selector, at(YESTERDAY, 1) + timedelta(minutes=minute), ack_minutes=6)
    opsgenie.add_alert(selector, at(YESTERDAY, 23), ack_minutes=2, close_minutes=30)

    report = collect(engine, catalog, og(opsgenie, Sleeps()))

    assert report.failed == []
    assert stored(engine, "incidents")[("search-api", str(YESTERDAY))] == 131
    assert stored(engine, "incidents")[("search-api", str(YESTERDAY - timedelta(days=1)))] == 0
    assert round(stored(engine, "incidents.ack_minutes")[("search-api", str(YESTERDAY))], 2) == 5.97
    assert stored(engine, "incidents.resolve_minutes")[("search-api", str(YESTERDAY))] == 30
    pages = [c for c in opsgenie.calls if c.path == "/v2/alerts"]
    assert [c.arg("offset", "0") for c in pages] == ["0", "100"]
    assert pages[0].headers["authorization"] == f"GenieKey {OPSGENIE_KEY}"


def test_opsgenie_rejected_key_429_and_timeout(
    engine: Engine, catalog: Catalog, write_catalog: Callable[[str], None], opsgenie: FakeOpsgenie
) -> None:
    write_catalog(COMPANY + OPSGENIE_COMPANY)
    opsgenie.key = "other-region"
    report = collect(engine, catalog, og(opsgenie, Sleeps()))
    assert "Opsgenie rejected the token in OPSGENIE_API_KEY" in (report.failed[0].failure or "")
    assert "Could not authenticate" in (report.failed[0].failure or "")

    opsgenie.key = OPSGENIE_KEY
    opsgenie.fail("GET", "/v2/alerts", 429, {"message": "Rate limit"}, headers={"Retry-After": "4"})
    sleeps = Sleeps()
    assert collect(engine, catalog, og(opsgenie, sleeps)).failed == [] and sleeps == [4.0]

    opsgenie.fail("GET", "/v2/alerts", 200, {}, delay=1.0)
    report = collect(engine, catalog, og(opsgenie, Sleeps(), timeout_seconds=0.2))
    assert "did not answer in time" in (report.failed[0].failure or "")


def test_opsgenie_on_call_by_team_and_a_team_without_a_schedule() -> None:
    from catalog import EntityRef
    from integrations.kpis import KpiEntity, on_call_for

    with FakeOpsgenie() as fake:
        fake.add_schedule("Search primary", "Search", "carol@acme.example")
        settings_ = settings(
            [{"type": "opsgenie", "api_url": fake.url}], {"OPSGENIE_API_KEY": OPSGENIE_KEY}
        )
        ref = EntityRef("component", "default", "search-api")

        found = on_call_for(settings_, KpiEntity(ref, None, {"opsgenie.com/team": "Search"}))
        gone = on_call_for(settings_, KpiEntity(ref, None, {"opsgenie.com/team": "Ghosts"}))

    assert found.answer is not None and found.answer.what == "Opsgenie team"
    assert [(p.name, p.email, p.schedule) for p in found.answer.people] == [
        ("carol@acme.example", "carol@acme.example", "Search primary")
    ]
    assert gone.problem == "Opsgenie has no schedule owned by the team 'Ghosts' (opsgenie.com/team)"


# -- SonarQube ------------------------------------------------------------------------------
SONAR_COMPANY = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  annotations: {sonarqube.org/project-key: "sonarqube/acme:billing"}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: retired
  annotations: {sonarqube.org/project-key: "acme:retired"}
spec: {type: service, lifecycle: production, owner: payments}
"""


def test_sonarqube_counts_open_vulnerabilities_by_severity_and_handles_failures(
    engine: Engine, catalog: Catalog, write_catalog: Callable[[str], None]
) -> None:
    write_catalog(COMPANY + SONAR_COMPANY)
    with FakeSonarQube() as sonar:
        sonar.add_vulnerability("acme:billing", "BLOCKER", 2)
        sonar.add_vulnerability("acme:billing", "MAJOR", 5)
        sonar.add_vulnerability("acme:billing", "INFO", 1)
        config = {"type": "sonarqube", "api_url": sonar.url}

        report = collect(
            engine, catalog, source(config, {"SONARQUBE_TOKEN": SONAR_TOKEN}, Sleeps())
        )
        rejected = collect(engine, catalog, source(config, {"SONARQUBE_TOKEN": "x"}, Sleeps()))
        sonar.fail("GET", "/api/issues/search", 429, "", headers={"Retry-After": "2"})
        sleeps = Sleeps()
        waited = collect(engine, catalog, source(config, {"SONARQUBE_TOKEN": SONAR_TOKEN}, sleeps))
        sonar.fail("GET", "/api/issues/search", 200, {}, delay=1.0, times=5)
        slow = collect(
            engine,
            catalog,
            source({**config, "timeout_seconds": 0.2}, {"SONARQUBE_TOKEN": SONAR_TOKEN}, Sleeps()),
        )

    day = str(YESTERDAY)
    assert report.failed == [] and waited.failed == [] and sleeps == [2.0]
    assert stored(engine, "security")[("billing", day)] == 8
    assert stored(engine, "security.critical")[("billing", day)] == 2
    assert stored(engine, "security.medium")[("billing", day)] == 5
    assert stored(engine, "security.low")[("billing", day)] == 1
    assert (
        gaps(engine)["retired"] == "SonarQube has no project acme:retired that this token can see"
    )
    assert "SonarQube rejected the token in SONARQUBE_TOKEN" in (rejected.failed[0].failure or "")
    assert "Authentication is required" in (rejected.failed[0].failure or "")
    assert "did not answer in time" in (slow.failed[0].failure or "")


def test_values_past_retention_are_pruned_and_recent_ones_kept(
    engine: Engine, catalog: Catalog, company: None, opencost: FakeOpenCost
) -> None:
    from integrations.kpis import KpiValue, SourceReport
    from integrations.kpis.collect import store_report

    old = SourceReport("opencost", ("cost",))
    ref = __import__("catalog").EntityRef("component", "default", "payments-api")
    for ago in (400, 20):
        old.values.append(KpiValue(ref, "cost", TODAY - timedelta(days=ago), 9.0))
    store_report(engine, old)
    opencost.set_cost("payments-api", YESTERDAY, 1.0)

    report = collect_kpis(
        engine,
        catalog,
        settings([], {}, retention_days=90),
        today=TODAY,
        days=1,
        sources=[oc(opencost, Sleeps())],
    )

    assert report.pruned == 1
    assert sorted(stored(engine, "cost")) == [
        ("payments-api", str(TODAY - timedelta(days=20))),
        ("payments-api", str(YESTERDAY)),
    ]
