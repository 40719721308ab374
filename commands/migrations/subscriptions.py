"""Digest subscriptions: a channel gets a migration's leaderboard, or the catalog-quality
report, on a schedule.

They come from two places and end up as schedules of the ``migrations.digest`` job:

- Slack (``/greenroom digest add``): rows of ``schedules`` keyed ``digest:<channel>:<subject>``,
  so subscribing again changes the one schedule;
- greenroom.yaml (``migrations.digests``): default schedules with the same key as their id.

The key also names the subscription in ``digest_posts``, where every post is claimed once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine

from catalog.tech_migrations import QUALITY_SUBJECT
from jobs import (
    InvalidSchedule,
    ScheduleSpec,
    add_schedule,
    list_schedules,
    next_fire_time,
    parse_schedule,
    remove_schedule,
)
from jobs.fire_times import load_zone
from runtime.settings import Settings
from slackkit.grammar import UsageError

__all__ = [
    "DIGEST_KIND",
    "Subscription",
    "check_digest_schedule",
    "configured_subscriptions",
    "find_subscription",
    "stored_subscriptions",
    "subscribe",
    "subscription_key",
    "subscriptions_of",
    "unsubscribe",
]

DIGEST_KIND = "migrations.digest"
#: Digests may not come more often than this (a channel is not a log).
MIN_GAP = timedelta(hours=1)

Origin = Literal["slack", "greenroom.yaml"]


@dataclass(frozen=True)
class Subscription:
    """One channel's digest of one subject; ``id`` is the stored schedule's id (Slack ones)."""

    key: str
    channel: str
    subject: str
    when: str
    timezone: str
    origin: Origin
    id: int | None = None
    created_by: str | None = None
    enabled: bool = True

    def next_post(self, after: datetime) -> datetime | None:
        """When the next digest is due after ``after`` (UTC)."""
        return next_fire_time(parse_schedule(self.when), load_zone(self.timezone), after)


def subscription_key(channel: str, subject: str) -> str:
    """The stable key of a channel's subscription to a subject."""
    return f"digest:{channel}:{subject}"


def check_digest_schedule(when: str) -> ScheduleSpec:
    """The schedule, if a digest may run on it: readable, and at most once an hour."""
    spec = parse_schedule(when)
    too_often = (spec.interval is not None and spec.interval < MIN_GAP) or (
        spec.cron is not None and len(spec.cron.minutes) > 1
    )
    if too_often:
        raise InvalidSchedule(when, "a digest may be posted at most once an hour")
    return spec


def configured_subscriptions(settings: Settings) -> list[Subscription]:
    """The subscriptions written in greenroom.yaml."""
    return [
        Subscription(
            key=subscription_key(c.channel, c.subject),
            channel=c.channel,
            subject=c.subject,
            when=c.when,
            timezone=c.timezone or settings.worker.timezone,
            origin="greenroom.yaml",
        )
        for c in settings.migrations.digests
    ]


def stored_subscriptions(
    engine: Engine, settings: Settings, kinds: Collection[str] = ()
) -> list[Subscription]:
    """The subscriptions made in Slack (``kinds``: other capabilities' digest job kinds)."""
    wanted = {DIGEST_KIND, *kinds}
    return [
        Subscription(
            key=row.key,
            channel=str(row.params.get("channel", "")),
            subject=str(row.params.get("subject", "")),
            when=row.expression,
            timezone=row.timezone or settings.worker.timezone,
            origin="slack",
            id=row.id,
            created_by=row.created_by,
            enabled=row.enabled,
        )
        for row in list_schedules(engine)
        if row.kind in wanted and row.key.startswith("digest:")
    ]


def subscriptions_of(
    engine: Engine, settings: Settings, channel: str, kinds: Collection[str] = ()
) -> list[Subscription]:
    """Every subscription of one channel, greenroom.yaml's first, then by subject."""
    found = configured_subscriptions(settings) + stored_subscriptions(engine, settings, kinds)
    mine = [s for s in found if s.channel == channel]
    return sorted(mine, key=lambda s: (s.origin != "greenroom.yaml", s.subject))


def subscribe(
    engine: Engine,
    settings: Settings,
    *,
    channel: str,
    subject: str,
    when: str,
    timezone: str | None,
    created_by: str,
    subjects: Collection[str],
    kinds: Mapping[str, str] | None = None,
) -> Subscription:
    """Store (or change) a channel's subscription; raises before storing anything when the
    subject, the schedule or the time zone is wrong. ``subjects``: the migration ids;
    ``kinds``: other capabilities' digest subjects and the job kind that posts each."""
    subject = subject.strip().lower()
    kinds = kinds or {}
    if subject not in {*subjects, QUALITY_SUBJECT, *kinds}:
        known = ", ".join([QUALITY_SUBJECT, *sorted(kinds), *sorted(subjects)])
        raise UsageError(f"There is no migration {subject!r} to follow. Subjects: {known}.")
    check_digest_schedule(when)
    if timezone is not None:
        load_zone(timezone)
    key = subscription_key(channel, subject)
    if any(s.key == key for s in configured_subscriptions(settings)):
        raise UsageError(
            f"This channel already gets the {subject} digest from greenroom.yaml "
            "(migrations.digests); change it there."
        )
    row = add_schedule(
        engine,
        key=key,
        kind=kinds.get(subject, DIGEST_KIND),
        when=when,
        timezone=timezone,
        params={"channel": channel, "subject": subject},
        created_by=created_by,
    )
    [stored] = [s for s in stored_subscriptions(engine, settings, kinds.values()) if s.id == row.id]
    return stored


def find_subscription(subscriptions: Sequence[Subscription], text: str) -> Subscription:
    """The channel's subscription named by its id (``#3`` or ``3``) or its subject."""
    wanted = text.strip().lower().lstrip("#")
    for subscription in subscriptions:
        if wanted == subscription.subject or wanted == str(subscription.id):
            return subscription
    listed = ", ".join(
        f"{s.subject} (#{s.id})" if s.id is not None else s.subject for s in subscriptions
    )
    raise UsageError(
        f"This channel has no digest {text.strip()!r}."
        + (f" It has: {listed}." if listed else " It has none.")
    )


def unsubscribe(engine: Engine, subscription: Subscription) -> bool:
    """Remove a subscription made in Slack (greenroom.yaml's are changed in the file)."""
    if subscription.origin != "slack":
        raise UsageError(
            f"The {subscription.subject} digest comes from greenroom.yaml "
            "(migrations.digests); remove it there."
        )
    return remove_schedule(engine, subscription.key)
