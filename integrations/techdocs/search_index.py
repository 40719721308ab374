"""An in-memory full-text index over mkdocs' ``search/search_index.json`` files.

Each heading section is a document (its heading weighs 3, the page title 1.5, the text 1);
a page whose text is split into sections is indexed by its title only, so the same words do
not count twice. Scoring is BM25 over the weighted term frequencies; a query term also matches
longer words it begins (``refund`` finds ``refunds``, at a discount), documents holding every
term come first, and the whole phrase in a title or text earns a bonus.
"""

from __future__ import annotations

import html
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

__all__ = ["IndexedSection", "ScoredSection", "SearchIndex", "tokenize"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_K1, _B = 1.2, 0.75
_HEADING, _PAGE_TITLE, _TEXT = 3.0, 1.5, 1.0
_PREFIX_WEIGHT = 0.6
_MAX_EXPANSIONS = 30
_SNIPPET = 180
_TEXT_LENGTH = 60


def tokenize(text: str) -> list[str]:
    """Lowercased words of two characters or more."""
    return [t for t in _TOKEN.findall(text.lower()) if len(t) > 1]


@dataclass(frozen=True, slots=True)
class IndexedSection:
    """One searchable place: a page, or a heading on it (``location`` has ``#anchor``)."""

    site: int
    location: str
    page_title: str
    heading: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ScoredSection:
    """A match, with a snippet of its text around the first matching words."""

    section: IndexedSection
    score: float
    snippet: str


class SearchIndex:
    """Sections of many sites; ``sites`` holds each site's key (the caller's entity ref)."""

    def __init__(self) -> None:
        self.sites: list[Any] = []
        self.sections: list[IndexedSection] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._vocabulary: list[str] = []
        self._phrases: list[str] = []
        self._pages: dict[tuple[int, str], int] = {}

    def add_site(self, key: Any, search_index: dict[str, Any]) -> None:
        """Index one site's ``search_index.json`` (as parsed JSON)."""
        site = len(self.sites)
        self.sites.append(key)
        entries = [d for d in search_index.get("docs") or [] if isinstance(d, dict)]
        pages: dict[str, str] = {}
        split_pages: set[str] = set()
        for entry in entries:
            page, _, anchor = str(entry.get("location", "")).partition("#")
            if anchor:
                split_pages.add(page)
            else:
                pages[page] = _clean(entry.get("title"))
        for entry in entries:
            location = str(entry.get("location", ""))
            page, _, anchor = location.partition("#")
            title = _clean(entry.get("title"))
            text = _clean(entry.get("text"))
            fields: tuple[tuple[str, float], ...]
            if anchor:
                section = IndexedSection(site, location, pages.get(page, title), title, text)
                fields = ((title, _HEADING), (section.page_title, _PAGE_TITLE), (text, _TEXT))
            elif page in split_pages:  # its text is in the sections; kept for snippets only
                section = IndexedSection(site, location, title, None, text)
                fields = ((title, _HEADING),)
            else:
                section = IndexedSection(site, location, title, None, text)
                fields = ((title, _HEADING), (text, _TEXT))
            if not anchor:
                self._pages[(site, page)] = len(self.sections)
            self._add(section, fields)

    def _add(self, section: IndexedSection, fields: tuple[tuple[str, float], ...]) -> None:
        number = len(self.sections)
        self.sections.append(section)
        weights: dict[str, float] = defaultdict(float)
        for text, weight in fields:
            tokens = tokenize(text)
            # long texts are damped (BM25's length norm); short ones are not boosted past titles
            norm = max(1.0, 1 - _B + _B * len(tokens) / _TEXT_LENGTH) if weight == _TEXT else 1.0
            for token, count in Counter(tokens).items():
                weights[token] += weight * count / norm
        for token, weight in weights.items():
            self._postings[token].append((number, weight))
        self._phrases.append(" ".join(tokenize(" ".join(text for text, _ in fields))))

    def freeze(self) -> SearchIndex:
        """Finish building (sorts the vocabulary for prefix matching)."""
        self._vocabulary = sorted(self._postings)
        return self

    def search(
        self, query: str, *, sites: Collection[int] | None = None, limit: int = 10
    ) -> list[ScoredSection]:
        """The best sections for ``query``, one per page, best first."""
        terms = list(dict.fromkeys(tokenize(query)))
        if not terms or not self.sections:
            return []
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[int]] = defaultdict(set)
        total = len(self.sections)
        for position, term in enumerate(terms):
            for token, factor in self._expand(term):
                postings = self._postings[token]
                idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
                for number, weight in postings:
                    if sites is not None and self.sections[number].site not in sites:
                        continue
                    scores[number] += factor * idf * weight * (_K1 + 1) / (weight + _K1)
                    matched[number].add(position)
        phrase = " ".join(terms)
        ranked = []
        for number, score in scores.items():
            coverage = len(matched[number]) / len(terms)
            if len(terms) > 1 and phrase in self._phrases[number]:
                score *= 1.5
            ranked.append((coverage, score * coverage, number))
        ranked.sort(reverse=True)
        return self._best_per_page(ranked, terms, limit)

    def _expand(self, term: str) -> list[tuple[str, float]]:
        found = [(term, 1.0)] if term in self._postings else []
        if len(term) < 3:
            return found
        start = bisect_left(self._vocabulary, term)
        for token in self._vocabulary[start : start + _MAX_EXPANSIONS + 1]:
            if not token.startswith(term):
                break
            if token != term:
                found.append((token, _PREFIX_WEIGHT))
        return found

    def _best_per_page(
        self, ranked: list[tuple[float, float, int]], terms: list[str], limit: int
    ) -> list[ScoredSection]:
        seen: set[tuple[int, str]] = set()
        best: list[ScoredSection] = []
        for _, score, number in ranked:
            section = self.sections[number]
            page = (section.site, section.location.partition("#")[0])
            if page in seen:
                continue
            seen.add(page)
            text = section.text
            if not text and (whole := self._pages.get(page)) is not None:
                text = self.sections[whole].text  # a heading with no text of its own
            best.append(ScoredSection(section, round(score, 4), _snippet(text, terms)))
            if len(best) >= limit:
                break
        return best


def _clean(value: Any) -> str:
    return " ".join(html.unescape(str(value or "")).split())


def _snippet(text: str, terms: list[str]) -> str:
    lower = text.lower()
    hits = [i for i in (lower.find(t) for t in terms) if i >= 0]
    if not hits or len(text) <= _SNIPPET:
        return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")
    start = max(0, min(hits) - _SNIPPET // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + _SNIPPET)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
