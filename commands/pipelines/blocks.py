"""Block Kit for pipelines: the ``pipeline`` answer, the ``lineage`` answer, the Home tab and
team-page section, and the sweep's alerts. Everything from the catalog or an engine is escaped
here (slackkit's ``escape``): a DAG id or an error message is text, never mrkdwn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from catalog import EntityRef, EntitySummary, InvalidRef, parse_ref
from integrations.pipelines import (
    Freshness,
    LineageAnswer,
    NodeInfo,
    PipelineBadge,
    PipelineFinding,
    PipelineHealth,
    Role,
    Run,
    format_duration,
)
from integrations.pipelines.model import EngineReport
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import entity_title, ref_text
from slackkit.replies import Reply

__all__ = [
    "finding_text",
    "lineage_reply",
    "pipeline_reply",
    "pipelines_section",
    "state_badge",
]

_STATES = ("failing", "late", "degraded", "unknown", "healthy")
_BADGE = {
    "failing": ":red_circle: _failing_",
    "late": ":hourglass: _late_",
    "degraded": ":large_yellow_circle: _degraded_",
    "unknown": ":white_circle: _unknown_",
    "healthy": ":large_green_circle: _healthy_",
}
_RUN_MARK = {
    "success": ":white_check_mark:",
    "failed": ":x:",
    "running": ":arrows_counterclockwise:",
    "queued": ":hourglass_flowing_sand:",
    "unknown": ":grey_question:",
}
_ROLE_MARK = {
    Role.PIPELINE: ":gear:",
    Role.DATASET: ":card_file_box:",
    Role.OTHER: ":bust_in_silhouette:",
}
_SEVERITY = {"critical": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}
_HOME_LINES = 8
_NAMES_PER_TEAM = 10


def state_badge(state: str) -> str:
    return _BADGE.get(state, f"_{bk.escape(state)}_")


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    delta = now - moment
    if delta < timedelta(minutes=1):
        return "just now"
    return f"{format_duration(delta)} ago"


def finding_text(finding: PipelineFinding) -> str:
    """A finding with its explanation, fix and log link, escaped."""
    mark = _SEVERITY.get(finding.severity.value, "")
    text = (
        f"{mark} *{bk.escape(bk.truncate(finding.title, 300))}*\n"
        f"{bk.escape(bk.truncate(finding.explanation, 600))}\n"
        f"*Fix:* {bk.escape(bk.truncate(finding.fix, 600))}"
    )
    if finding.log_url:
        text += f"\n{bk.link(finding.log_url, 'Open the log')}"
    return text


def pipeline_reply(
    health: PipelineHealth,
    *,
    summary: EntitySummary,
    owner: EntitySummary | None,
    on_call: Sequence[str],
    now: datetime,
    runs_shown: int,
) -> Reply:
    """``pipeline <entity>``: state, last runs, failures with log links, freshness of what it
    writes, owner and on-call."""
    spec = health.spec
    title = f"Pipeline: {summary.display_name}"
    head: list[Block] = [bk.header(bk.truncate(title, 150)), bk.context(entity_title(summary))]
    if owner is not None:
        owned = entity_title(owner)
    else:
        owned = ref_text(spec.owner) if spec.owner else "_nobody_"
    who = [f"*Owner:* {owned}"]
    if on_call:
        who.append("*On call:* " + ", ".join(on_call))
    head.append(bk.section(" · ".join(who)))
    state = f"{state_badge(health.state.value)} — {bk.escape(bk.truncate(health.headline, 300))}"
    last = health.last_success
    state += f"\nLast success: {ago(last, now)}" + (
        f" ({last.astimezone(UTC):%Y-%m-%d %H:%M} UTC)" if last else ""
    )
    head.append(bk.section(state))
    lines: list[str] = []
    for report in health.reports:
        lines += _report_lines(report, now, runs_shown)
    for note in health.notes:
        lines.append(f":information_source: {bk.escape(note)}")
    if spec.writes or health.freshness:
        lines.append("*Writes*")
        lines += [_freshness_line(f, now) for f in health.freshness]
    if spec.reads:
        lines.append("*Reads*")
        lines += [f"• {ref_text(r)}" for r in spec.reads]
    findings = [finding_text(f) for f in health.findings]
    if findings:
        lines.append(f"*{len(findings)} problem{'s' * (len(findings) != 1)}, worst first*")
        lines += findings
    text = f"{summary.display_name}: {health.state.value}. {health.headline}"
    return Reply(bk.truncate(text, 300), tuple(head), tuple(lines))


def _report_lines(report: EngineReport, now: datetime, runs_shown: int) -> list[str]:
    name = _source_name(report.source)
    if report.error:
        return [
            f":x: *{bk.escape(name)}* did not answer: {bk.escape(bk.truncate(report.error, 300))}"
        ]
    what = "DAG" if report.engine == "airflow" else "CronJob"
    parts = [f"*{bk.escape(name)}* · {what} {bk.code(report.subject)}"]
    if report.url:
        parts[0] = f"*{bk.escape(name)}* · {what} {bk.link(report.url, report.subject)}"
    if report.paused:
        parts.append(
            ":double_vertical_bar: paused"
            if report.engine == "airflow"
            else ":double_vertical_bar: suspended"
        )
    if report.schedule:
        parts.append(f"schedule {bk.code(report.schedule)}")
    parts.append(f"last success {ago(report.last_success, now)}")
    if report.usual_seconds:
        parts.append(f"usually takes {format_duration(timedelta(seconds=report.usual_seconds))}")
    lines = [" · ".join(parts)]
    for run in report.runs[:runs_shown]:
        lines.append(_run_line(run, report.usual_seconds, now))
        for task in run.failures[:3]:
            where = f" · {bk.link(task.log_url, 'log')}" if task.log_url else ""
            why = f" ({bk.escape(task.reason)})" if task.reason else ""
            tries = f" try {task.try_number} of {task.max_tries + 1}" if task.max_tries else ""
            state = "failing" if task.state == "failed" else task.state.replace("_", " ")
            lines.append(
                f"      ↳ {bk.escape(state)} task {bk.code(task.task_id)}{why}{tries}{where}"
            )
    if not report.runs:
        lines.append("• _no runs yet_")
    return lines


def _run_line(run: Run, usual: float | None, now: datetime) -> str:
    mark = _RUN_MARK.get(run.state.value, "")
    started = (
        f"{run.started_at.astimezone(UTC):%Y-%m-%d %H:%M}" if run.started_at else "not started"
    )
    took = run.seconds(now)
    length = ""
    if took is not None:
        verb = "running for" if run.ended_at is None else "took"
        length = f" · {verb} {format_duration(timedelta(seconds=took))}"
        if usual and took > 2 * usual and took > 300:
            length += f" :snail: (usually {format_duration(timedelta(seconds=usual))})"
    label = bk.link(run.url, run.run_id) if run.url else bk.code(run.run_id)
    return f"• {mark} {bk.escape(run.state.value)} · {label} · {started} UTC{length}"


def _freshness_line(fresh: Freshness, now: datetime) -> str:
    name = ref_text(fresh.dataset)
    if not fresh.known:
        return f"• {name} · :white_circle: freshness unknown (add greenroom.dev/expected-interval)"
    every = f"expected every {format_duration(fresh.expected)}"
    written = ago(fresh.last_written, now)
    if fresh.late:
        late = format_duration(fresh.late_by)
        return f"• {name} · :hourglass: *late by {late}* · last written {written} · {every}"
    if fresh.last_written is None:
        return f"• {name} · :white_circle: not known ({every})"
    return f"• {name} · :white_check_mark: fresh · written {written} · {every}"


def _source_name(source: str) -> str:
    engine, _, name = source.partition(" ")
    return f"Airflow {name}" if engine == "airflow" else f"Kubernetes {name}"


def _node_text(node: NodeInfo) -> str:
    mark = _ROLE_MARK.get(node.role, "")
    if node.in_catalog and node.ref is not None:
        owner = f" · owner {ref_text(node.owner)}" if node.owner else " · :warning: no owner"
        return f"{mark} *{bk.escape(bk.truncate(node.label, 80))}* {ref_text(node.ref)}{owner}"
    name = ref_text(node.ref) if node.ref else bk.code(node.label)
    source = {"openlineage": "OpenLineage", "airflow": "Airflow"}.get(
        node.source, "a catalog relation"
    )
    return f"{mark} {name} · :grey_question: _not in the catalog_ (named by {source})"


def lineage_reply(
    answer: LineageAnswer,
    *,
    summary: EntitySummary,
    channels: Mapping[EntityRef, str],
    command: str,
) -> Reply:
    """``lineage <entity>``: the graph by level with owners, loops and missing datasets named,
    and downstream, the teams to tell if it is late."""
    first = answer.walk
    depth = first.depth
    levels = "all levels" if depth is None else f"{depth} level{'s' * (depth != 1)}"
    counts = ", ".join(f"{len(w)} {_word(w.direction.value)}" for w in answer.walks)
    title = f"Lineage of {summary.display_name}: {counts} ({levels})"
    head: list[Block] = [bk.header(bk.truncate(title, 150)), bk.context(entity_title(summary))]
    sources = ", ".join({"catalog": "catalog relations"}.get(s, s) for s in answer.sources)
    head.append(bk.context(f"From {bk.escape(sources)}"))
    for note in answer.notes:
        head.append(bk.context(f":x: {bk.escape(bk.truncate(note, 300))}"))
    lines: list[str] = []
    if answer.impact is not None:
        lines += _impact_lines(answer, channels)
    cycles = list(dict.fromkeys(c for w in answer.walks for c in w.cycles))
    if cycles:
        loops = ", ".join(f"{_short(a)} → {_short(b)}" for a, b in cycles[:5])
        lines.append(f":repeat: *Loop in the lineage:* {loops} (each node is listed once)")
    missing = list(dict.fromkeys(n for w in answer.walks for n in w.missing))
    if missing:
        names = ", ".join(bk.code(n.label if n.ref is None else str(n.ref)) for n in missing[:8])
        lines.append(f":grey_question: *{len(missing)} not in the catalog:* {names}")
    for walk in answer.walks:
        word = _word(walk.direction.value)
        lines.append(f"*{word.capitalize()}*")
        if not walk.steps:
            empty = "nothing feeds it" if word == "upstream" else "nothing reads from it"
            lines.append(f"_{empty} that greenroom knows of_")
            continue
        for number, steps in enumerate(walk.levels(), start=1):
            lines.append(f"_{word} level {number}_")
            lines += [f"• {_node_text(s.node)}" for s in steps]
        if walk.truncated:
            lines.append(f"… cut at {len(walk)} nodes: ask with {bk.code('--depth')} for fewer")
    usage = bk.code(command + " lineage <entity> [--up|--down] [--depth N]")
    return Reply(title, tuple(head), tuple(lines), (bk.context(usage),))


def _word(direction: str) -> str:
    return "upstream" if direction == "up" else "downstream"


def _short(node_id: str) -> str:
    """A catalog node as its ref (``resource:orders``); a lineage source's id as it is."""
    if node_id.startswith(("openlineage:", "airflow:")):
        return bk.code(node_id.split(":", 2)[-1] if node_id.startswith("airflow:") else node_id)
    try:
        return ref_text(parse_ref(node_id))
    except InvalidRef:
        return bk.code(node_id)


