"""mkdocs' log lines, rewritten as reasons a docs author can act on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["describe_failure", "friendly_message"]

_MAX_REASONS = 5
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"""Config value '\w+': The "(?P<x>[^"]+)" plugin is not installed"""),
        'plugin "{x}" is not installed',
    ),
    (
        re.compile(r"Config value 'theme': Unrecognised theme name: '(?P<x>[^']+)'"),
        'theme "{x}" is not installed',
    ),
    (
        re.compile(
            r"Doc file '(?P<page>[^']+)' contains a link '(?P<x>[^']+)', but the target"
            r"(?: '[^']*')? is not found among documentation files"
        ),
        "page {page} links to missing {x}",
    ),
    (
        re.compile(
            r"Doc file '(?P<page>[^']+)' contains a link '(?P<x>[^']+)', but the doc "
            r"'[^']+' does not contain an anchor '(?P<a>[^']+)'"
        ),
        "page {page} links to {x}, which has no heading {a}",
    ),
    (
        re.compile(
            r"A reference to '(?P<x>[^']+)' is included in the 'nav' configuration, which is "
            r"not found in the documentation files"
        ),
        "nav refers to missing file {x}",
    ),
    (
        re.compile(r"Doc file '(?P<page>[^']+)' contains an absolute link '(?P<x>[^']+)'"),
        "page {page} has an absolute link {x}; use a relative link to a .md file",
    ),
    (
        re.compile(r"Config value '(?P<key>[^']+)': (?P<x>.+)"),
        "mkdocs.yml setting '{key}': {x}",
    ),
    (
        re.compile(r"Error reading page '(?P<page>[^']+)': (?P<x>.+)"),
        "page {page} could not be read: {x}",
    ),
)


def friendly_message(message: str) -> str:
    """One mkdocs log message in plain words (unknown messages pass through)."""
    text = " ".join(message.split())
    for pattern, template in _RULES:
        match = pattern.search(text)
        if match:
            return template.format(**match.groupdict())
    return text


def describe_failure(records: Iterable[Mapping[str, str]], abort: str | None) -> str:
    """Why a build failed: the errors and warnings mkdocs logged, most useful first."""
    reasons: list[str] = []
    for record in sorted(records, key=lambda r: r.get("level") != "ERROR"):
        reason = friendly_message(record.get("message", ""))
        if reason and reason not in reasons:
            reasons.append(reason)
    if not reasons:
        return abort or "mkdocs failed without saying why"
    text = "; ".join(reasons[:_MAX_REASONS])
    if len(reasons) > _MAX_REASONS:
        text += f"; and {len(reasons) - _MAX_REASONS} more"
    if abort and "strict mode" in abort:
        text += " (strict mode: warnings fail the build)"
    return text
