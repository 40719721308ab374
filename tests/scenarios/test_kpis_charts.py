"""The small KPI chart on team pages and the Home tab (issue 18): an image block naming a
PNG uploaded to Slack (``slack_file``), uploaded once per team and readings, in the
background; until then, or when the upload fails, the text sparklines (and a note why)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from bot.loopback.pagerduty_api import TOKEN, FakePagerDuty
from bot.loopback.slack import LoopbackSlack
from catalog import EntityRef
from commands.kpis.team_chart import refresh_team_charts
from integrations.kpis import ChartFile
from integrations.kpis.tables import kpi_charts
from tests.scenarios.kpis_company import COMPANY
from tests.scenarios.test_kpis import (  # noqa: F401 (pagerduty and ws are fixtures)
    cost_history,
    kpis_config,
    pagerduty,
    seed,
    threshold_runtime,
    ws,
)
from tests.scenarios.workspace import ALICE, Workspace

PAYMENTS = EntityRef("group", "default", "payments")
_SPARK = "▁▂▃▄▅▆▇█"


def images(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in payload.get("blocks") or [] if b.get("type") == "image"]


def wait_chart(engine: Engine, state: str, *, timeout: float = 30) -> ChartFile:
    """The payments team's chart row once it is ``state`` (the upload runs in the background)."""
    from sqlalchemy import select

    from integrations.kpis import chart_file

    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            fingerprints = conn.execute(
                select(kpi_charts.c.fingerprint).where(kpi_charts.c.group_ref == str(PAYMENTS))
            ).scalars()
            rows = [chart_file(engine, PAYMENTS, f) for f in fingerprints]
        found = [r for r in rows if r is not None and r.state == state]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise TimeoutError(f"the payments chart never became {state}: {rows}")
        time.sleep(0.05)


def test_home_tab_and_team_page_show_the_uploaded_chart_uploaded_once(
    ws: Workspace,  # noqa: F811 (the fixture of test_kpis)
    engine: Engine,
    slack_api: LoopbackSlack,
) -> None:
    cost_history(engine)

    first = ws.open_home(ALICE)
    assert not images(first)
    assert any(c in ws.view_text(first) for c in _SPARK)  # the sparkline stands in meanwhile
    ready = wait_chart(engine, "ready")
    second = ws.open_home(ALICE)
    third = ws.open_home(ALICE)
    page = ws.ask("team payments")

    for payload in (second, third, page):
        (image,) = images(payload)
        assert image["slack_file"] == {"id": ready.file_id}
        assert image["alt_text"].startswith("Cloud cost: Payments")
        assert not any(c in ws.text(payload) for c in _SPARK)  # the image replaces them
        assert "*Cloud cost*: $900 (▲ +50% vs $600 (worse))" in ws.text(payload)
    assert ready.file_id in slack_api.files
    png = slack_api.uploads[ready.file_id]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    assert png[16:24] == (800).to_bytes(4, "big") + (320).to_bytes(4, "big")  # IHDR: 800x320
    assert len(slack_api.calls("files.getUploadURLExternal")) == 1
    (done,) = slack_api.calls("files.completeUploadExternal")
    assert "channel_id" not in done.args  # shared nowhere: private to the app


def test_the_chart_draws_every_kpi_with_a_series_and_only_those_lose_their_sparkline(
    ws: Workspace,  # noqa: F811 (the fixture of test_kpis)
    engine: Engine,
    slack_api: LoopbackSlack,
) -> None:
    cost_history(engine)
    incidents = {**dict.fromkeys(range(1, 31), 2.0), **dict.fromkeys(range(31, 61), 1.0)}
    seed(engine, "incidents", {"payments-api": incidents}, source="pagerduty")
    seed(engine, "security", {"payments-api": {1: 4.0}}, source="github")  # one day: no line

    ws.open_home(ALICE)
    ready = wait_chart(engine, "ready")
    page = ws.ask("team payments")

    (image,) = images(page)
    assert image["alt_text"].startswith("Cloud cost and Incidents opened: Payments")
    lines = {line.split("*")[1]: line for line in ws.text(page).splitlines() if "*: " in line}
    assert not any(c in lines["Cloud cost"] + lines["Incidents opened"] for c in _SPARK)
    png = slack_api.uploads[ready.file_id]
    assert png[16:24] == (800).to_bytes(4, "big") + (320).to_bytes(4, "big")  # one row of two


