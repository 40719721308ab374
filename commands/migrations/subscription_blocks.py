"""How digest subscriptions read in Slack: a channel's list, and the answers to ``digest add``
and ``digest remove``. Subjects and schedules are escaped like any user text."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.migrations.subscriptions import Subscription
from slackkit import blocks as bk
from slackkit.replies import Reply

__all__ = ["paused_notice", "subscribed_reply", "subscriptions_reply", "unsubscribed_reply"]


def subscriptions_reply(
    subscriptions: Sequence[Subscription],
    *,
    channel: str,
    last_posted: Mapping[str, datetime],
    now: datetime,
    command: str,
    known: Collection[str],
) -> Reply:
    """The channel's digests: subject, schedule, next and last post, who added it; a subject
    not in ``known`` (its migration was deleted) is marked, as its digests fail."""
    if not subscriptions:
        return Reply(
            "This channel has no digests",
            (
                bk.section(
                    f"{bk.channel(channel)} gets no digests yet. Subscribe with "
                    f"{bk.code(command + ' digest add <migration|catalog-quality> mon 09:00')}."
                ),
            ),
            shareable=False,
        )
    lines = tuple(
        _line(s, last_posted.get(s.key), now)
        + ("" if s.subject in known else " · :warning: _no migration has this id any more_")
        for s in subscriptions
    )
    head = (bk.header("Digests in this channel"),)
    footer = (
        bk.context(
            f"{bk.code(command + ' digest remove <id|subject>')} stops one (whoever added it, "
            "or a greenroom admin)"
        ),
    )
    return Reply(f"{len(subscriptions)} digest(s) in this channel", head, lines, footer, False)


def subscribed_reply(
    subscription: Subscription, *, zone_source: str, replaced: bool, now: datetime
) -> Reply:
    """The answer to ``digest add``: what will be posted here, when, and the first time."""
    verb = "now posts" if replaced else "will post"
    when = _when(subscription)
    upcoming = _next(subscription, now)
    text = (
        f"greenroom {verb} the {subscription.subject} digest to "
        f"{bk.channel(subscription.channel)} {when} ({bk.escape(zone_source)}). "
        f"First one: {upcoming}."
    )
    return Reply(
        f"Digest {subscription.subject} {'changed' if replaced else 'added'}",
        (bk.section(text),),
        shareable=False,
    )


def unsubscribed_reply(subscription: Subscription) -> Reply:
    """The answer to ``digest remove``."""
    return Reply.simple(
        f"Removed the {subscription.subject} digest (#{subscription.id}); "
        "this channel will not get it any more."
    )


def paused_notice(subject: str, *, command: str) -> str:
    """Told to a channel once, when the migration it follows has gone from the definitions."""
    remove = bk.code(f"{command} digest remove {subject}")
    add = bk.code(f"{command} digest add <migration> <schedule>")
    return (
        f"The {bk.escape(subject)} digest is paused: no migration has that id any more "
        f"(its definition was deleted or renamed). {remove} drops it; {add} follows another."
    )


def _line(subscription: Subscription, last: datetime | None, now: datetime) -> str:
    name = f"#{subscription.id} " if subscription.id is not None else ""
    parts = [
        f"{name}*{bk.escape(subscription.subject)}* {_when(subscription)}",
        f"next {_next(subscription, now)}",
        f"last posted {_local(last, subscription)}" if last else "not posted yet",
    ]
    if not subscription.enabled:
        parts.append(":double_vertical_bar: _paused_")
    if subscription.origin == "greenroom.yaml":
        parts.append("from greenroom.yaml")
    elif subscription.created_by:
        try:
            parts.append(f"added by {bk.mention(subscription.created_by)}")
        except ValueError:
            parts.append(f"added by {bk.escape(subscription.created_by)}")
    return "• " + " · ".join(parts)


def _when(subscription: Subscription) -> str:
    return f"{bk.code(subscription.when)} {bk.escape(subscription.timezone)}"


def _next(subscription: Subscription, now: datetime) -> str:
    upcoming = subscription.next_post(now)
    return _local(upcoming, subscription) if upcoming else "never"


def _local(moment: datetime, subscription: Subscription) -> str:
    return bk.escape(
        moment.astimezone(ZoneInfo(subscription.timezone)).strftime("%a %d %b %H:%M %Z")
    )
