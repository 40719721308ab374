"""Block Kit as readable terminal text, for the local console (``greenroom ask``).

mrkdwn tokens become what Slack would show: ``<@U123>`` -> ``@Name`` (from the names given),
``<#C123>`` -> ``#C123``, ``<url|label>`` -> ``label (url)``; ``&lt;`` and friends are decoded
last, so escaped catalog text prints as the characters it stood for and never as a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slackkit.blocks import ZERO_WIDTH_SPACE

__all__ = ["render_text", "render_view"]

_TOKEN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
# A zero-width space beside a marker keeps it from formatting, as in Slack (slackkit/blocks.py).
_BOLD = re.compile(r"(?<![\w*\u200b])\*(\S(?:[^*\n]*\S)?)\*(?![\w*\u200b])")
_ITALIC = re.compile(r"(?<![\w_\u200b])_(\S(?:[^_\n]*\S)?)_(?![\w_\u200b])")


def render_text(
    message: Mapping[str, Any], names: Mapping[str, str] | None = None, *, emphasis: bool = True
) -> str:
    """A message payload (``text`` + ``blocks``) as plain lines; ``emphasis=False`` also drops
    mrkdwn's ``*bold*`` and ``_italic_`` markers."""
    blocks = message.get("blocks") or []
    if not blocks:
        text = _mrkdwn(str(message.get("text") or ""), names or {})
    else:
        text = "\n".join(_block(b, names or {}) for b in blocks if isinstance(b, dict)).rstrip()
    shown = text if emphasis else _BOLD.sub(r"\1", _ITALIC.sub(r"\1", text))
    return shown.replace(ZERO_WIDTH_SPACE, "")


def render_view(
    view: Mapping[str, Any], names: Mapping[str, str] | None = None, *, emphasis: bool = True
) -> str:
    """A modal or Home tab view as plain lines."""
    title = (view.get("title") or {}).get("text")
    body = render_text({"blocks": view.get("blocks") or []}, names, emphasis=emphasis)
    return f"[{title}]\n{body}" if title else body


def _block(block: Mapping[str, Any], names: Mapping[str, str]) -> str:
    kind = block.get("type")
    if kind == "header":
        text = _text(block.get("text"), names)
        return f"\n{text}\n{'=' * min(len(text), 78)}"
    if kind == "section":
        parts = [_text(block.get("text"), names)] if block.get("text") else []
        parts += [_text(f, names) for f in block.get("fields") or []]
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            parts.append(_element(accessory, names))
        return "\n".join(p for p in parts if p)
    if kind == "context":
        return "  " + " | ".join(_element(e, names) for e in block.get("elements") or [])
    if kind == "divider":
        return "-" * 40
    if kind == "actions":
        return "  " + " ".join(_element(e, names) for e in block.get("elements") or [])
    if kind == "input":
        return f"{_text(block.get('label'), names)}: {_element(block.get('element') or {}, names)}"
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    return f"[{kind} block]"


def _element(element: Mapping[str, Any], names: Mapping[str, str]) -> str:
    kind = element.get("type")
    if kind in {"mrkdwn", "plain_text"}:
        return _text(element, names)
    if kind == "button":
        return f"[{_text(element.get('text'), names)}]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    shown = _initial(element, names)
    if shown:
        return f"[{kind}: {shown}]"
    placeholder = element.get("placeholder")
    return f"[{kind}{': ' + _text(placeholder, names) if placeholder else ''}]"


def _initial(element: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What an input shows before anyone touches it: its value, or the options chosen."""
    if element.get("initial_value"):
        return str(element["initial_value"])
    chosen = [element.get("initial_option"), *(element.get("initial_options") or [])]
    return ", ".join(_text(o.get("text"), names) for o in chosen if isinstance(o, Mapping))


def _text(obj: Any, names: Mapping[str, str]) -> str:
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text") or "")
    return text if obj.get("type") == "plain_text" else _mrkdwn(text, names)


def _mrkdwn(text: str, names: Mapping[str, str]) -> str:
    def token(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or names.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} ({target})" if label and label != target else target

    text = _TOKEN.sub(token, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
