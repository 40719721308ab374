"""Health alerts in team channels: the sweep's new and resolved problems, posted with
``chat.postMessage``, one message per channel and service, one message at a time.

``SlackHealthNotifier`` is the ``HealthNotifier`` of integrations/kubernetes on slackkit's
``ChannelPoster`` (Slack's pace, retries of 429s, shared with the pipelines sweep). A message
that cannot be sent raises ``AlertNotSent``; ``send_health_alerts`` carries on with the others
and returns the failures. A channel hears about at most ``max_messages_per_channel`` services
per sweep one by one; the rest come as one summary message, so an outage neither floods it nor
takes minutes to post.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from commands.k8s.blocks import finding_text, format_age, severity_mark
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.channel_alerts import AlertNotSent, ChannelPoster, post_in_turns

if TYPE_CHECKING:
    from integrations.kubernetes import HealthNotification

__all__ = [
    "AlertNotSent",
    "SlackHealthNotifier",
    "alert_message",
    "overflow_message",
    "send_health_alerts",
]

_FINDINGS_SHOWN = 40
_OVERFLOW_LINES = 300


class SlackHealthNotifier(ChannelPoster):
    """Posts health notifications to their team channels (a ``HealthNotifier``)."""

    def __init__(
        self,
        client: WebClient,
        *,
        command: str = "/greenroom",
        min_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, min_interval=min_interval, sleep=sleep, what="health alert")
        self.command = command

    def notify(self, notification: HealthNotification) -> None:
        """Post one notification (``HealthNotifier``)."""
        self.notify_group([notification])

    def notify_group(self, notifications: Sequence[HealthNotification]) -> None:
        """Post the notifications of one service to their (shared) channel as one message."""
        self.post(notifications[0].channel, alert_message(notifications, command=self.command))


def send_health_alerts(
    notifier: SlackHealthNotifier,
    notifications: Sequence[HealthNotification],
    *,
    max_messages_per_channel: int = 10,
) -> list[tuple[HealthNotification, str]]:
    """Post every notification, one message per channel and service; returns those that could
    not be sent, with why.

    Messages go one at a time, the channels taking turns, so each channel gets at most one a
    second while the others are served. When more services than ``max_messages_per_channel``
    changed for one channel (a cluster outage), its last message lists the rest in one line
    each instead of flooding it."""
    groups: dict[str, dict[str, list[HealthNotification]]] = defaultdict(lambda: defaultdict(list))
    failed: list[tuple[HealthNotification, str]] = []
    for n in notifications:
        if n.channel:
            groups[n.channel.strip()][str(n.entity)].append(n)
        else:
            failed.append((n, f"no Slack channel for {n.owner or 'its owner'}"))
    queues: dict[str, list[tuple[dict[str, Any], list[HealthNotification]]]] = {}
    for channel in sorted(groups):
        services = [groups[channel][entity] for entity in sorted(groups[channel])]
        full = len(services)
        if full > max_messages_per_channel:
            full = max(max_messages_per_channel - 1, 0)
        queue = [(alert_message(group, command=notifier.command), group) for group in services]
        del queue[full:]
        rest = services[full:]
        if rest:
            summary = overflow_message(rest, command=notifier.command)
            queue.append((summary, [n for group in rest for n in group]))
        queues[channel] = queue
    failed.extend(post_in_turns(notifier, queues))
    return failed


def alert_message(
    notifications: Sequence[HealthNotification], *, command: str = "/greenroom"
) -> dict[str, Any]:
    """``text`` and ``blocks`` telling a team what appeared and what cleared on one service."""
    entity = notifications[0].entity
    new = [n for n in notifications if n.change.value == "new"]
    resolved = [n for n in notifications if n.change.value != "new"]
    owner = notifications[0].owner
    owned = f" (owned by {ref_text(owner)})" if owner is not None else ""
    counts = []
    if new:
        counts.append(f"{len(new)} new problem{'s' if len(new) > 1 else ''}")
    if resolved:
        counts.append(f"{len(resolved)} resolved")
    worst = new[0].finding.severity.value if new else "resolved"
    mark = severity_mark(worst) if new else ":white_check_mark:"
    blocks: list[Block] = [
        bk.section(f"{mark} *Kubernetes* · {ref_text(entity)}{owned}: {', '.join(counts)}")
    ]
    for n in new[:_FINDINGS_SHOWN]:
        blocks.append(bk.section(f"{finding_text(n.finding)}\n_First seen {_when(n.first_seen)}_"))
    for n in resolved[: max(_FINDINGS_SHOWN - len(new), 0)]:
        blocks.append(bk.section(_resolved_text(n)))
    hidden = len(notifications) - (len(blocks) - 1)
    if hidden > 0:
        blocks.append(bk.context(f"… and {hidden} more"))
    blocks.append(bk.context(f"{bk.code(f'{command} k8s {entity.short}')} shows it now."))
    text = f"{entity.short}: {', '.join(counts)} in Kubernetes"
    return {"text": bk.escape(text), "blocks": blocks}


def overflow_message(
    services: Sequence[Sequence[HealthNotification]], *, command: str = "/greenroom"
) -> dict[str, Any]:
    """One message summing up many services' changes, a line each."""
    lines = []
    for group in services[:_OVERFLOW_LINES]:
        new = [n for n in group if n.change.value == "new"]
        parts = [f"{len(new)} new"] if new else []
        if len(group) > len(new):
            parts.append(f"{len(group) - len(new)} resolved")
        worst = f": {bk.escape(bk.truncate(new[0].finding.title, 120))}" if new else ""
        mark = severity_mark(new[0].finding.severity.value) if new else ":white_check_mark:"
        lines.append(f"{mark} {ref_text(group[0].entity)} {', '.join(parts)}{worst}")
    if len(services) > _OVERFLOW_LINES:
        lines.append(f"… and {len(services) - _OVERFLOW_LINES} more services")
    head = f":rotating_light: *Kubernetes* · {len(services)} more services changed"
    blocks: list[Block] = [bk.section(head)]
    blocks += [bk.section(chunk) for chunk in bk.pack_lines(lines)][:45]
    blocks.append(bk.context(f"{bk.code(f'{command} k8s <service>')} shows one."))
    return {"text": f"{len(services)} more services changed in Kubernetes", "blocks": blocks}


def _resolved_text(n: HealthNotification) -> str:
    f = n.finding
    lasted = format_age(int((datetime.now(UTC) - n.first_seen).total_seconds()))
    return (
        f":white_check_mark: *Resolved:* {bk.escape(f.title)}\n"
        f"{bk.code(str(f.object))} · was {bk.escape(f.severity.value)} · "
        f"first seen {_when(n.first_seen)}, lasted about {lasted}"
    )


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
