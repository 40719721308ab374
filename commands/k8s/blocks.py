"""How Kubernetes health reads in Slack: the ``k8s`` answer, status badges, the health section
of the Home tab and team pages.

Everything a cluster says (names, images, Kubernetes' messages, event text) is escaped:
``<!channel>`` in a Warning event shows as text. Statuses and severities are compared by
value, so importing this module does not load the ``kubernetes`` client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from catalog import EntityRef, EntitySummary
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.replies import Reply

if TYPE_CHECKING:
    from integrations.kubernetes import (
        ClusterSummary,
        Finding,
        HealthBadge,
        KubernetesHealth,
        WorkloadSummary,
    )

__all__ = [
    "finding_text",
    "format_age",
    "health_reply",
    "health_section",
    "severity_mark",
    "status_badge",
]

_STATUS_MARK = {
    "failing": ":red_circle:",
    "degraded": ":large_yellow_circle:",
    "healthy": ":large_green_circle:",
    "unknown": ":white_circle:",
}
_STATUS_RANK = {"failing": 0, "degraded": 1, "unknown": 2, "healthy": 3}
_SEVERITY_MARK = {
    "critical": ":red_circle:",
    "warning": ":warning:",
    "info": ":information_source:",
}
_EXPLANATION_LIMIT = 900
_FIX_LIMIT = 600
_HOME_LINES = 12


def status_badge(status: str) -> str:
    """``:red_circle: _failing_`` (mrkdwn) for a health status."""
    return f"{_STATUS_MARK.get(status, ':white_circle:')} _{bk.escape(status)}_"


def severity_mark(severity: str) -> str:
    """The emoji of a finding's severity."""
    return _SEVERITY_MARK.get(severity, ":grey_question:")


