"""User-written regular expressions, compiled once and run with a deadline.

Patterns come from migration definitions and run over files from repositories; a pattern like
``(a|aa)+$`` can take exponential time. The ``regex`` package takes a timeout per search, so a
pathological pattern costs at most that long per file and ends as an ``error`` result.
"""

from __future__ import annotations

from functools import lru_cache

import regex

__all__ = ["MAX_PATTERN_LENGTH", "PatternTimeout", "compile_pattern", "first_match_line"]

MAX_PATTERN_LENGTH = 1_000
_DEFAULT_TIMEOUT = 1.0


class PatternTimeout(Exception):
    """A search ran past its deadline (the pattern backtracks too much on this text)."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern (``^``/``$`` match at line ends); ValueError says what is wrong."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern is {len(pattern)} characters, over {MAX_PATTERN_LENGTH}")
    try:
        return regex.compile(pattern, regex.MULTILINE | regex.VERSION0)
    except regex.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from None


def first_match_line(pattern: str, text: str, *, timeout: float = _DEFAULT_TIMEOUT) -> int | None:
    """The 1-based line where ``pattern`` first matches ``text``, or None."""
    try:
        match = compile_pattern(pattern).search(text, timeout=timeout)
    except TimeoutError:
        raise PatternTimeout(f"the pattern took over {timeout:g} s on this text") from None
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1
