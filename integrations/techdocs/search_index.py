"""Search across many sites' indexes: BM25 ranking with prefixes and phrases.

A query term also matches longer words it begins (``refund`` finds ``refunds``, at a
discount), sections holding every term come first, and the whole phrase in a title or text
earns a bonus. The sites' postings are merged into one word-sorted array (once after any
change, in numpy), so a query only slices and scores; a rebuilt site is swapped in without
re-reading the others.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from integrations.techdocs.site_index import IndexedSection, SiteIndex, tokenize

__all__ = ["IndexSnapshot", "ScoredSection", "SearchIndex"]

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


@dataclass(frozen=True, slots=True)
class ScoredSection:
    """A match in site ``site`` (the slot ``SearchIndex.add`` returned), with a snippet."""

    site: int
    section: IndexedSection
    score: float
    snippet: str


@dataclass(frozen=True, eq=False)
class IndexSnapshot:
    """Everything a ``SearchIndex`` holds, as arrays: what is saved to disk and loaded back.

    ``site_words[slot]`` are the site's postings' word numbers in ``words``; ``order`` sorts
    all postings (sites in slot order) by word, so loading merges without sorting again."""

    words: list[str]
    sites: dict[int, SiteIndex]
    site_words: dict[int, npt.NDArray[np.int32]]
    order: npt.NDArray[np.int64] | None


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

    def snapshot(self) -> IndexSnapshot:
        """The index as arrays, for saving (merging now, if needed, with the same order)."""
        words = _concat([self._site_words[s] for s in sorted(self.sites)], np.int64)
        order = np.argsort(words)
        if self._merged is None:  # the next query would sort the same postings again
            self._merged = _Merged.of(self.sites, self._site_words, self._words, self._vocab, order)
        return IndexSnapshot(
            words=self._words,
            sites=dict(self.sites),
            site_words=dict(self._site_words),
            order=order,
        )

    @classmethod
    def restore(cls, snapshot: IndexSnapshot) -> SearchIndex:
        """The index a snapshot was taken of, without re-reading or re-sorting anything.

        The caller checks the sites' arrays (``search_store`` does); ValueError when
        ``order`` does not sort the postings by word."""
        index = cls()
        index.sites = dict(snapshot.sites)
        index._next = max(index.sites, default=-1) + 1
        index._words = list(snapshot.words)
        index._vocab = {word: number for number, word in enumerate(index._words)}
        index._site_words = dict(snapshot.site_words)
        if snapshot.order is not None:
            index._merged = _Merged.of(
                index.sites, index._site_words, index._words, index._vocab, snapshot.order
            )
        return index

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
        order: npt.NDArray[np.int64] | None = None,
    ) -> _Merged:
        slots = sorted(sites)
        word = _concat([site_words[s] for s in slots], np.int64)
        keys = _concat([sites[s].ids.astype(np.int64) | (s << _SLOT_BITS) for s in slots], np.int64)
        weights = _concat([sites[s].weights for s in slots], np.float64)
        if order is None:
            order = np.argsort(word)  # ties are ordered later, by score and key
        elif not _sorts(order, word):
            raise ValueError("the saved order does not sort the postings by word")
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


def _concat(arrays: list[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


def _sorts(order: npt.NDArray[Any], word: npt.NDArray[np.int64]) -> bool:
    """Whether ``order`` is a permutation that puts ``word`` in ascending order."""
    if order.dtype != np.int64 or order.shape != word.shape:
        return False
    if order.size == 0:
        return True
    if order.min() < 0 or order.max() >= order.size or np.bincount(order).max() > 1:
        return False
    return bool((np.diff(word[order]) >= 0).all())


def _snippet(text: str, terms: list[str]) -> str:
    lower = text.lower()
    hits = [i for i in (lower.find(t) for t in terms) if i >= 0]
    if not hits or len(text) <= _SNIPPET:
        return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")
    start = max(0, min(hits) - _SNIPPET // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + _SNIPPET)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
