"""Link previews: one ``link_shared`` listener for every capability that unfurls links.

A capability adds a previewer in its ``register(app, deps)``::

    def preview(url: str) -> dict[str, Any] | None:
        return {"blocks": [...]} if url_is_mine(url) else None

    deps.link_previews.add("docs", preview)

For each link of a ``link_shared`` event (at most five, each at most 2,000 characters) the
previewers are asked in the order they were added; the first that answers wins. The previews
go out in one ``chat.unfurl`` (to the message, or to the composer's ``unfurl_id``). Nothing is
shown in Slack Connect channels: people of another organisation may be there. A previewer
that raises is logged and skipped; the other links still unfurl.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from slackkit.incoming import incoming
from slackkit.metrics import Metrics

__all__ = ["LinkPreview", "LinkPreviewRegistry"]

log = logging.getLogger(__name__)

#: a URL -> its ``chat.unfurl`` attachment (``{"blocks": [...]}``), or None: not mine
LinkPreview = Callable[[str], dict[str, Any] | None]
_PER_MESSAGE = 5
_MAX_URL = 2000


class LinkPreviewRegistry:
    """The previewers of pasted links, asked in order."""

    def __init__(self) -> None:
        self._previewers: dict[str, LinkPreview] = {}

    def add(self, key: str, preview: LinkPreview) -> None:
        """Add a previewer; ``key`` names it in logs and must be unique."""
        if key in self._previewers:
            raise ValueError(f"link previewer {key!r} is already registered")
        self._previewers[key] = preview

    def preview(self, url: str) -> dict[str, Any] | None:
        """The first previewer's attachment for ``url``, or None."""
        for key, previewer in self._previewers.items():
            try:
                found = previewer(url)
            except Exception:
                log.exception("Link previewer %s failed", key)
                continue
            if found is not None:
                return found
        return None

    def listener(
        self, metrics: Metrics
    ) -> Callable[[dict[str, Any], WebClient, BoltContext], None]:
        """The lazy ``link_shared`` listener (``bot/listeners.py`` wires it once)."""

        def unfurl(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
            if not incoming(context).first_time():
                return
            shared = bool(body.get("is_ext_shared_channel"))
            event = body.get("event") or {}
            links: list[Any] = event["links"] if isinstance(event.get("links"), list) else []
            previews: dict[str, Any] = {}
            for link in [] if shared else links[:_PER_MESSAGE]:
                url = link.get("url") if isinstance(link, dict) else None
                if isinstance(url, str) and len(url) <= _MAX_URL and url not in previews:
                    preview = self.preview(url)
                    if preview is not None:
                        previews[url] = preview
            if previews:
                _send(metrics, client, event, previews)
            else:
                metrics.replies.labels("unfurl", "skipped").inc()

        return unfurl


def _send(
    metrics: Metrics, client: WebClient, event: dict[str, Any], previews: dict[str, Any]
) -> None:
    where: dict[str, Any] = {"channel": event.get("channel"), "ts": event.get("message_ts")}
    if event.get("unfurl_id") and event.get("source"):  # a link still in the message composer
        where = {"unfurl_id": event["unfurl_id"], "source": event["source"]}
    try:
        client.chat_unfurl(unfurls=previews, **where)
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("chat.unfurl failed: %s", type(error).__name__)
        metrics.send_failures.labels("chat.unfurl").inc()
        return
    metrics.replies.labels("unfurl", "ok").inc()
