"""``digest add|list|remove``: a channel subscribes to a migration's leaderboard (or the
catalog-quality report), posted by the worker on a schedule.

- ``digest add <migration-id|catalog-quality> <schedule> [time zone]``, e.g. ``digest add
  python-3-12 mon 09:00 Europe/Berlin``: anyone may subscribe the channel they type it in.
  Without a time zone the schedule is read in the caller's Slack time zone (``users.info``
  ``tz``), else the worker's. Changing an existing subscription is for whoever added it or a
  greenroom admin.
- ``digest list``: the channel's digests, including those from greenroom.yaml.
- ``digest remove <id|subject>``: whoever added it, or a greenroom admin.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import NotAuthorized
from catalog.tech_migrations import QUALITY_SUBJECT, load_migrations
from commands.migrations.digest_posts import last_posts
from commands.migrations.subscription_blocks import (
    subscribed_reply,
    subscriptions_reply,
    unsubscribed_reply,
)
from commands.migrations.subscriptions import (
    Subscription,
    find_subscription,
    subscribe,
    subscriptions_of,
    unsubscribe,
)
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.replies import Reply
from slackkit.router import Ask

__all__ = ["register"]

_ZONE = re.compile(r"^(?:[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+|UTC|GMT)$", re.IGNORECASE)
_USAGE = "digest add <migration|catalog-quality> <schedule> [time zone] | list | remove <id>"


def register(app: App, deps: Deps) -> None:
    """Add the ``digest`` subcommand."""
    command = deps.settings.slack.command

    def answer_digest(ask: Ask) -> Reply:
        action, _, rest = ask.text.strip().partition(" ")
        channel = _channel(ask)
        if action == "add":
            return _add(deps, ask, channel, rest.split())
        if action == "list":
            subscriptions = subscriptions_of(deps.engine, deps.settings, channel, _kinds(deps))
            return subscriptions_reply(
                subscriptions,
                channel=channel,
                last_posted=last_posts(deps.engine, [s.key for s in subscriptions]),
                now=datetime.now(UTC),
                command=command,
                known={QUALITY_SUBJECT, *_subjects(deps), *deps.digest_kinds},
            )
        if action == "remove":
            if not rest.strip():
                raise UsageError("Which digest? `digest remove <id|subject>`; `digest list`.")
            subscriptions = subscriptions_of(deps.engine, deps.settings, channel, _kinds(deps))
            subscription = find_subscription(subscriptions, rest)
            _may_change(deps, ask, subscription)
            unsubscribe(deps.engine, subscription)
            return unsubscribed_reply(subscription)
        raise UsageError(
            "Say `digest add <migration|catalog-quality> mon 09:00 [Europe/Berlin]`, "
            "`digest list` or `digest remove <id|subject>`."
        )

    deps.router.add(
        "digest",
        answer_digest,
        summary="Post a migration's leaderboard or the catalog-quality report here on a schedule",
        usage=_USAGE,
        examples=("digest add catalog-quality mon 09:00", "digest list"),
    )


def _add(deps: Deps, ask: Ask, channel: str, words: list[str]) -> Reply:
    if len(words) < 2:
        raise UsageError(
            "Say what and when: `digest add <migration|catalog-quality> <schedule> [zone]`, "
            "e.g. `digest add python-3-12 mon 09:00 Europe/Berlin`."
        )
    subject, schedule = words[0].lower(), words[1:]
    zone: str | None = None
    zone_source = "the time zone you gave"
    if len(schedule) > 1 and _ZONE.match(schedule[-1]):
        zone = schedule.pop()
        zone = zone.upper() if zone.upper() in {"UTC", "GMT"} else zone
    else:
        zone = _caller_zone(ask)
        zone_source = "your Slack time zone" if zone else "the worker's time zone"
    settings = deps.settings
    subjects = _subjects(deps)
    existing = [
        s
        for s in subscriptions_of(deps.engine, settings, channel, _kinds(deps))
        if s.subject == subject and s.origin == "slack"
    ]
    for subscription in existing:
        _may_change(deps, ask, subscription)
    stored = subscribe(
        deps.engine,
        settings,
        channel=channel,
        subject=subject,
        when=" ".join(schedule),
        timezone=zone,
        created_by=ask.caller.user_id,
        subjects=subjects,
        kinds=deps.digest_kinds,
    )
    return subscribed_reply(
        stored, zone_source=zone_source, replaced=bool(existing), now=datetime.now(UTC)
    )


def _kinds(deps: Deps) -> list[str]:
    """The job kinds of other capabilities' digests (``kpis.digest``)."""
    return sorted(set(deps.digest_kinds.values()))


def _subjects(deps: Deps) -> list[str]:
    """The ids of the migrations defined now (invalid definitions left out)."""
    settings = deps.settings
    return load_migrations(settings.migrations.folder(settings.config_dir)).ids


def _channel(ask: Ask) -> str:
    channel = ask.channel_id or ""
    if channel[:1] not in {"C", "G"}:
        raise UsageError(
            "Digests are posted to channels: run this in the channel that should get it."
        )
    return channel


def _caller_zone(ask: Ask) -> str | None:
    """The caller's time zone from Slack (``users.info``), or None when Slack has none."""
    try:
        zone = ask.client.users_info(user=ask.caller.user_id)["user"].get("tz")
    except (SlackApiError, SlackClientError, OSError, KeyError):
        return None
    return str(zone) if zone else None


def _may_change(deps: Deps, ask: Ask, subscription: Subscription) -> None:
    if subscription.origin != "slack":
        return  # unsubscribe and subscribe explain that greenroom.yaml's are changed there
    if subscription.created_by == ask.caller.user_id or deps.is_admin(ask.caller):
        return
    who = subscription.created_by or "someone else"
    raise NotAuthorized(
        f"The {subscription.subject} digest here was added by {who}; only they or a "
        "greenroom admin can change or remove it."
    )
