"""An in-memory full-text index over mkdocs' ``search/search_index.json`` files.

Each heading section is a document (its heading weighs 3, the page title 1.5, the text 1);
a page whose text is split into sections is indexed by its title only, so the same words do
not count twice. Scoring is BM25 over the weighted term frequencies; a query term also matches
longer words it begins (``refund`` finds ``refunds``, at a discount), documents holding every
term come first, and the whole phrase in a title or text earns a bonus.

Every site is read on its own (``SiteIndex``: flat numpy arrays of postings), so a rebuilt
site is swapped in without re-reading the others. The sites' postings are then merged into one
word-sorted array (once after any change, in numpy), so a query only slices and scores: few
Python objects, no per-word loops over sites.
"""

from __future__ import annotations

import html
import math
import re
import sys
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["IndexedSection", "ScoredSection", "SearchIndex", "SiteIndex", "tokenize"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_K1, _B = 1.2, 0.75
_HEADING, _PAGE_TITLE, _TEXT = 3.0, 1.5, 1.0
_TEXT_LENGTH = 60
_PREFIX_WEIGHT = 0.6
_MAX_EXPANSIONS = 30
_SNIPPET = 180
_SLOT_BITS = 24  # a result key is slot << 24 | section number
_NUMBER_MASK = (1 << _SLOT_BITS) - 1
_MAX_TERMS = 8
_RERANK = 5  # candidates looked at per wanted result (phrase bonus, one per page)
_POPCOUNT = np.array([bin(n).count("1") for n in range(1 << _MAX_TERMS)], dtype=np.float64)

Keys = npt.NDArray[np.int64]
Weights = npt.NDArray[np.float64]


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


@dataclass(frozen=True, slots=True)
class ScoredSection:
    """A match in site ``site`` (the slot ``SearchIndex.add`` returned), with a snippet."""

    site: int
    section: IndexedSection
    score: float
    snippet: str


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


class SearchIndex:
    """Many sites, each in a slot; the merged postings are rebuilt after any change."""

    def __init__(self) -> None:
        self.sites: dict[int, SiteIndex] = {}
        self._next = 0
        self._vocab: dict[str, int] = {}
        self._words: list[str] = []
        self._site_words: dict[int, npt.NDArray[np.int32]] = {}
        self._merged: _Merged | None = None

    @property
    def section_count(self) -> int:
        """How many sections all sites hold."""
        return sum(len(site.sections) for site in self.sites.values())

    def add(self, site: SiteIndex) -> int:
        """Add a site; returns its slot."""
        slot = self._next
        self._next += 1
        self.sites[slot] = site
        vocab = self._vocab
        for token in site.tokens:
            if token not in vocab:
                vocab[token] = len(self._words)
                self._words.append(token)
        mapping = np.fromiter((vocab[t] for t in site.tokens), np.int32, len(site.tokens))
        self._site_words[slot] = mapping[site.codes] if site.codes.size else site.codes
        self._merged = None
        return slot

    def remove(self, slot: int) -> None:
        """Drop the site in ``slot``."""
        del self.sites[slot], self._site_words[slot]
        self._merged = None

    def _merge(self) -> _Merged:
        if self._merged is None:
            self._merged = _Merged.of(self.sites, self._site_words, self._words, self._vocab)
        return self._merged

    def search(
        self, query: str, *, sites: Collection[int] | None = None, limit: int = 10
    ) -> list[ScoredSection]:
        """The best sections for ``query``, one per page, best first."""
        terms = list(dict.fromkeys(tokenize(query)))[:_MAX_TERMS]
        merged = self._merge()
        if not terms or not merged.sections:
            return []
        allowed = np.fromiter(sites, dtype=np.int64) if sites is not None else None
        parts: list[tuple[Keys, Weights, int]] = []
        for position, term in enumerate(terms):
            for word, factor in merged.expand(term):
                keys, weights, df = merged.postings(word)
                idf = factor * math.log(1 + (merged.sections - df + 0.5) / (df + 0.5))
                if allowed is not None:
                    keep = np.isin(keys >> _SLOT_BITS, allowed)
                    keys, weights = keys[keep], weights[keep]
                parts.append((keys, weights * idf, 1 << position))
        if not parts:
            return []
        keys = np.concatenate([k for k, _, _ in parts])
        if keys.size == 0:
            return []
        scores = np.concatenate([w for _, w, _ in parts])
        bits = np.concatenate([np.full(k.size, b, dtype=np.int64) for k, _, b in parts])
        order = np.argsort(keys, kind="stable")
        keys, scores, bits = keys[order], scores[order], bits[order]
        keys, starts = np.unique(keys, return_index=True)
        scores = np.add.reduceat(scores, starts)
        bits = np.bitwise_or.reduceat(bits, starts)
        complete = bits == (1 << len(terms)) - 1
        best = self._rank(keys[complete], scores[complete], terms, limit, phrase=len(terms) > 1)
        if len(best) < limit and not complete.all():  # then the partial matches
            partial = scores[~complete] * _POPCOUNT[bits[~complete]] / len(terms)
            best += self._rank(keys[~complete], partial, terms, limit - len(best), phrase=False)
        return best

    def _rank(
        self, keys: Keys, scores: Weights, terms: list[str], limit: int, *, phrase: bool
    ) -> list[ScoredSection]:
        if limit <= 0 or keys.size == 0:
            return []
        wanted = min(keys.size, limit * _RERANK)
        top = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < keys.size else None
        chosen = [
            (float(scores[i]), int(keys[i])) for i in (top if top is not None else range(keys.size))
        ]
        if phrase:
            text = " ".join(terms)
            chosen = [(s * 1.5 if text in self._phrase(k) else s, k) for s, k in chosen]
        chosen.sort(reverse=True)
        return self._best_per_page(chosen, terms, limit)

    def _phrase(self, key: int) -> str:
        return self.sites[key >> _SLOT_BITS].phrases[key & _NUMBER_MASK]

    def _best_per_page(
        self, ranked: list[tuple[float, int]], terms: list[str], limit: int
    ) -> list[ScoredSection]:
        seen: set[tuple[int, str]] = set()
        best: list[ScoredSection] = []
        for score, key in ranked:
            slot, number = key >> _SLOT_BITS, key & _NUMBER_MASK
            site = self.sites[slot]
            section = site.sections[number]
            page = section.location.partition("#")[0]
            if (slot, page) in seen:
                continue
            seen.add((slot, page))
            text = section.text
            if not text and (whole := site.pages.get(page)) is not None:
                text = site.sections[whole].text  # a heading with no text of its own
            best.append(ScoredSection(slot, section, round(score, 4), _snippet(text, terms)))
            if len(best) >= limit:
                break
        return best


@dataclass(frozen=True, eq=False)
class _Merged:
    """Every site's postings sorted by word: word ``w`` is ``keys[offsets[w]:offsets[w+1]]``."""

    keys: Keys
    weights: Weights
    offsets: npt.NDArray[np.int64]
    vocab: dict[str, int]
    vocabulary: list[str]  # words present, sorted, for prefix matching
    sections: int

    @classmethod
    def of(
        cls,
        sites: dict[int, SiteIndex],
        site_words: dict[int, npt.NDArray[np.int32]],
        words: list[str],
        vocab: dict[str, int],
    ) -> _Merged:
        slots = sorted(sites)
        empty = np.zeros(0, dtype=np.int64)
        word = np.concatenate([site_words[s].astype(np.int64) for s in slots] or [empty])
        keys = np.concatenate(
            [sites[s].ids.astype(np.int64) | (s << _SLOT_BITS) for s in slots] or [empty]
        )
        weights = np.concatenate(
            [sites[s].weights.astype(np.float64) for s in slots] or [empty.astype(np.float64)]
        )
        order = np.argsort(word)  # ties are ordered later, by score and key
        counts = np.bincount(word, minlength=len(words))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        present = sorted(w for w, n in zip(words, counts.tolist(), strict=True) if n)
        return cls(
            keys=keys[order],
            weights=weights[order],
            offsets=offsets,
            vocab=vocab,
            vocabulary=present,
            sections=sum(len(site.sections) for site in sites.values()),
        )

    def postings(self, word: int) -> tuple[Keys, Weights, int]:
        start, end = int(self.offsets[word]), int(self.offsets[word + 1])
        return self.keys[start:end], self.weights[start:end], end - start

    def expand(self, term: str) -> list[tuple[int, float]]:
        """The word itself and up to 30 longer words it begins, as word numbers and factors."""
        found = []
        if (
            term in self.vocab
            and self.offsets[self.vocab[term] + 1] > self.offsets[self.vocab[term]]
        ):
            found.append((self.vocab[term], 1.0))
        if len(term) < 3:
            return found
        start = bisect_left(self.vocabulary, term)
        for token in self.vocabulary[start : start + _MAX_EXPANSIONS + 1]:
            if not token.startswith(term):
                break
            if token != term:
                found.append((self.vocab[token], _PREFIX_WEIGHT))
        return found


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
