"""One site's search entries, read from mkdocs' ``search/search_index.json``.

Each heading section is a document (its heading weighs 3, the page title 1.5, the text 1);
a page whose text is split into sections is indexed by its title only, so the same words do
not count twice. Postings are flat numpy arrays (word code, section number, BM25-saturated
weighted term frequency), so a thousand sites make few Python objects.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["IndexedSection", "SiteIndex", "tokenize"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_K1, _B = 1.2, 0.75
_HEADING, _PAGE_TITLE, _TEXT = 3.0, 1.5, 1.0
_TEXT_LENGTH = 60


def tokenize(text: str) -> list[str]:
    """Lowercased words of two characters or more."""
    return [t for t in _TOKEN.findall(text.lower()) if len(t) > 1]


@dataclass(frozen=True, slots=True)
class IndexedSection:
    """One searchable place: a page, or a heading on it (``location`` has ``#anchor``)."""

    location: str
    page_title: str
    heading: str | None
    text: str


@dataclass(eq=False)
class SiteIndex:
    """One site's sections and postings (word -> section numbers and weighted frequencies)."""

    key: Any
    sections: list[IndexedSection] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # the site's words; codes index this
    codes: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    ids: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    weights: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    phrases: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, key: Any, search_index: dict[str, Any]) -> SiteIndex:
        """Index one site's ``search_index.json`` (as parsed JSON)."""
        site = cls(key)
        entries = [d for d in search_index.get("docs") or [] if isinstance(d, dict)]
        titles: dict[str, str] = {}
        split_pages: set[str] = set()
        for entry in entries:
            page, _, anchor = str(entry.get("location", "")).partition("#")
            if anchor:
                split_pages.add(page)
            else:
                titles[page] = _clean(entry.get("title"))
        postings = _Postings()
        for entry in entries:
            location = str(entry.get("location", ""))
            page, _, anchor = location.partition("#")
            title, text = _clean(entry.get("title")), _clean(entry.get("text"))
            fields: tuple[tuple[str, float], ...]
            if anchor:
                section = IndexedSection(location, titles.get(page, title), title, text)
                fields = ((title, _HEADING), (section.page_title, _PAGE_TITLE), (text, _TEXT))
            else:  # a page split into sections keeps its text for snippets only
                section = IndexedSection(location, title, None, text)
                fields = (
                    ((title, _HEADING),)
                    if page in split_pages
                    else ((title, _HEADING), (text, _TEXT))
                )
                site.pages[page] = len(site.sections)
            site._add(section, fields, postings)
        site.tokens = [sys.intern(t) for t in postings.codes]
        site.codes = np.array(postings.words, dtype=np.int32)
        site.ids = np.array(postings.ids, dtype=np.int32)
        tf = np.array(postings.weights, dtype=np.float64)
        site.weights = (tf * (_K1 + 1) / (tf + _K1)).astype(np.float32)  # BM25's saturated tf
        return site

    def _add(
        self,
        section: IndexedSection,
        fields: tuple[tuple[str, float], ...],
        postings: _Postings,
    ) -> None:
        number = len(self.sections)
        self.sections.append(section)
        weights: dict[str, float] = defaultdict(float)
        for text, weight in fields:
            tokens = tokenize(text)
            # long texts are damped (BM25's length norm); short ones are not boosted past titles
            norm = max(1.0, 1 - _B + _B * len(tokens) / _TEXT_LENGTH) if weight == _TEXT else 1.0
            for token, count in Counter(tokens).items():
                weights[token] += weight * count / norm
        postings.extend(number, weights)
        self.phrases.append(" ".join(tokenize(" ".join(text for text, _ in fields))))


class _Postings:
    """Postings of one site while it is read: flat lists, grouped by word at the end."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.words: list[int] = []
        self.ids: list[int] = []
        self.weights: list[float] = []

    def extend(self, number: int, weights: dict[str, float]) -> None:
        codes = self.codes
        for token, weight in weights.items():
            self.words.append(codes.setdefault(token, len(codes)))
            self.ids.append(number)
            self.weights.append(weight)


def _clean(value: Any) -> str:
    return " ".join(html.unescape(str(value or "")).split())
