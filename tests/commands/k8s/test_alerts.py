"""Health alerts posted with the real WebClient to the loopback Slack: one message per channel
and service, channels one at a time and paced, bad channels and refusals reported, not fatal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.block_text import render_text
from bot.loopback.slack import LoopbackSlack
from catalog import EntityRef, parse_ref
from commands.k8s.alerts import SlackHealthNotifier, alert_message, send_health_alerts
from integrations.kubernetes import Change, Finding, HealthNotification, ObjectRef, Severity
from slackkit.slack_client import retry_handlers

PAYMENTS = parse_ref("component:payments-api")
CHECKOUT = parse_ref("component:checkout")
TEAM = parse_ref("group:payments")


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as loopback:
        yield loopback


@pytest.fixture
def client(slack: LoopbackSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=retry_handlers())


def note(
    entity: EntityRef,
    channel: str | None,
    *,
    change: Change = Change.NEW,
    title: str = "Container app keeps crashing",
    severity: Severity = Severity.CRITICAL,
    name: str = "payments-api",
) -> HealthNotification:
    finding = Finding(
        "container-waiting",
        severity,
        ObjectRef("prod-eu", "payments", "Deployment", name),
        title,
        "Kubernetes says: back-off 5m0s",
        "Read the logs.",
        detail=title,
    )
    first_seen = datetime.now(UTC) - timedelta(minutes=30)
    return HealthNotification(change, entity, TEAM, channel, finding, first_seen)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_one_message_per_channel_and_service_one_channel_after_the_other(
    slack: LoopbackSlack, client: WebClient
) -> None:
    sleeps = Sleeps()
    notifier = SlackHealthNotifier(client, min_interval=1.0, sleep=sleeps)
    notes = [
        note(PAYMENTS, "C0PAYMENTS"),
        note(CHECKOUT, "#shopping", name="checkout"),
        note(PAYMENTS, "C0PAYMENTS", title="HPA at max", severity=Severity.WARNING),
        note(CHECKOUT, "C0PAYMENTS", change=Change.RESOLVED, name="checkout"),
    ]

    assert send_health_alerts(notifier, notes) == []

    posted = [(c.args["channel"], c.args["text"]) for c in slack.calls("chat.postMessage")]
    assert posted == [
        ("#shopping", "component:checkout: 1 new problem in Kubernetes"),
        ("C0PAYMENTS", "component:checkout: 1 resolved in Kubernetes"),
        ("C0PAYMENTS", "component:payments-api: 2 new problems in Kubernetes"),
    ]
    assert len(sleeps.waits) == 1 and 0.5 < sleeps.waits[0] <= 1.0  # paced within C0PAYMENTS
    grouped = render_text(slack.calls("chat.postMessage")[2].args)
    assert "Container app keeps crashing" in grouped and "HPA at max" in grouped


def test_a_bad_or_missing_channel_is_reported_and_the_rest_is_sent(
    slack: LoopbackSlack, client: WebClient
) -> None:
    notifier = SlackHealthNotifier(client, min_interval=0)
    notes = [
        note(PAYMENTS, "<!channel>"),
        note(PAYMENTS, None, name="other"),
        note(CHECKOUT, "shopping", name="checkout"),
    ]

    failed = send_health_alerts(notifier, notes)

    assert [reason for _, reason in failed] == [
        "no Slack channel for group:default/payments",
        "'<!channel>' is not a Slack channel (#name or a C… id)",
    ]
    assert [c.args["channel"] for c in slack.calls("chat.postMessage")] == ["#shopping"]


def test_slack_refusing_one_message_does_not_stop_the_others(
    slack: LoopbackSlack, client: WebClient
) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")
    notifier = SlackHealthNotifier(client, min_interval=0)

    failed = send_health_alerts(
        notifier, [note(PAYMENTS, "#a"), note(CHECKOUT, "#b", name="checkout")]
    )

    assert [(n.entity, reason) for n, reason in failed] == [
        (PAYMENTS, "Slack refused the health alert for #a: not_in_channel")
    ]
    assert [c.args["channel"] for c in slack.calls("chat.postMessage") if c.ok] == ["#b"]


def test_a_server_error_is_retried_then_sent(slack: LoopbackSlack, client: WebClient) -> None:
    slack.fail("chat.postMessage", status=503)
    SlackHealthNotifier(client, min_interval=0).notify(note(PAYMENTS, "C0PAYMENTS"))
    assert [c.status for c in slack.calls("chat.postMessage")] == [503, 200]


def test_a_message_about_many_problems_fits_one_slack_message(
    slack: LoopbackSlack, client: WebClient
) -> None:
    notes = [note(PAYMENTS, "C0X", title=f"problem {i} <!here>") for i in range(70)]

    SlackHealthNotifier(client).notify_group(notes)

    [call] = slack.calls("chat.postMessage")
    assert call.ok and len(call.args["blocks"]) <= 50
    text = render_text(call.args)
    assert "70 new problems" in text and "… and 30 more" in text
    assert "<!here>" not in str(call.args["blocks"]) and "&lt;!here&gt;" in str(call.args["blocks"])


def test_a_resolved_note_says_what_cleared_and_for_how_long() -> None:
    message = alert_message([note(PAYMENTS, "C0X", change=Change.RESOLVED)])
    text = render_text(message)
    assert ":white_check_mark: *Resolved:* Container app keeps crashing" in text
    assert "was critical" in text and "lasted about 30m" in text
    assert message["text"] == "component:payments-api: 1 resolved in Kubernetes"


def test_an_outage_of_many_services_is_summed_up_instead_of_flooding_the_channel(
    slack: LoopbackSlack, client: WebClient
) -> None:
    sleeps = Sleeps()
    notes = [
        note(parse_ref(f"component:svc-{i:02d}"), "#team", name=f"svc-{i:02d}") for i in range(25)
    ]
    notes.append(note(parse_ref("component:svc-24"), "#team", change=Change.RESOLVED))

    failed = send_health_alerts(
        SlackHealthNotifier(client, sleep=sleeps), notes, max_messages_per_channel=4
    )

    calls = slack.calls("chat.postMessage")
    assert failed == [] and len(calls) == 4 and len(sleeps.waits) == 3
    assert [c.args["text"] for c in calls[:3]] == [
        f"component:svc-{i:02d}: 1 new problem in Kubernetes" for i in range(3)
    ]
    summary = render_text(calls[3].args)
    assert calls[3].args["text"] == "22 more services changed in Kubernetes"
    assert "`component:svc-03` 1 new: Container app keeps crashing" in summary
    assert "`component:svc-24` 1 new, 1 resolved" in summary


def test_channels_take_turns_so_one_busy_channel_does_not_hold_up_the_others(
    slack: LoopbackSlack, client: WebClient
) -> None:
    notes = [
        note(parse_ref(f"component:{team}-{i}"), f"#{team}", name=f"{team}-{i}")
        for team in ("a", "b")
        for i in range(3)
    ]
    notes.append(note(parse_ref("component:c-0"), "#c", name="c-0"))

    send_health_alerts(SlackHealthNotifier(client, sleep=Sleeps()), notes)

    order = [c.args["channel"] for c in slack.calls("chat.postMessage")]
    assert order == ["#a", "#b", "#c", "#a", "#b", "#a", "#b"]