def test_a_failed_upload_keeps_the_sparkline_and_says_why(
    ws: Workspace,  # noqa: F811 (the fixture of test_kpis)
    engine: Engine,
    slack_api: LoopbackSlack,
) -> None:
    slack_api.fail("files.getUploadURLExternal", error="missing_scope", times=None)
    cost_history(engine)

    ws.open_home(ALICE)
    failed = wait_chart(engine, "failed")
    home = ws.open_home(ALICE)
    page = ws.ask("team payments")

    assert failed.problem == "missing_scope"
    for payload in (home, page):
        text = ws.text(payload)
        assert not images(payload)
        assert any(c in text for c in _SPARK)
        assert "No KPI chart: the app lacks the `files:write` scope" in text
        assert "*Cloud cost*: $900 (▲ +50% vs $600 (worse))" in text
    assert len(slack_api.calls("files.getUploadURLExternal")) == 1  # not retried every view


def test_after_a_collection_the_worker_uploads_the_new_chart_of_teams_shown_before(
    ws: Workspace,  # noqa: F811 (the fixture of test_kpis)
    engine: Engine,
    database_url: str,
    tmp_path: Any,
    slack_api: LoopbackSlack,
    pagerduty: FakePagerDuty,  # noqa: F811
) -> None:
    cost_history(engine)
    ws.open_home(ALICE)
    old = wait_chart(engine, "ready")
    seed(engine, "cost", {"payments-api": {1: 90.0}}, source="opencost")  # new readings
    runtime = threshold_runtime(engine, database_url, tmp_path, slack_api, pagerduty)

    done = refresh_team_charts(runtime)
    again = refresh_team_charts(runtime)
    home = ws.open_home(ALICE)

    assert done == {"uploaded": 1, "failed": 0, "current": 0}
    assert again == {"uploaded": 0, "failed": 0, "current": 1}
    (image,) = images(home)
    assert image["slack_file"]["id"] not in {None, old.file_id}
    assert image["slack_file"]["id"] in slack_api.files
    assert len(slack_api.calls("files.getUploadURLExternal")) == 2  # none on the views
    assert "*Cloud cost*: $960" in ws.view_text(home)


def test_with_a_chart_channel_each_chart_is_shared_there(
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    pagerduty: FakePagerDuty,  # noqa: F811
    engine: Engine,
    slack_api: LoopbackSlack,
) -> None:
    write_catalog(COMPANY)
    config = kpis_config(pagerduty, chart_channel="C0KPICHARTS")
    shared = serve_greenroom(config=config, environ={"PAGERDUTY_TOKEN": TOKEN})
    cost_history(engine)

    shared.open_home(ALICE)
    ready = wait_chart(engine, "ready")

    (done,) = slack_api.calls("files.completeUploadExternal")
    assert done.args["channel_id"] == "C0KPICHARTS"
    assert images(shared.open_home(ALICE))[0]["slack_file"] == {"id": ready.file_id}


def test_a_chart_deleted_in_slack_leaves_the_page_and_the_home_tab_without_it(
    ws: Workspace,  # noqa: F811 (the fixture of test_kpis)
    engine: Engine,
    slack_api: LoopbackSlack,
) -> None:
    cost_history(engine)
    ws.open_home(ALICE)
    ready = wait_chart(engine, "ready")
    slack_api.delete_file(ready.file_id)  # Slack now refuses any block naming it

    page = ws.ask("team payments")
    home = ws.open_home(ALICE)

    for payload in (page, home):
        assert not images(payload)  # sent again without the image, not lost
        assert "*Cloud cost*: $900 (▲ +50% vs $600 (worse))" in ws.text(payload)
    refused = [c for c in slack_api.calls("views.publish") if c.error == "invalid_blocks"]
    assert refused  # the first attempt named the deleted file