def format_age(seconds: int | None) -> str:
    """``45s``, ``12m``, ``5h``, ``30d`` (as kubectl shows ages)."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def health_reply(
    health: KubernetesHealth,
    *,
    title: str,
    actions: Sequence[Block] = (),
    command: str = "/greenroom",
) -> Reply:
    """The ``k8s`` answer: status and failing clusters on every page; then per cluster and
    namespace each workload, then the findings worst first (paged by the framework);
    ``actions`` (buttons that fix findings, from commands/actions) close every page. A service
    that runs only CronJobs/Jobs gets them listed and the ``pipeline`` command to ask."""
    status = health.status.value
    facts = [status_badge(status), ref_text(health.entity)]
    if health.selector is not None:
        where = f" in namespace {bk.code(health.selector.namespace)}"
        facts.append(
            f"selector {bk.code(health.selector.label_selector)}"
            + (where if health.selector.namespace else "")
        )
    facts.append(f"checked {health.checked_at.astimezone(UTC):%H:%M:%S} UTC")
    head: list[Block] = [bk.header(f"Kubernetes: {title}"), bk.context(" · ".join(facts))]
    if health.message:
        head.append(bk.section(f":grey_question: {bk.escape(_sentence(health.message))}"))
    if health.batch:
        head.append(bk.section(_batch_text(health, command)))
    down = [_cluster_failure(c) for c in health.clusters if c.state.value != "ok"]
    if down:
        head.append(bk.section("\n".join(down[:20])))
    summary = _summary(health)
    if summary:
        head.append(bk.section(summary))
    lines = [line for cluster in health.clusters for line in _cluster_lines(cluster)]
    if health.findings:
        lines.append("*Findings, worst first*")
        lines.extend(finding_text(f) for f in health.findings)
    text = f"{title}: {status} in Kubernetes ({health.headline})"
    return Reply(text, tuple(head), tuple(lines), footer=tuple(actions) if health.findings else ())


def finding_text(finding: Finding) -> str:
    """A finding as mrkdwn: severity, title, object, explanation and the proposed fix."""
    pods = ""
    if finding.pods:
        more = finding.pod_count - len(finding.pods)
        pods = " · pods " + ", ".join(bk.code(p) for p in finding.pods)
        pods += f" and {more} more" if more > 0 else ""
    return (
        f"{severity_mark(finding.severity.value)} *{bk.escape(finding.title)}*\n"
        f"{bk.code(str(finding.object))} · {bk.escape(finding.severity.value)}{pods}\n"
        f"{bk.escape(bk.truncate(finding.explanation, _EXPLANATION_LIMIT))}\n"
        f"*Fix:* {bk.escape(bk.truncate(finding.fix, _FIX_LIMIT))}"
    )


def _batch_text(health: KubernetesHealth, command: str) -> str:
    ref = health.entity
    name = ref.name if ref.namespace == "default" else ref.short
    lines = [
        f":calendar: *Ask {bk.code(f'{command} pipeline {name}')}* for their last runs, failures "
        "and what is late."
    ]
    for b in health.batch[:10]:
        parts = [f"{b.kind} {bk.code(b.name)} in {bk.code(f'{b.cluster}/{b.namespace}')}"]
        if b.schedule:
            parts.append(bk.code(b.schedule))
        if b.suspended:
            parts.append("_suspended_")
        for label, moment in (("last run", b.last_run), ("last success", b.last_success)):
            if moment is not None:
                age = int((health.checked_at - moment).total_seconds())
                parts.append(f"{label} {format_age(max(age, 0))} ago")
        lines.append("• " + " · ".join(parts))
    if len(health.batch) > 10:
        lines.append(f"… and {len(health.batch) - 10} more")
    return "\n".join(lines)


def _summary(health: KubernetesHealth) -> str:
    if health.message:
        return ""
    serious = [f for f in health.findings if f.severity.value != "info"]
    if not serious:
        notes = len(health.findings)
        extra = f" ({notes} heads-up below)" if notes else ""
        return f":white_check_mark: *All healthy*{extra}"
    counts = Counter(f.severity.value for f in health.findings)
    split = ", ".join(f"{counts[s]} {s}" for s in ("critical", "warning", "info") if counts[s])
    worst = health.findings[0]
    return (
        f"*{len(health.findings)} problem{'s' if len(health.findings) > 1 else ''}* ({split}); "
        f"worst: {severity_mark(worst.severity.value)} {bk.escape(worst.title)}. "
        "Details below the workloads."
    )


def _cluster_failure(cluster: ClusterSummary) -> str:
    verb = "did not answer" if cluster.state.value == "failed" else "was skipped"
    reason = bk.escape(bk.truncate(cluster.reason or "no reason given", 400))
    return f":x: *{bk.escape(cluster.name)}* {verb}: {reason}"


def _cluster_lines(cluster: ClusterSummary) -> list[str]:
    if cluster.state.value != "ok":
        return []
    name = f"*{bk.escape(cluster.name)}*"
    lines = [f":warning: {name}: {bk.escape(bk.truncate(p, 400))}" for p in cluster.problems]
    if not cluster.namespaces:
        return [*lines, f"{name} · no workloads here"]
    for namespace in cluster.namespaces:
        lines.append(f"{name} · namespace {bk.code(namespace.name)}")
        lines.extend(_workload_line(w) for w in namespace.workloads)
    return lines


def _workload_line(w: WorkloadSummary) -> str:
    ready = f"{w.ready}/{w.desired} ready"
    if w.ready < w.desired:
        ready = f":warning: *{ready}*"
    parts = [f"{w.kind} {bk.code(w.name)}", ready]
    parts.append(f"*{w.restarts} restarts*" if w.restarts else "0 restarts")
    if w.autoscaler is not None:
        hpa = w.autoscaler
        current = "?" if hpa.current is None else str(hpa.current)
        low = f" (min {hpa.min})" if hpa.min is not None else ""
        parts.append(f"HPA {current}/{hpa.max}{low}")
    if w.image_tags:
        parts.append(", ".join(bk.code(t) for t in w.image_tags[:4]))
    parts.append(format_age(w.age_seconds))
    return "• " + " · ".join(parts)


def health_section(
    owned: Sequence[EntitySummary],
    badges: Mapping[EntityRef, HealthBadge],
    *,
    now: datetime,
    sweep_every: timedelta,
    command: str,
) -> list[Block]:
    """The health of what a team owns (the Home tab, team pages), from the latest sweep:
    problems first, healthy services on one line; nothing when none of it has been swept."""
    rows = [(s, badges[s.ref]) for s in owned if s.ref in badges]
    if not rows:
        return []
    rows.sort(key=lambda r: (_STATUS_RANK.get(r[1].status.value, 9), str(r[0].ref)))
    latest = max(b.checked_at for _, b in rows)
    counts = Counter(b.status.value for _, b in rows)
    split = " · ".join(f"{counts[s]} {s}" for s in _STATUS_RANK if counts[s])
    lines = [f"*Kubernetes health* ({split}) · swept {_ago(now - latest)}"]
    healthy = [s for s, b in rows if b.status.value == "healthy"]
    for summary, badge in [r for r in rows if r[1].status.value != "healthy"][:_HOME_LINES]:
        title = bk.escape(bk.truncate(summary.display_name, 80))
        line = f"{status_badge(badge.status.value)} *{title}* {ref_text(summary.ref)}"
        line += f" — {bk.escape(bk.truncate(badge.headline, 160))}"
        if badge.failed_clusters:
            names = ", ".join(bk.escape(c) for c, _ in badge.failed_clusters[:3])
            line += f" _({names} did not answer)_"
        lines.append(line)
    hidden = len(rows) - len(healthy) - _HOME_LINES
    if hidden > 0:
        lines.append(f"… and {hidden} more with problems")
    if healthy:
        names = ", ".join(ref_text(s.ref) for s in healthy[:_HOME_LINES])
        more = f" and {len(healthy) - _HOME_LINES} more" if len(healthy) > _HOME_LINES else ""
        lines.append(f"{status_badge('healthy')}: {names}{more}")
    blocks = [bk.section("\n".join(lines))]
    if now - latest > 3 * sweep_every:
        blocks.append(
            bk.context(
                f":warning: The last health sweep was {_ago(now - latest)}; is the worker running?"
            )
        )
    blocks.append(bk.context(f"{bk.code(command + ' k8s <service>')} checks one service now."))
    return blocks


def _ago(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    return "just now" if seconds < 60 else f"{format_age(seconds)} ago"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
