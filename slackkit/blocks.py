"""Block Kit building blocks that keep Slack's limits and never let catalog text ping anyone.

Rules every reply follows:

- Text from the catalog (or from the user) goes through :func:`escape` before it is put into
  mrkdwn: ``&``, ``<`` and ``>`` become entities, so ``<!channel>`` or ``<@U123>`` in a
  description render as text. Mention and link tokens are built only here, only from
  validated ids and URLs (:func:`mention`, :func:`channel`, :func:`link`).
- Free text that needs no formatting goes into ``plain_text`` (:func:`plain`).
- mrkdwn objects are ``verbatim`` so Slack does not auto-link names either.
- Every builder truncates to Block Kit's limits (section 3000 chars, header 150, button text
  75 / value 2000, ids 255) instead of letting Slack reject the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_VIEW_BLOCKS",
    "SECTION_LIMIT",
    "Block",
    "actions",
    "button",
    "channel",
    "code",
    "context",
    "divider",
    "escape",
    "header",
    "link",
    "mention",
    "mrkdwn",
    "pack_lines",
    "plain",
    "section",
    "truncate",
]

Block = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_LIMIT = 3000
_HEADER_LIMIT = 150
_CONTEXT_ELEMENTS = 10
_ACTION_ELEMENTS = 25
_BUTTON_TEXT = 75
_BUTTON_VALUE = 2000
_ID_LIMIT = 255
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
_SAFE_URL = re.compile(r"^(https?|mailto):[^\s<>|]+$", re.IGNORECASE)


def escape(text: object) -> str:
    """Text made inert for mrkdwn: ``&`` -> ``&amp;``, ``<`` -> ``&lt;``, ``>`` -> ``&gt;``."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def code(text: object) -> str:
    """Escaped text as inline code (a backtick inside would end the code span)."""
    return "`" + escape(str(text).replace("`", "\u02cb")) + "`"


def mention(user_id: str) -> str:
    """A user mention token; only for ids that came from Slack or a catalog annotation."""
    if not _USER_ID.match(user_id):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"


def channel(value: str) -> str:
    """A channel link for a channel id (``C0123``), else the name as escaped text."""
    if _CHANNEL_ID.match(value):
        return f"<#{value}>"
    return escape(value if value.startswith("#") else "#" + value)


def link(url: str, label: str | None = None) -> str:
    """A link token when ``url`` is a plain http(s)/mailto URL; otherwise escaped text."""
    shown = escape(label or url)
    if _SAFE_URL.match(url) and len(url) <= 3000:
        return f"<{url}|{shown.replace('|', '¦')}>"
    return shown if label is None else f"{shown} ({escape(url)})"


def plain(text: object, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A plain_text object (emoji on), truncated."""
    return {"type": "plain_text", "text": truncate(str(text) or " ", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A verbatim mrkdwn object; ``text`` must already be escaped."""
    return {"type": "mrkdwn", "text": truncate(text or " ", limit), "verbatim": True}


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    """A section of (escaped) mrkdwn, cut at 3000 characters."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = truncate(block_id, _ID_LIMIT)
    return block


def header(text: object) -> Block:
    """A header block (plain text, 150 characters)."""
    return {"type": "header", "text": plain(text, _HEADER_LIMIT)}


def context(*elements: str | dict[str, Any]) -> Block:
    """A context block of mrkdwn strings (escaped) or text objects; at most 10 elements."""
    items = [mrkdwn(e) if isinstance(e, str) else e for e in elements[:_CONTEXT_ELEMENTS]]
    return {"type": "context", "elements": items}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str = "", *, style: str | None = None, url: str | None = None
) -> Block:
    """A button; ``value`` over 2000 characters is a bug, so it raises."""
    if len(value) > _BUTTON_VALUE:
        raise ValueError(f"button value of {len(value)} characters exceeds {_BUTTON_VALUE}")
    element: Block = {
        "type": "button",
        "text": plain(text, _BUTTON_TEXT),
        "action_id": truncate(action_id, _ID_LIMIT),
    }
    if value:
        element["value"] = value
    if style in {"primary", "danger"}:
        element["style"] = style
    if url and _SAFE_URL.match(url):
        element["url"] = url
    return element


def actions(elements: Sequence[Block], *, block_id: str | None = None) -> Block:
    """An actions block of at most 25 elements."""
    block: Block = {"type": "actions", "elements": list(elements[:_ACTION_ELEMENTS])}
    if block_id:
        block["block_id"] = truncate(block_id, _ID_LIMIT)
    return block


def pack_lines(lines: Iterable[str], limit: int = SECTION_LIMIT) -> list[str]:
    """Lines joined into as few texts of at most ``limit`` characters as possible."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
