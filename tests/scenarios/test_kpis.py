"""``/greenroom kpis``, ``oncall``, the KPI sections of team pages and the Home tab, the
on-call person in ``impact``, and threshold messages told once: the real server and Bolt app,
the loopback Slack and the loopback PagerDuty, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.loopback.pagerduty_api import TOKEN, FakePagerDuty
from bot.loopback.slack import LoopbackSlack
from commands.kpis.alerts import tell_thresholds
from integrations.kpis import KpiValue, SourceReport
from integrations.kpis.collect import store_report
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.jobs.conftest import job_context
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.kpis_company import COMPANY
from tests.scenarios.workspace import ALICE, Workspace

_TOKENS = re.compile(r"<[!@#][^>]*>")
TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)


def tokens(payload: Any) -> set[str]:
    """Mention tokens Slack would act on (mrkdwn and message text; not plain_text)."""
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


def seed(engine: Engine, kpi: str, values: dict[str, dict[int, float]], *, source: str) -> None:
    """Values of ``kpi`` per entity name and days-ago (0 is today)."""
    report = SourceReport(source, (kpi,))
    for name, days in values.items():
        for ago, value in days.items():
            ref = __import__("catalog").EntityRef("component", "default", name)
            report.values.append(KpiValue(ref, kpi, TODAY - timedelta(days=ago), value))
    store_report(engine, report)


@pytest.fixture
def pagerduty() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as fake:
        fake.add_service("PPAY001", "Payments API")
        fake.add_service("PCHK002", "Checkout")
        fake.add_on_call("PPAY001", "Alice Archer", "alice@acme.example", level=1, hours_left=5)
        fake.add_on_call("PPAY001", "Erin Escalation", "erin@contractor.example", level=2)
        fake.add_on_call("PCHK002", "Carol Chen", "carol@acme.example")
        yield fake


def kpis_config(pagerduty: FakePagerDuty, **extra: Any) -> dict[str, Any]:
    return {
        "kpis": {
            "sources": [
                {"type": "pagerduty", "api_url": pagerduty.url},
                {"type": "opencost", "url": "http://127.0.0.1:9"},
                {"type": "github", "api_url": "http://127.0.0.1:9"},
            ],
            **extra,
        }
    }


@pytest.fixture
def ws(
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    pagerduty: FakePagerDuty,
) -> Workspace:
    write_catalog(COMPANY)
    return serve_greenroom(config=kpis_config(pagerduty), environ={"PAGERDUTY_TOKEN": TOKEN})


def days(first: int, last: int, value: float) -> dict[int, float]:
    return dict.fromkeys(range(first, last + 1), value)


def cost_history(engine: Engine) -> None:
    """Payments got dearer, checkout cheaper; orphan and solo cannot be placed."""
    seed(
        engine,
        "cost",
        {
            "payments-api": {
                **dict.fromkeys(range(1, 31), 30.0),
                **dict.fromkeys(range(31, 61), 20.0),
            },
            "checkout": {**dict.fromkeys(range(1, 31), 10.0), **dict.fromkeys(range(31, 61), 15.0)},
            "ledger": dict.fromkeys(range(1, 31), 5.0),
            "orphan": {1: 7.0},
            "solo": {1: 1.0},
        },
        source="opencost",
    )


def test_kpis_ranks_tribes_worst_first_with_trend_and_names_what_it_cannot_place(
    ws: Workspace, engine: Engine
) -> None:
    cost_history(engine)

    text = ws.text(ws.ask("kpis"))

    assert "Cloud cost: by tribe" in text
    assert "*All*: $1,358" in text  # 900 + 300 + 150 + 7 + 1
    money = text.index("1. *Money tribe*: $1,200 (▲ +14% vs $1,050 (worse))")
    platform = text.index("2. *Platform tribe*: $150 (nothing to compare with yet)")
    assert money < platform
    assert "worst: `component:payments-api` $900, `component:checkout` $300" in text
    assert "*Not counted in any row* (2)" in text
    assert "`component:orphan`: its owner group:ghosts is not in the catalog" in text
    assert "`component:solo`: its owner user:dave is a person in no group" in text


def test_kpis_of_a_tribe_ranks_its_squads_and_posts_a_chart(
    ws: Workspace, engine: Engine, slack_api: LoopbackSlack
) -> None:
    cost_history(engine)

    text = ws.text(ws.ask("kpis money --kpi cost"))

    assert "Cloud cost: Money tribe's teams" in text
    assert text.index("1. *Payments team*: $900") < text.index("2. *Checkout squad*: $300")
    assert "(▼ -33% vs $450 (better))" in text
    assert "Not counted" not in text
    done = slack_api.wait_for("files.completeUploadExternal")
    files = done[0].args["files"]
    files = files if isinstance(files, list) else __import__("json").loads(files)
    assert slack_api.uploads[files[0]["id"]].startswith(b"\x89PNG")


def test_the_team_page_button_ranks_its_teams(ws: Workspace, engine: Engine) -> None:
    cost_history(engine)
    page = ws.ask("team money")

    clicked = ws.text(ws.reply(ws.click(page, "Rank its teams")))

    assert "Cloud cost: Money tribe's teams" in clicked
    assert "1. *Payments team*: $900" in clicked
    assert "Type `/greenroom kpis money` in a channel for the chart" in clicked


def test_missing_data_is_shown_as_missing_never_as_zero(ws: Workspace, engine: Engine) -> None:
    seed(engine, "incidents", {"payments-api": {1: 2.0, 2: 0.0}}, source="pagerduty")

    text = ws.text(ws.ask("kpis money --kpi incidents"))

    assert "1. *Payments team*: 2 (nothing to compare with yet)" in text
    assert "2. *Checkout squad*: no data" in text
    assert "*All*: 2" in text and "1 of 2 report" in text


def test_kpis_with_an_unknown_kpi_says_which_exist(ws: Workspace) -> None:
    text = ws.text(ws.ask("kpis --kpi costs"))

    assert "There is no KPI 'costs'. Did you mean cost?" in text
    assert "incidents.ack_minutes" in text


def test_team_page_and_home_tab_show_kpis_with_trend_and_worst(
    ws: Workspace, engine: Engine
) -> None:
    cost_history(engine)
    seed(engine, "security.critical", {"payments-api": {1: 2.0}}, source="github")
    seed(engine, "security", {"payments-api": {1: 5.0}}, source="github")

    team = ws.text(ws.ask("team payments"))
    home = ws.view_text(ws.open_home(ALICE))

    for text in (team, home):
        assert "*KPIs* (last 30 days" in text
        assert "*Cloud cost*: $900 (▲ +50% vs $600 (worse))" in text
        assert "*Critical security issues*: 2 (nothing to compare with yet)" in text
        assert "worst: `component:payments-api` $900" in text


def test_oncall_mentions_who_is_on_call_and_names_a_person_missing_from_slack(
    ws: Workspace,
) -> None:
    reply = ws.ask("oncall payments-api")
    text = ws.text(reply)

    assert "<@U0ALICE>" in str(reply)  # a real mention
    assert "On call: Payments API" in text
    assert "PagerDuty service *Payments API* `PPAY001`" in text
    assert "• Level 1: @U0ALICE (Alice Archer) · until" in text
    assert (
        "• Level 2: *Erin Escalation*, erin@contractor.example (not found in this Slack workspace)"
    ) in text


def test_oncall_of_a_service_pagerduty_no_longer_knows_says_so(ws: Workspace) -> None:
    text = ws.text(ws.ask("oncall ledger"))

    assert "Nobody could be named for ledger: PagerDuty has no service PGONE99" in text


def test_oncall_without_the_annotation_says_what_to_add(ws: Workspace) -> None:
    text = ws.text(ws.ask("oncall orphan"))

    assert "it has no pagerduty.com/service-id annotation" in text


def test_oncall_when_pagerduty_rejects_the_token(ws: Workspace, pagerduty: FakePagerDuty) -> None:
    pagerduty.token = "rotated"

    text = ws.text(ws.ask("oncall payments-api"))

    assert "PagerDuty rejected the token in PAGERDUTY_TOKEN" in text
    assert TOKEN not in text


def test_impact_names_the_person_on_call_of_each_team(
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    pagerduty: FakePagerDuty,
) -> None:
    write_catalog(
        COMPANY
        + """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: storefront}
