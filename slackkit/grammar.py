"""Reading what a user typed after ``/greenroom`` (or after mentioning the app).

Slack sends the text escaped (``&lt;`` for ``<``) with mentions as tokens
(``<!subteam^S1|@payments-core>``, ``<#C1|payments>``). :func:`clean_text` turns that back into
what the user meant; :func:`parse_options` splits words into positionals, ``--flags`` and
``--name value`` options.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from catalog import GreenroomError

__all__ = ["MAX_TEXT", "Options", "UsageError", "clean_text", "parse_options", "split_words"]

MAX_TEXT = 1000
_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^<>]*)?>[\s:,]*")


class UsageError(GreenroomError):
    """The question could not be understood; the message says how to ask instead."""


def clean_text(raw: str, *, strip_leading_mention: bool = False) -> str:
    """Slack's escaped text as the user typed it: tokens to their labels, entities decoded,
    control characters read as spaces, invisible format characters (bidi controls, zero-width
    spaces) dropped but emoji joiners kept, compatibility forms folded (NFKC)."""
    text = _LEADING_MENTION.sub("", raw, count=1) if strip_leading_mention else raw
    text = _TOKEN.sub(_token_text, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in text
        if unicodedata.category(c) != "Cf" or _joins(c)
    )
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise UsageError(
            f"That is {len(text)} characters long; ask in under {MAX_TEXT} characters."
        )
    return text


def _joins(char: str) -> bool:
    """Format characters that are part of what was typed: the joiners of emoji sequences and
    scripts (ZWJ, ZWNJ) and the tags of subdivision flags; other format characters (bidi
    controls, zero-width spaces) are dropped."""
    return char in "\u200c\u200d" or "\U000e0020" <= char <= "\U000e007f"


def _token_text(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if label:
        return label.lstrip("@#")
    if target.startswith(("http://", "https://", "mailto:")):
        return target
    return match.group(0)


def split_words(text: str) -> list[str]:
    """Words, honouring quotes; unbalanced quotes fall back to plain whitespace splitting."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


@dataclass(frozen=True)
class Options:
    """Parsed words: positionals in order, flags that were given, ``--name value`` options."""

    positional: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def rest(self) -> str:
        """The positionals joined back into one string."""
        return " ".join(self.positional)


def parse_options(
    words: list[str], *, flags: Collection[str] = (), values: Collection[str] = ()
) -> Options:
    """Split ``words`` by the ``--flags`` and ``--name value`` options a subcommand knows."""
    positional: list[str] = []
    given: set[str] = set()
    found: dict[str, str] = {}
    items = iter(words)
    for word in items:
        if word.startswith("--") and len(word) > 2:
            name, _, inline = word[2:].partition("=")
            name = name.lower()
            if name in flags:
                given.add(name)
            elif name in values:
                value = inline or next(items, "")
                if not value:
                    raise UsageError(f"--{name} needs a value.")
                found[name] = value
            else:
                known = ", ".join(f"--{n}" for n in sorted({*flags, *values})) or "none"
                raise UsageError(f"Unknown option --{name} (options here: {known}).")
        else:
            positional.append(word)
    return Options(tuple(positional), frozenset(given), found)
