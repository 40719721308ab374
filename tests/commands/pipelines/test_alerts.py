"""Pipeline alerts: one message per channel, pipeline and audience; what an engine says stays
text (a task id with Slack syntax pings nobody); a refused post is reported, not retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient

from bot.loopback.slack import LoopbackSlack
from catalog import parse_ref
from commands.pipelines.alerts import alert_message, send_pipeline_alerts
from integrations.incidents import Change
from integrations.kubernetes.finding import Severity
from integrations.pipelines import PipelineFinding, PipelineNotification
from slackkit.channel_alerts import ChannelPoster

WHEN = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
ETL = parse_ref("component:orders-etl")
DATA = parse_ref("group:data")


def failed(task: str = "load") -> PipelineFinding:
    return PipelineFinding(
        "run-failed",
        Severity.CRITICAL,
        "airflow prod",
        "orders",
        f"The last run of DAG orders failed at task {task}",
        "Run x ended failed.",
        "Read the log.",
        log_url="https://airflow.example/dags/orders/grid?task_id=load",
    )


def late() -> PipelineFinding:
    return PipelineFinding(
        "dataset-late",
        Severity.WARNING,
        "freshness",
        "resource:default/orders",
        "orders is late by 2h",
        "Its writer has not succeeded.",
        "Re-run it.",
    )


def note(
    finding: PipelineFinding, channel: str | None = "C0DATA", **extra: object
) -> PipelineNotification:
    return PipelineNotification(Change.NEW, ETL, DATA, channel, finding, WHEN, **extra)  # type: ignore[arg-type]


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as fake:
        yield fake


def test_slack_syntax_from_an_engine_stays_text() -> None:
    message = alert_message([note(failed("<!channel> <@U0ALICE>"))])

    text = str(message["blocks"])
    assert "&lt;!channel&gt; &lt;@U0ALICE&gt;" in text and "<!channel>" not in text


def test_downstream_teams_hear_which_of_theirs_read_the_late_data() -> None:
    told = note(
        late(),
        "#analytics",
        audience="downstream",
        team=parse_ref("group:analytics"),
        affected=(parse_ref("component:revenue-report"),),
    )

    text = str(alert_message([told])["blocks"])

    assert "*Upstream data is late* · `resource:orders`" in text
    assert "Yours downstream of it: `component:revenue-report`" in text


def test_one_message_per_channel_and_audience_and_failures_reported(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url + "/")
    poster = ChannelPoster(client, min_interval=0, what="pipeline alert")
    notes = [
        note(failed()),
        note(late()),
        note(late(), "#analytics", audience="downstream", team=parse_ref("group:analytics")),
        note(late(), None, audience="downstream", team=parse_ref("group:ml")),
    ]

    failed_ = send_pipeline_alerts(poster, notes)

    sent = [c.args["channel"] for c in slack.calls("chat.postMessage")]
    assert sorted(sent) == ["#analytics", "C0DATA"]  # C0DATA: one message with both problems
    assert [reason for _, reason in failed_] == ["no Slack channel for group:default/ml"]


def test_a_bad_night_is_summed_up_instead_of_flooding_the_channel(slack: LoopbackSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url + "/")
    poster = ChannelPoster(client, min_interval=0, what="pipeline alert")
    notes = [
        PipelineNotification(
            Change.NEW, parse_ref(f"component:etl-{i:02d}"), DATA, "C0DATA", failed(), WHEN
        )
        for i in range(25)
    ]

    failed_ = send_pipeline_alerts(poster, notes, max_messages_per_channel=4)

    calls = slack.calls("chat.postMessage")
    assert failed_ == [] and len(calls) == 4
    assert "*Pipelines* · 22 more changed" in str(calls[-1].args["blocks"])
    assert "`component:etl-24`" in str(calls[-1].args["blocks"])
