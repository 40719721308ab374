"""Block Kit building blocks that keep Slack's limits and never let catalog text ping anyone.

Rules every reply follows:

- Text from the catalog (or from the user) goes through :func:`escape` before it is put into
  mrkdwn: ``&``, ``<`` and ``>`` become entities, so ``<!channel>`` or ``<@U123>`` in a
  description render as text; formatting markers (``*_~`` and backticks) that could open or
  close formatting get an invisible zero-width space beside them, and a ``>`` starting a
  line one before it, so ``*URGENT*`` or a quote render as typed; bidi controls (an RTL
  override turning ``exe.txt`` around) are removed. Mention and link tokens are built only
  here, only from validated ids and URLs (:func:`mention`, :func:`channel`, :func:`link`).
- Free text that needs no formatting goes into ``plain_text`` (:func:`plain`), also without
  bidi controls.
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
    "ZERO_WIDTH_SPACE",
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
    "strip_bidi",
    "truncate",
    "without_slack_files",
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
ZERO_WIDTH_SPACE = "\u200b"
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
#: Anything escape has more to do for than the three entities (a fast path skips it).
_SPECIAL = re.compile(f"[*_~`>{_BIDI_CONTROLS}]")
_MARKER = re.compile(r"[*_~`]")
_QUOTE = re.compile(r"^(\s*)(?=>)", re.MULTILINE)
_DOUBLE_ZWSP = ZERO_WIDTH_SPACE * 2


def escape(text: object) -> str:
    """Text made inert for mrkdwn: ``&`` -> ``&amp;``, ``<`` -> ``&lt;``, ``>`` -> ``&gt;``,
    formatting markers and line-starting quotes kept from formatting, bidi controls removed."""
    inert = str(text)
    if _SPECIAL.search(inert):
        inert = _MARKER.sub(_guard_marker, strip_bidi(inert)).replace(
            _DOUBLE_ZWSP, ZERO_WIDTH_SPACE
        )
        if ">" in inert:
            inert = _QUOTE.sub("\\1" + ZERO_WIDTH_SPACE, inert)
    return inert.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _guard_marker(match: re.Match[str]) -> str:
    # Slack formats only at word boundaries (snake_case stays as it is): a marker with a
    # letter or digit on both sides, a zero-width space counting as one, formats nothing.
    text, start, end = match.string, match.start(), match.end()
    before = "" if start > 0 and text[start - 1].isalnum() else ZERO_WIDTH_SPACE
    after = "" if end < len(text) and text[end].isalnum() else ZERO_WIDTH_SPACE
    return before + match.group() + after


def strip_bidi(text: str) -> str:
    """``text`` without the characters that reorder how it is displayed."""
    return _BIDI.sub("", text) if _BIDI.search(text) else text


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def code(text: object) -> str:
    """Escaped text as inline code (a backtick inside would end the code span; nothing else
    formats inside one)."""
    inert = strip_bidi(str(text)).replace("`", "\u02cb")
    return "`" + inert.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "`"


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
    return {
        "type": "plain_text",
        "text": truncate(strip_bidi(str(text)) or " ", limit),
        "emoji": True,
    }


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


def without_slack_files(message: dict[str, Any]) -> dict[str, Any] | None:
    """``message`` without its image blocks that name a file in Slack (``slack_file``), or
    None when it has none. Slack refuses a whole message or view whose file it cannot show
    (deleted, or not visible to the poster); the text still deserves to arrive."""
    blocks = message.get("blocks") or []
    kept = [b for b in blocks if not (b.get("type") == "image" and "slack_file" in b)]
    if len(kept) == len(blocks):
        return None
    return {**message, "blocks": kept}
