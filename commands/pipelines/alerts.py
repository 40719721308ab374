"""Pipeline alerts in team channels: a pipeline's new and resolved problems to its owners, and
"data you depend on is late" (and fresh again) to the teams downstream. One message per
channel, pipeline and audience; posted at Slack's pace by slackkit's ``ChannelPoster``, the
channels taking turns, as the Kubernetes sweep's alerts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from catalog import InvalidRef, parse_ref
from commands.pipelines.blocks import finding_text
from integrations.pipelines import PipelineNotification
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.channel_alerts import ChannelPoster, post_in_turns

__all__ = ["alert_message", "overflow_message", "send_pipeline_alerts"]

_SHOWN = 20
_OVERFLOW_LINES = 300


def send_pipeline_alerts(
    poster: ChannelPoster,
    notifications: Sequence[PipelineNotification],
    *,
    command: str = "/greenroom",
    max_messages_per_channel: int = 10,
) -> list[tuple[PipelineNotification, str]]:
    """Post every notification; returns those that could not be sent, with why. A channel
    with more changed pipelines than ``max_messages_per_channel`` gets that many messages, the
    last summing up the rest a line each, so a bad night does not flood it."""
    groups: dict[str, dict[tuple[str, str, str], list[PipelineNotification]]] = defaultdict(
        lambda: defaultdict(list)
    )
    failed: list[tuple[PipelineNotification, str]] = []
    for n in notifications:
        if not n.channel:
            failed.append((n, f"no Slack channel for {n.team or n.owner or 'its owner'}"))
            continue
        key = (str(n.entity), n.audience, str(n.team or ""))
        groups[n.channel.strip()][key].append(n)
    queues: dict[str, list[tuple[dict[str, Any], list[PipelineNotification]]]] = {}
    for channel in sorted(groups):
        ordered = [group for _, group in sorted(groups[channel].items())]
        shown = ordered
        if len(ordered) > max_messages_per_channel:
            shown = ordered[: max(max_messages_per_channel - 1, 0)]
        queue = [(alert_message(group, command=command), group) for group in shown]
        rest = ordered[len(shown) :]
        if rest:
            covered = [n for group in rest for n in group]
            queue.append((overflow_message(rest, command=command), covered))
        queues[channel] = queue
    failed.extend(post_in_turns(poster, queues))
    return failed


def overflow_message(
    groups: Sequence[Sequence[PipelineNotification]], *, command: str = "/greenroom"
) -> dict[str, Any]:
    """One message summing up many pipelines' changes, a line each."""
    lines = []
    for group in groups[:_OVERFLOW_LINES]:
        first = group[0]
        new = [n for n in group if n.change.value == "new"]
        mark = ":hourglass:" if first.audience == "downstream" else ":red_circle:"
        mark = mark if new else ":white_check_mark:"
        what = bk.escape(bk.truncate(new[0].finding.title, 120)) if new else "recovered"
        lines.append(f"{mark} {ref_text(first.entity)}: {what}")
    if len(groups) > _OVERFLOW_LINES:
        lines.append(f"… and {len(groups) - _OVERFLOW_LINES} more pipelines")
    blocks: list[Block] = [bk.section(f"*Pipelines* · {len(groups)} more changed")]
    blocks += [bk.section(chunk) for chunk in bk.pack_lines(lines)][:45]
    blocks.append(bk.context(f"{bk.code(f'{command} pipeline <name>')} shows one."))
    return {"text": f"{len(groups)} more pipelines changed", "blocks": blocks}


def alert_message(
    notifications: Sequence[PipelineNotification], *, command: str = "/greenroom"
) -> dict[str, Any]:
    """``text`` and ``blocks`` for one pipeline and one audience."""
    first = notifications[0]
    if first.audience == "downstream":
        return _downstream_message(notifications, command)
    entity = first.entity
    new = [n for n in notifications if n.change.value == "new"]
    resolved = [n for n in notifications if n.change.value != "new"]
    owned = f" (owned by {ref_text(first.owner)})" if first.owner else ""
    counts = []
    if new:
        counts.append(f"{len(new)} new problem{'s' * (len(new) > 1)}")
    if resolved:
        counts.append(f"{len(resolved)} resolved")
    critical = any(n.finding.severity.value == "critical" for n in new)
    mark = ":red_circle:" if critical else ":warning:" if new else ":white_check_mark:"
    blocks: list[Block] = [
        bk.section(f"{mark} *Pipeline* · {ref_text(entity)}{owned}: {', '.join(counts)}")
    ]
    for n in new[:_SHOWN]:
        blocks.append(bk.section(f"{finding_text(n.finding)}\n_First seen {_when(n.first_seen)}_"))
    for n in resolved[: max(_SHOWN - len(new), 0)]:
        blocks.append(
            bk.section(
                f":white_check_mark: *Resolved:* {bk.escape(bk.truncate(n.finding.title, 300))}"
                f"\n_first seen {_when(n.first_seen)}_"
            )
        )
    blocks.append(bk.context(f"{bk.code(f'{command} pipeline {entity.short}')} shows it now."))
    return {"text": bk.escape(f"{entity.short}: {', '.join(counts)}"), "blocks": blocks}


def _downstream_message(
    notifications: Sequence[PipelineNotification], command: str
) -> dict[str, Any]:
    first = notifications[0]
    late = [n for n in notifications if n.change.value == "new"]
    dataset = first.finding.subject
    writer = f"written by {ref_text(first.entity)}"
    if first.owner:
        writer += f", owned by {ref_text(first.owner)}"
    yours = ", ".join(ref_text(r) for r in first.affected[:10])
    if len(first.affected) > 10:
        yours += f" and {len(first.affected) - 10} more"
    try:
        name = ref_text(parse_ref(dataset))
    except InvalidRef:
        name = bk.code(dataset)
    if late:
        head = (
            f":hourglass: *Upstream data is late* · {name} ({writer}): "
            f"{bk.escape(bk.truncate(late[0].finding.title, 300))}"
        )
        text = f"Upstream data {dataset.split(':', 1)[-1]} is late"
    else:
        head = f":white_check_mark: *Upstream data is fresh again* · {name} ({writer})"
        text = f"Upstream data {dataset.split(':', 1)[-1]} is fresh again"
    blocks: list[Block] = [
        bk.section(head),
        bk.section(f"Yours downstream of it: {yours}"),
        bk.context(f"{bk.code(f'{command} lineage {dataset} --down')} shows who else reads it."),
    ]
    return {"text": bk.escape(text), "blocks": blocks}


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
