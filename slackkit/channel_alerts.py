"""Alerts in team channels, at Slack's pace: the poster and the turn-taking that the Kubernetes
and pipelines sweeps share.

``ChannelPoster.post`` sends one message with ``chat.postMessage`` (its client retries 429s
after ``Retry-After``, slackkit/slack_client.py), waiting ``min_interval`` between two posts to
the same channel (about one message per second per channel). A message that cannot be sent
raises ``AlertNotSent``. ``post_in_turns`` sends queued messages one at a time, the channels
taking turns, so a busy channel does not hold up the others, and returns what failed.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import GreenroomError

__all__ = ["AlertNotSent", "ChannelPoster", "channel_id", "post_in_turns"]

T = TypeVar("T")
_CHANNEL = re.compile(r"^(#[^\s#<>|&@,]{1,80}|[CG][A-Z0-9]{2,20})$")


class AlertNotSent(GreenroomError):
    """An alert could not be posted (no channel, or Slack refused it)."""


def channel_id(value: str | None) -> str:
    """``#name`` or a ``C…`` id as Slack takes it; a bare name gets its ``#``; AlertNotSent
    for anything else."""
    channel = (value or "").strip()
    if channel and not channel.startswith("#") and not _CHANNEL.match(channel):
        channel = "#" + channel  # a bare name, as people write it in annotations
    if not _CHANNEL.match(channel):
        raise AlertNotSent(f"{value!r} is not a Slack channel (#name or a C… id)")
    return channel


class ChannelPoster:
    """Posts messages to channels, one channel at Slack's pace."""

    def __init__(
        self,
        client: WebClient,
        *,
        min_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        what: str = "alert",
    ) -> None:
        self.client = client
        self.min_interval = min_interval
        self.what = what
        self._sleep = sleep
        self._last_post: dict[str, float] = {}

    def post(self, channel_value: str | None, message: dict[str, Any]) -> None:
        """Post ``message`` (``text`` + ``blocks``) to a channel, at Slack's pace."""
        channel = channel_id(channel_value)
        self._pace(channel)
        try:
            self.client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **message
            )
        except SlackApiError as error:
            code = error.response.get("error") or error.response.status_code
            raise AlertNotSent(f"Slack refused the {self.what} for {channel}: {code}") from None
        except (SlackClientError, OSError) as error:
            raise AlertNotSent(
                f"Slack could not be reached for {channel}: {type(error).__name__}"
            ) from None
        finally:
            self._last_post[channel] = time.monotonic()

    def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = self.min_interval - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)


def post_in_turns(
    poster: ChannelPoster,
    queues: Mapping[str, Sequence[tuple[dict[str, Any], Sequence[T]]]],
) -> list[tuple[T, str]]:
    """Post each channel's queue of (message, what it covers), the channels taking turns;
    returns what each failed message covered, with why."""
    failed: list[tuple[T, str]] = []
    for turn in itertools.zip_longest(*queues.values()):
        for channel, item in zip(queues, turn, strict=True):
            if item is None:
                continue
            message, covered = item
            try:
                poster.post(channel, message)
            except GreenroomError as error:
                failed.extend((c, error.user_message) for c in covered)
    return failed
