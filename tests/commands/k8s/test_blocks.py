"""How Kubernetes health reads in Slack: every page of a huge answer fits Block Kit, cluster
text stays inert, the Home section puts problems first and says when the sweep is stale."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from slack_sdk.models.blocks import Block

from catalog import EntityRef, EntitySummary, parse_ref
from commands.k8s.blocks import health_reply, health_section, status_badge
from integrations.kubernetes import (
    AutoscalerRange,
    ClusterState,
    ClusterSummary,
    Finding,
    HealthBadge,
    HealthStatus,
    KubernetesHealth,
    NamespaceSummary,
    ObjectRef,
    Severity,
    WorkloadSelector,
    WorkloadSummary,
)
from slackkit.replies import ReplyState, render_reply

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
REF = parse_ref("component:payments-api")
HOSTILE = "<!channel> <@U0ALICE> <https://evil.example|x> & more"
_TOKENS = re.compile(r"<[!@#][^>]*>|<https?:[^>]*>")


def workload(i: int) -> WorkloadSummary:
    return WorkloadSummary(
        kind="Deployment",
        name=f"worker-{i:03d}",
        ready=1,
        desired=2,
        restarts=i,
        autoscaler=AutoscalerRange(current=2, min=1, max=2),
        image_tags=("1.4.2",),
        created_at=NOW - timedelta(days=3),
        age_seconds=3 * 86400,
    )


def finding(i: int, severity: Severity) -> Finding:
    return Finding(
        rule="repeated-warning-events",
        severity=severity,
        object=ObjectRef("prod-eu", "payments", "Deployment", f"worker-{i:03d}"),
        title=f"Deployment worker-{i:03d}: 5 Unhealthy warnings recently {HOSTILE}",
        explanation="Latest: " + HOSTILE * 200,
        fix="Check the probe. " * 100,
        detail="Unhealthy",
    )


def huge_health() -> KubernetesHealth:
    clusters = tuple(
        ClusterSummary(
            name=f"prod-{c}",
            state=ClusterState.OK,
            reason=None,
            problems=(f"events: 403 Forbidden {HOSTILE}",),
            namespaces=tuple(
                NamespaceSummary(f"ns-{n}", tuple(workload(i) for i in range(40))) for n in range(2)
            ),
        )
        for c in range(3)
    )
    down = ClusterSummary("prod-down", ClusterState.FAILED, "timed out after 2.5 s", (), ())
    severities = [Severity.INFO, Severity.CRITICAL, Severity.WARNING]
    findings = tuple(
        sorted(
            (finding(i, severities[i % 3]) for i in range(120)),
            key=lambda f: (-f.severity.rank, f.object),
        )
    )
    return KubernetesHealth(
        entity=REF,
        status=HealthStatus.FAILING,
        checked_at=NOW,
        selector=WorkloadSelector("backstage.io/kubernetes-id=payments-api", "payments"),
        clusters=(*clusters, down),
        findings=findings,
    )


def tokens(payload: object) -> set[str]:
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


def test_every_page_of_a_huge_answer_fits_block_kit_and_shows_everything() -> None:
    reply = health_reply(huge_health(), title="Payments API")
    pages = -(-len(reply.lines) // 20)
    shown = ""
    for page in range(pages):
        message = render_reply(reply, ReplyState("k8s payments-api", page), page_size=20)
        assert len(message["blocks"]) <= 50
        for block in message["blocks"]:
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert Block.parse(block) is not None
        assert tokens(message) == set()
        assert "prod-down* did not answer: timed out after 2.5 s" in str(message["blocks"])
        shown += str(message["blocks"])
    assert shown.count("*Fix:*") == 120
    assert shown.count("• Deployment `worker-") == 240
    assert shown.index("• Deployment `worker-") < shown.index("Findings, worst first")
    assert "&lt;!channel&gt; &lt;@U0ALICE&gt;" in shown


def test_findings_keep_their_worst_first_order_and_the_summary_counts_them() -> None:
    reply = health_reply(huge_health(), title="Payments API")
    findings = reply.lines[reply.lines.index("*Findings, worst first*") + 1 :]
    marks = [line.split(" ", 1)[0] for line in findings]
    assert marks == sorted(marks, key=[":red_circle:", ":warning:", ":information_source:"].index)
    summary = str(reply.blocks)
    assert "*120 problems* (40 critical, 40 warning, 40 info)" in summary


def test_a_service_with_only_heads_up_findings_is_all_healthy() -> None:
    info = finding(1, Severity.INFO)
    health = KubernetesHealth(REF, HealthStatus.HEALTHY, NOW, None, (), (info,))
    assert ":white_check_mark: *All healthy* (1 heads-up below)" in str(
        health_reply(health, title="x").blocks
    )


def summary(name: str) -> EntitySummary:
    return EntitySummary(
        ref=parse_ref(f"component:{name}"),
        exists=True,
        title=None,
        description=None,
        spec_type="service",
        lifecycle="production",
    )


def badge(name: str, status: HealthStatus, *, at: datetime = NOW) -> tuple[EntityRef, HealthBadge]:
    ref = parse_ref(f"component:{name}")
    failed = (("prod-us", "timed out"),) if status is HealthStatus.UNKNOWN else ()
    return ref, HealthBadge(ref, status, at, 0, 0, f"{name} headline <!here>", failed)


def test_home_section_lists_problems_first_and_collapses_healthy_services() -> None:
    owned = [summary(n) for n in ("a", "b", "c", "d", "not-swept")]
    badges = dict(
        [
            badge("a", HealthStatus.HEALTHY),
            badge("b", HealthStatus.DEGRADED),
            badge("c", HealthStatus.UNKNOWN),
            badge("d", HealthStatus.FAILING),
        ]
    )

    blocks = health_section(
        owned,
        badges,
        now=NOW + timedelta(minutes=3),
        sweep_every=timedelta(minutes=5),
        command="/g",
    )

    text = blocks[0]["text"]["text"]
    lines = text.split("\n")
    assert (
        lines[0]
        == "*Kubernetes health* (1 failing · 1 degraded · 1 unknown · 1 healthy) · swept 3m ago"
    )
    assert lines[1].startswith(":red_circle: _failing_ *d*")
    assert lines[2].startswith(":large_yellow_circle: _degraded_ *b*")
    assert "c headline &lt;!here&gt; _(prod-us did not answer)_" in lines[3]
    assert lines[4] == ":large_green_circle: _healthy_: `component:a`"
    assert "not-swept" not in text
    assert "is the worker running" not in str(blocks)


def test_home_section_warns_when_the_last_sweep_is_old_and_is_empty_without_one() -> None:
    owned = [summary("a")]
    old = dict([badge("a", HealthStatus.HEALTHY, at=NOW - timedelta(hours=2))])
    blocks = health_section(owned, old, now=NOW, sweep_every=timedelta(minutes=5), command="/g")
    assert "The last health sweep was 2h ago; is the worker running?" in str(blocks)
    assert health_section(owned, {}, now=NOW, sweep_every=timedelta(minutes=5), command="/g") == []


def test_status_badges_are_fixed_emoji_and_words() -> None:
    assert status_badge("failing") == ":red_circle: _failing_"
    assert status_badge("<!channel>") == ":white_circle: _&lt;!channel&gt;_"


def test_cronjobs_of_a_batch_only_service_are_listed_inert_with_the_pipeline_command() -> None:
    from integrations.kubernetes.batch import BatchWorkload

    batch = (
        BatchWorkload("prod-eu", "data", "CronJob", HOSTILE, schedule="0 3 * * *", suspended=True,
                      last_success=NOW - timedelta(hours=9)),
        BatchWorkload("prod-eu", "data", "Job", "backfill"),
    )  # fmt: skip
    health = KubernetesHealth(
        REF, HealthStatus.UNKNOWN, NOW, None, (), (), message="it runs as CronJobs", batch=batch
    )
    reply = health_reply(health, title="Payments API", command="/portal")
    page = render_reply(reply, ReplyState("k8s payments-api", 0), page_size=20)
    text = str(page)
    assert "*Ask `/portal pipeline payments-api`*" in text
    assert "_suspended_" in text and "last success 9h ago" in text and "Job `backfill`" in text
    assert tokens(page) == set()
