"""Block Kit for KPIs: the team page and Home sections, the ``kpis`` ranking, ``oncall``,
threshold messages and the digest. Everything from the catalog or a source is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from catalog.refs import EntityRef
from catalog.tech_migrations import Unplaced
from integrations.kpis import (
    GroupReading,
    KpiBoard,
    KpiSpec,
    OnCall,
    OnCallLookup,
    TeamKpis,
    ThresholdNotice,
)
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.replies import RUN_ACTION, Reply, ReplyState

__all__ = [
    "board_reply",
    "on_call_reply",
    "person_text",
    "team_section",
    "threshold_text",
    "trend_text",
]

_SPARKS = "▁▂▃▄▅▆▇█"


def trend_text(spec: KpiSpec, reading: GroupReading) -> str:
    """ "▲ +12% vs $1,100 (worse)"; says plainly when there is nothing to compare with."""
    if reading.current is None:
        return "no data"
    if reading.previous is None:
        return "nothing to compare with yet"
    change = reading.current - reading.previous
    if abs(change) < 1e-9:
        return "same as the window before"
    worse = (change > 0) == (spec.better == "lower")
    arrow = "▲" if change > 0 else "▼"
    if reading.previous:
        amount = f"{change / abs(reading.previous) * 100:+.0f}%"
    else:
        amount = f"{change:+,.{spec.decimals}f}"
    verdict = "worse" if worse else "better"
    return f"{arrow} {amount} vs {spec.format(reading.previous)} ({verdict})"


def sparkline(series: Sequence[tuple[date, float]]) -> str:
    """A line of block characters, one per day with data."""
    values = [v for _, v in series][-30:]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(_SPARKS[int((v - low) / span * (len(_SPARKS) - 1))] for v in values)


def _value(spec: KpiSpec, reading: GroupReading) -> str:
    """ "$1,200 (▲ +14% vs $1,050 (worse))", or just "no data"."""
    if reading.current is None:
        return "no data"
    return f"{bk.escape(spec.format(reading.current))} ({bk.escape(trend_text(spec, reading))})"


def _worst(spec: KpiSpec, reading: GroupReading) -> str:
    shown = [
        f"{ref_text(r.ref)} {bk.escape(spec.format(r.current))}" for r in reading.worst if r.current
    ]
    return f" · worst: {', '.join(shown)}" if shown else ""


def _reporting(reading: GroupReading) -> str:
    if reading.entities > 1 and reading.reporting < reading.entities:
        return f" · {reading.reporting} of {reading.entities} report"
    return ""


def team_section(
    kpis: TeamKpis,
    *,
    command: str,
    chart_hint: bool = True,
    button: bool = False,
    chart: Sequence[Block] = (),
    drawn: frozenset[str] = frozenset(),
) -> list[Block]:
    """The KPI lines of a team page or the Home tab ([] when no KPI has data), then
    ``chart`` (its image block, or a note why there is none); a KPI the chart draws
    (``drawn``) has no text sparkline."""
    if not kpis.readings:
        return []
    lines = []
    for spec, reading, series in kpis.readings:
        spark = sparkline(series) if spec.name not in drawn else ""
        lines.append(
            f"• *{bk.escape(spec.title)}*: {_value(spec, reading)}"
            f"{_reporting(reading)}{_worst(spec, reading)}" + (f"\n   `{spark}`" if spark else "")
        )
    head = (
        f"*KPIs* (last {kpis.window_days} days to {kpis.day.isoformat()}, "
        f"vs the {kpis.window_days} before)"
    )
    blocks: list[Block] = [bk.section(bk.truncate(head + "\n" + "\n".join(lines), 2900))]
    blocks.extend(chart)
    value = ReplyState(f"kpis {kpis.team.name}").encode()
    if button and value:
        blocks.append(bk.actions([bk.button("Rank its teams", f"{RUN_ACTION}:0", value)]))
    if chart_hint:
        blocks.append(
            bk.context(
                f"{bk.code(f'{command} kpis {kpis.team.name}')} ranks its teams and posts a "
                "chart" + (f" · {len(kpis.gaps)} gaps in the data" if kpis.gaps else "")
            )
        )
    return blocks


def board_reply(board: KpiBoard, *, command: str, notes: Sequence[str] = ()) -> Reply:
    """``kpis``: sub-teams ranked by one KPI, worst first, and what no row counts."""
    spec = board.spec
    title = f"{spec.title}: {board.scope}"
    facts = [
        f"last {board.window_days} days to {board.day.isoformat()} vs the {board.window_days} "
        "before",
        f"{'higher' if spec.better == 'lower' else 'lower'} is worse; worst first",
    ]
    total = board.total
    head: list[Block] = [
        bk.header(bk.truncate(title, 150)),
        bk.context(bk.escape(" · ".join(facts))),
        bk.section(f"*All*: {_value(spec, total)}{_reporting(total)}"),
    ]
    lines = []
    for position, row in enumerate(board.rows, 1):
        gap = board.gaps.get(row.ref) if row.ref is not None else None
        why = f" · {bk.escape(gap)}" if gap and row.current is None else ""
        lines.append(
            f"{position}. *{bk.escape(row.display_name)}*: {_value(spec, row)}"
            f"{_reporting(row)}{_worst(spec, row)}{why}"
        )
    if not board.rows:
        lines.append("_No team here has entities with this KPI yet._")
    lines += unplaced_lines(board.unplaced)
    footer: list[Block] = [bk.context(n) for n in notes]
    footer.append(
        bk.context(
            f"{bk.code(f'{command} kpis <team> --kpi cost|incidents|security|<custom>')} · "
            f"{bk.code(f'{command} oncall <entity>')}"
        )
    )
    text = f"{title}: {spec.format(total.current)}"
    return Reply(text, tuple(head), tuple(lines), tuple(footer))


def unplaced_lines(unplaced: Sequence[Unplaced], *, limit: int = 10) -> list[str]:
    if not unplaced:
        return []
    lines = [f":grey_question: *Not counted in any row* ({len(unplaced)}):"]
    lines += [f"• {ref_text(u.ref)}: {bk.escape(u.reason)}" for u in unplaced[:limit]]
    if len(unplaced) > limit:
        lines.append(f"_…and {len(unplaced) - limit} more._")
    return lines


def person_text(person: OnCall, slack_id: str | None) -> str:
    """A mention when the person is in this Slack, else their name and email, plainly."""
    if slack_id:
        return f"{bk.mention(slack_id)} ({bk.escape(person.name)})"
    email = f", {bk.escape(person.email)}" if person.email else ""
    return f"*{bk.escape(person.name)}*{email} (not found in this Slack workspace)"


def on_call_reply(
    title: str, lookup: OnCallLookup, slack_ids: Mapping[str, str], *, now: datetime
) -> Reply:
    """``oncall <entity>``: who is on call, level by level, with Slack mentions."""
    head: list[Block] = [bk.header(bk.truncate(f"On call: {title}", 150))]
    if lookup.answer is None:
        problem = lookup.problem or "PagerDuty did not say"
        text = f"Nobody could be named for {title}: {problem}."
        return Reply(text, (*head, bk.section(bk.escape(text))), shareable=False)
    answer = lookup.answer
    head.append(
        bk.context(
            f"{bk.escape(answer.what)} *{bk.escape(answer.service_name)}* "
            f"{bk.code(answer.service_id)}"
            + (
                f" · {'schedules' if answer.what.startswith('Opsgenie') else 'escalation policy'}"
                f" *{bk.escape(answer.policy_name)}*"
                if answer.policy_name
                else ""
            )
        )
    )
    if not answer.people:
        text = f"Nobody is on call for {title} right now."
        return Reply(text, (*head, bk.section(bk.escape(text))))
    lines = []
    for person in answer.people:
        until = ""
        if person.until is not None:
            hours = (person.until - now).total_seconds() / 3600
            until = f" · until {person.until:%a %H:%M} UTC ({hours:.0f} h)"
        schedule = f" · {bk.escape(person.schedule)}" if person.schedule else ""
        lines.append(
            f"• Level {person.level}: "
            f"{person_text(person, slack_ids.get((person.email or '').lower()))}"
            f"{until}{schedule}"
        )
    first = answer.people[0]
    return Reply(f"On call for {title}: {first.name}", tuple(head), tuple(lines))


def threshold_text(notice: ThresholdNotice, *, command: str) -> tuple[str, list[Block]]:
    """The message a team's channel gets when a KPI crosses, worsens past, or recovers."""
    spec, name = notice.spec, notice.display_name
    value = spec.format(notice.value)
    if notice.change == "crossed":
        headline = f":rotating_light: {name}: {spec.title} is {value}, {notice.line}"
    elif notice.change == "worse":
        headline = (
            f":small_red_triangle: {name}: {spec.title} got worse: {value} "
            f"(was {spec.format(notice.told)}), {notice.line}"
        )
    else:
        headline = (
            f":white_check_mark: {name}: {spec.title} is back to {value}, no longer {notice.line}"
        )
    blocks: list[Block] = [bk.section(bk.escape(headline))]
    worst = [
        f"{ref_text(r.ref)} {bk.escape(spec.format(r.current))}" for r in notice.worst if r.current
    ]
    if worst and notice.change != "recovered":
        blocks.append(bk.context("Worst: " + ", ".join(worst)))
    blocks.append(bk.context(f"{bk.code(f'{command} kpis {notice.group.name} --kpi {spec.name}')}"))
    return headline, blocks


def group_name(ref: EntityRef | None) -> str:
    return ref.name if ref else "everyone"