spec:
  type: website
  lifecycle: production
  owner: checkout-squad
  dependsOn: [component:shared-lib]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shared-lib}
spec: {type: library, lifecycle: production, owner: infra}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-worker}
spec: {type: service, lifecycle: production, owner: payments, dependsOn: [component:shared-lib]}
"""
    )
    ws = serve_greenroom(config=kpis_config(pagerduty), environ={"PAGERDUTY_TOKEN": TOKEN})

    reply = ws.ask("impact shared-lib")
    text = ws.text(reply)

    assert "on call: @U0ALICE (Alice Archer)" in text
    assert "on call: @U0CAROL (Carol Chen)" in text
    assert "<@U0ALICE>" in str(reply) and "<@U0CAROL>" in str(reply)


# -- thresholds ------------------------------------------------------------------------------
def threshold_runtime(
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,
) -> Runtime:
    environ = {
        "SLACK_BOT_TOKEN": slack_api.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "PAGERDUTY_TOKEN": TOKEN,
    }
    config = kpis_config(
        pagerduty,
        thresholds=[{"kpi": "security.critical", "above": 0}],
        default_channel="C0KPIS",
    )
    settings = load_settings(
        None, environ=environ, database_url=database_url, data_dir=tmp_path, **config
    )
    return Runtime(settings, engine)


def posts(slack_api: LoopbackSlack) -> list[tuple[str, str]]:
    return [(c.args["channel"], c.args["text"]) for c in slack_api.calls("chat.postMessage")]


def test_a_threshold_is_told_once_then_again_on_worsening_and_on_recovery(
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,
    write_catalog: Callable[[str], None],
) -> None:
    write_catalog(COMPANY)
    runtime = threshold_runtime(engine, database_url, tmp_path, slack_api, pagerduty)
    from slackkit.bot_client import bot_client

    client = bot_client(runtime, purpose="test")
    seed(
        engine,
        "security.critical",
        {"payments-api": {1: 1.0}, "checkout": {1: 0.0}},
        source="github",
    )

    first = tell_thresholds(runtime, client, today=YESTERDAY)
    again = tell_thresholds(runtime, client, today=YESTERDAY)

    told = posts(slack_api)
    channels = sorted(c for c, _ in told)
    # the squad, its tribe and the company each crossed; each is told once, in its channel
    assert channels == ["C0KPIS", "C0MONEY", "C0PAYMENTS"]
    assert any("Payments team: Critical security issues is 1, above 0" in t for _, t in told)
    assert again.told == [] and len(first.told) == 3

    seed(engine, "security.critical", {"payments-api": {1: 3.0}}, source="github")
    tell_thresholds(runtime, client, today=YESTERDAY)
    worse = posts(slack_api)[3:]
    assert len(worse) == 3
    assert any("got worse: 3 (was 1), above 0" in t for _, t in worse)

    seed(engine, "security.critical", {"payments-api": {1: 0.0}}, source="github")
    tell_thresholds(runtime, client, today=YESTERDAY)
    tell_thresholds(runtime, client, today=YESTERDAY)
    back = posts(slack_api)[6:]
    assert len(back) == 3
    assert any("Payments team: Critical security issues is back to 0" in t for _, t in back)


def test_a_threshold_message_that_could_not_be_posted_is_tried_again(
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,
    write_catalog: Callable[[str], None],
) -> None:
    write_catalog(COMPANY)
    runtime = threshold_runtime(engine, database_url, tmp_path, slack_api, pagerduty)
    from slackkit.bot_client import bot_client

    client = bot_client(runtime, purpose="test")
    seed(engine, "security.critical", {"checkout": {1: 2.0}}, source="github")
    slack_api.fail("chat.postMessage", error="channel_not_found", times=1)

    first = tell_thresholds(runtime, client, today=YESTERDAY)
    second = tell_thresholds(runtime, client, today=YESTERDAY)

    assert len(first.failed) == 1
    assert sorted(first.told + second.told) == sorted(
        [
            "group:checkout-squad security.critical crossed",
            "group:money security.critical crossed",
            "group:acme security.critical crossed",
        ]
    )


# -- the KPI digest --------------------------------------------------------------------------
def test_a_channel_subscribes_to_the_kpi_digest_and_gets_it_once_per_slot(
    ws: Workspace,
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,
) -> None:
    from commands.kpis.digest import post_kpi_digest
    from jobs import list_schedules
    from slackkit.bot_client import bot_client

    cost_history(engine)
    added = ws.text(ws.reply(ws.command("digest add kpis mon 09:00 UTC", channel="C0LEADS")))
    listed = ws.text(ws.reply(ws.command("digest list", channel="C0LEADS")))

    assert "kpis" in added and "kpis" in listed
    [row] = [r for r in list_schedules(engine) if r.key == "digest:C0LEADS:kpis"]
    assert row.kind == "kpis.digest" and row.params["channel"] == "C0LEADS"

    runtime = threshold_runtime(engine, database_url, tmp_path, slack_api, pagerduty)
    client = bot_client(runtime, purpose="test")
    slot = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    first = post_kpi_digest(runtime, client, channel="C0LEADS", slot=slot)
    second = post_kpi_digest(runtime, client, channel="C0LEADS", slot=slot)

    assert first["status"] == "posted" and second["status"] == "already posted"
    [post] = [c for c in slack_api.calls("chat.postMessage") if c.args["channel"] == "C0LEADS"]
    assert "Cloud cost: by tribe" in post.args["text"]
    assert "Money tribe" in str(post.args["blocks"])

    removed = ws.text(ws.reply(ws.command("digest remove kpis", channel="C0LEADS")))
    assert "kpis" in removed
    assert not [r for r in list_schedules(engine) if r.key == "digest:C0LEADS:kpis"]


def test_team_page_from_the_readings_stored_after_a_collection_says_the_same(
    ws: Workspace, engine: Engine
) -> None:
    from catalog import Catalog
    from integrations.kpis import BUILT_IN_KPIS
    from integrations.kpis.readings import refresh_readings

    cost_history(engine)
    seed(engine, "security", {"payments-api": {1: 5.0}, "checkout": {2: 1.0}}, source="github")
    live = ws.text(ws.ask("team money"))
    boards = [ws.text(ws.ask(q)) for q in ("kpis", "kpis money", "kpis --kpi security")]

    specs = [BUILT_IN_KPIS[k] for k in ("cost", "incidents", "security")]
    stored = refresh_readings(engine, Catalog(engine), specs, today=YESTERDAY, window_days=30)
    again = ws.text(ws.ask("team money"))
    boards_again = [ws.text(ws.ask(q)) for q in ("kpis", "kpis money", "kpis --kpi security")]

    assert boards_again == boards

    assert stored > 0
    kpi_part = live[live.index("*KPIs*") :]
    kpi_part = kpi_part[: kpi_part.index("[Rank its teams]")]
    # the chart uploaded after the first view may stand in for the sparklines now (issue 18)
    sparklines = re.compile(r"\n   `[▁-█]+`")
    assert sparklines.sub("", kpi_part).rstrip() in sparklines.sub("", again)
    assert "*Open security issues*: 6" in again


# -- the worker ------------------------------------------------------------------------------
def test_the_daily_collection_is_scheduled_and_tells_thresholds_once(
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,
    write_catalog: Callable[[str], None],
) -> None:

    from bot.capabilities import job_registry
    from commands.kpis.jobs import KPIS_COLLECT, run_collect

    write_catalog(COMPANY)
    runtime = threshold_runtime(engine, database_url, tmp_path, slack_api, pagerduty)
    runtime = Runtime(
        runtime.settings.model_copy(
            update={
                "kpis": runtime.settings.kpis.model_copy(
                    update={
                        "sources": runtime.settings.kpis.sources[:1],
                        "thresholds": (
                            runtime.settings.kpis.thresholds[0].model_copy(
                                update={"kpi": "incidents"}
                            ),
                        ),
                    }
                )
            }
        ),
        engine,
    )
    registry = job_registry(runtime.settings)
    [schedule] = registry.get(KPIS_COLLECT).default_schedules(runtime.settings)
    assert schedule.when == "daily 05:00"
    slot = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
    day = slot.date() - timedelta(days=1)
    pagerduty.add_incident("PPAY001", datetime(day.year, day.month, day.day, 3, tzinfo=UTC))

    def run() -> dict[str, Any]:
        ctx = job_context(runtime, KPIS_COLLECT, slot=slot, registry=registry)
        return dict(run_collect(ctx))

    first, second = run(), run()

    assert first["stored"] and first["readings"]
    assert sorted(first["thresholds"]["told"]) == [
        "group:acme incidents crossed",
        "group:money incidents crossed",
        "group:payments incidents crossed",
    ]
    assert second["thresholds"]["told"] == []
    assert len(posts(slack_api)) == 3


def test_catalog_and_pagerduty_text_cannot_ping_a_channel(
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    pagerduty: FakePagerDuty,
    engine: Engine,
) -> None:
    hostile = COMPANY.replace("title: Money tribe", 'title: "<!channel> *Money*"').replace(
        "title: Payments team", 'title: "<@U0BOB> Payments"'
    )
    write_catalog(hostile)
    pagerduty.add_on_call("PCHK002", "<!here> Mallory", "mallory@evil.example", level=2)
    ws = serve_greenroom(config=kpis_config(pagerduty), environ={"PAGERDUTY_TOKEN": TOKEN})
    cost_history(engine)

    replies = [ws.ask(q) for q in ("kpis", "kpis money", "oncall checkout", "team money")]

    for reply in replies:
        found = tokens(reply)
        assert not {"<!channel>", "<!here>", "<@U0BOB>"} & found, found
    assert "&lt;!channel&gt;" in str(replies[0])


def test_a_squads_own_entities_are_ranked_and_a_gap_says_why(
    ws: Workspace, engine: Engine, pagerduty: FakePagerDuty
) -> None:
    from catalog import Catalog
    from integrations.kpis import collect_kpis

    settings = load_settings(
        None, environ={"PAGERDUTY_TOKEN": TOKEN}, database_url="sqlite://", **kpis_config(pagerduty)
    ).kpis
    only_pagerduty = settings.model_copy(update={"sources": settings.sources[:1]})
    collect_kpis(engine, Catalog(engine), only_pagerduty, days=2)

    text = ws.text(ws.ask("kpis infra --kpi incidents"))
    cost = ws.text(ws.ask("kpis infra --kpi cost"))

    assert "Incidents opened: Infra squad's entities" in text
    assert "1. *ledger*: no data · PagerDuty has no service PGONE99" in text
    assert "PagerDuty" not in cost  # a gap of another KPI's source is not this KPI's reason