def _impact_lines(answer: LineageAnswer, channels: Mapping[EntityRef, str]) -> list[str]:
    impact = answer.impact
    assert impact is not None
    if not impact.teams and not impact.unowned:
        return ["*Who is affected if this is late:* no other team reads from it."]
    teams = len(impact.teams)
    lines = [f"*Who is affected if this is late:* {teams} team{'s' * (teams != 1)} to tell"]
    for team, nodes in impact.teams:
        where = f" {bk.channel(channels[team])}" if team in channels else ""
        names = ", ".join(_name(n) for n in nodes[:_NAMES_PER_TEAM])
        more = len(nodes) - _NAMES_PER_TEAM
        names += f" and {more} more" if more > 0 else ""
        lines.append(f"• Tell {ref_text(team)}{where} ({len(nodes)}): {names}")
    if impact.unowned:
        names = ", ".join(_name(n) for n in impact.unowned[:_NAMES_PER_TEAM])
        lines.append(f"• :warning: *No owner* ({len(impact.unowned)}): {names}")
    return lines


def _name(node: NodeInfo) -> str:
    return ref_text(node.ref) if node.ref else bk.code(node.label)


def pipelines_section(
    owned: Sequence[EntitySummary],
    badges: Mapping[EntityRef, PipelineBadge],
    *,
    now: datetime,
    sweep_every: timedelta,
    command: str,
) -> list[Block]:
    """The pipelines a team owns, from the latest sweep: failing and late first, healthy ones
    on one line; nothing when none has been swept."""
    rows = [(s, badges[s.ref]) for s in owned if s.ref in badges]
    if not rows:
        return []
    rows.sort(key=lambda r: (_STATES.index(r[1].state.value), str(r[0].ref)))
    latest = max(b.checked_at for _, b in rows)
    counts = Counter(b.state.value for _, b in rows)
    split = " · ".join(f"{counts[s]} {s}" for s in _STATES if counts[s])
    lines = [f"*Pipelines* ({split}) · swept {ago(latest, now)}"]
    troubled = [r for r in rows if r[1].state.value != "healthy"]
    for summary, badge in troubled[:_HOME_LINES]:
        title = bk.escape(bk.truncate(summary.display_name, 80))
        line = f"{state_badge(badge.state.value)} *{title}* {ref_text(summary.ref)}"
        line += f" — {bk.escape(bk.truncate(badge.headline, 160))}"
        lines.append(line)
    if len(troubled) > _HOME_LINES:
        lines.append(f"… and {len(troubled) - _HOME_LINES} more with problems")
    healthy = [s for s, b in rows if b.state.value == "healthy"]
    if healthy:
        names = ", ".join(ref_text(s.ref) for s in healthy[:_HOME_LINES])
        more = f" and {len(healthy) - _HOME_LINES} more" if len(healthy) > _HOME_LINES else ""
        lines.append(f"{state_badge('healthy')}: {names}{more}")
    blocks: list[Block] = [bk.section("\n".join(lines))]
    if now - latest > 3 * sweep_every:
        blocks.append(
            bk.context(
                f":warning: The last pipelines sweep was {ago(latest, now)}; is the worker running?"
            )
        )
    blocks.append(bk.context(f"{bk.code(command + ' pipeline <name>')} checks one pipeline now."))
    return blocks
