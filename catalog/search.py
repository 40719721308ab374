"""Search over names, titles, descriptions and tags, and "did you mean" for near misses.

A row matches when its searchable text contains every word; the first 2,000 matches in the
order of (text, ref) are ranked (names first, then rapidfuzz's partial ratio). Matching
scans one string per process holding every entity's text in that order (a scan of the
database's covering index cost 10-25 ms at 100k entities; the string is searched with
``str.find`` and stops at the 2,000th match). From 20,000 entities on, each text also has a
signature of its adjacent-character pairs, so only the texts that can hold the words are
checked, and each name's character counts bound its fuzzy score, so only the names that can
be fuzzy candidates are scored; both give exactly what the full scans give. The texts and the
names used for fuzzy suggestions are cached per catalog generation.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from catalog.generations import PerGeneration
from catalog.refs import EntityRef, parse_ref, ref_from_canonical
from catalog.store import Catalog, EntitySummary

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["SearchHit", "search_entities", "suggest_refs"]

_CANDIDATES = 2000
_ROUGH_CUTOFF = 40  # the QRatio a name needs to be a fuzzy candidate
_MOST_CANDIDATES = 16_000  # beyond this, walking the string is as quick
_CHUNK = 2_000  # texts or names whose signatures or counts are computed at a time
_COUNTED = 64  # characters whose count in each name is kept, for bounding QRatio
# Below this many texts or names a full scan takes a millisecond or two: nothing is built
# to narrow it (and numpy is not imported, for the CLI's sake).
_NARROWED_FROM = 20_000
_SEPARATOR = "\x00"  # between texts in the scanned string (a word holding it is rare: slow path)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result, best first; ``score`` is 0-100."""

    summary: EntitySummary
    score: float


def search_entities(catalog: Catalog, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Entities matching every word of ``text``; falls back to fuzzy name matches."""
    words = [w for w in text.lower().split() if w]
    if not words:
        return []
    rows = _texts(catalog).matching(words, _CANDIDATES)
    query = " ".join(words)
    # The same as sorting every candidate and taking the first ``limit`` (heapq's own words).
    ranked = heapq.nsmallest(limit, _scores(query, rows, limit), key=lambda x: (-x[0], x[1]))
    scored = [(score, ref_from_canonical(ref)) for score, ref in ranked]
    if not scored:
        scored = [(score, ref) for ref, score in _fuzzy(catalog, query, limit)]
    summaries = catalog.summaries(ref for _, ref in scored)
    return [SearchHit(summaries[ref], round(score, 1)) for score, ref in scored]


def suggest_refs(catalog: Catalog, text: str, *, limit: int = 5) -> list[EntityRef]:
    """Refs whose names come close to ``text`` (for "did you mean")."""
    name = text.lower().rsplit("/", 1)[-1].split(":")[-1]
    return [ref for ref, _ in _fuzzy(catalog, name, limit)]


def _scores(query: str, rows: list[tuple[str, str]], limit: int) -> list[tuple[float, str]]:
    """(score, canonical ref) of the rows that can be among the best ``limit``.

    A name holding the query scores above 80 and a mere text match at most 80, so when
    ``limit`` names match, the costly partial ratio of the other texts cannot matter."""
    by_name: list[tuple[float, str]] = []
    by_text: list[tuple[str, str]] = []
    for ref, blob in rows:
        score = _name_score(query, ref.partition(":")[2].partition("/")[2])
        if score is None:
            by_text.append((ref, blob))
        else:
            by_name.append((score, ref))
    if len(by_name) >= limit:
        return by_name
    return by_name + [(40.0 + 0.4 * fuzz.partial_ratio(query, b), r) for r, b in by_text]


def _name_score(query: str, name: str) -> float | None:
    if name == query:
        return 100.0
    if name.startswith(query):
        return 90.0 + 10.0 * len(query) / max(len(name), 1) * 0.9
    if query in name:
        return 80.0 + 10.0 * len(query) / max(len(name), 1)
    return None


class _Texts:
    """Every entity's searchable text in (text, ref) order, as one string plus offsets."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        rows.sort()  # the order the database's covering index gave before
        self.blob = _SEPARATOR.join(text for text, _ in rows)
        self.refs = "\n".join(ref for _, ref in rows)  # refs hold no newline
        self.starts = array("q", [0])
        self.ref_starts = array("q", [0])
        for text, ref in rows:
            self.starts.append(self.starts[-1] + len(text) + 1)
            self.ref_starts.append(self.ref_starts[-1] + len(ref) + 1)
        self.pairs = (
            _pair_signatures(self.blob, self.starts) if len(rows) >= _NARROWED_FROM else None
        )

    def matching(self, words: list[str], limit: int) -> list[tuple[str, str]]:
        """(canonical ref, text) of the first ``limit`` texts holding every word."""
        candidates = self._candidates(words)
        if candidates is None:
            return self._walk(words, limit)
        blob, starts, refs, ref_starts = self.blob, self.starts, self.refs, self.ref_starts
        found: list[tuple[str, str]] = []
        for number in candidates:
            text = blob[starts[number] : starts[number + 1] - 1]
            if all(w in text for w in words):
                found.append((refs[ref_starts[number] : ref_starts[number + 1] - 1], text))
                if len(found) >= limit:
                    break
        return found

    def _candidates(self, words: list[str]) -> list[int] | None:
        """In text order, the texts holding every pair of adjacent characters of the words
        (by their signatures: a superset of the texts holding the words), or None when
        that leaves too many to check one by one."""
        if self.pairs is None:
            return None
        needed: dict[int, int] = {}
        for word in words:
            for first, second in pairwise(word):
                bucket = _pair_bucket(ord(first), ord(second))
                needed[bucket >> 3] = needed.get(bucket >> 3, 0) | (0x80 >> (bucket & 7))
        if not needed:  # one-character words: no pairs to go by
            return None
        import numpy as np

        keep = np.ones(len(self.starts) - 1, dtype=bool)
        for byte, bits in needed.items():
            keep &= (self.pairs[byte] & bits) == bits
        candidates = np.flatnonzero(keep)
        if len(candidates) > _MOST_CANDIDATES:
            return None
        result: list[int] = candidates.tolist()
        return result

    def _walk(self, words: list[str], limit: int) -> list[tuple[str, str]]:
        """``matching`` by walking the longest word's occurrences in the whole string."""
        pivot = max(words, key=len)
        # An occurrence of a word holding the separator may run into the next text.
        others = words if _SEPARATOR in pivot else [w for w in words if w != pivot]
        blob, starts, find = self.blob, self.starts, self.blob.find
        found: list[tuple[str, str]] = []
        at = find(pivot)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            start, end = starts[number], starts[number + 1]
            text = blob[start : end - 1]
            if all(w in text for w in others):
                found.append(
                    (self.refs[self.ref_starts[number] : self.ref_starts[number + 1] - 1], text)
                )
                if len(found) >= limit:
                    break
            at = find(pivot, end)
        return found


def _pair_bucket(first: int, second: int) -> int:
    """Which of 256 bits stands for a pair of adjacent code points (a multiplicative hash)."""
    return (((first * 0x10001 + second) * 0x9E3779B1) & 0xFFFFFFFF) >> 24


def _pair_signatures(blob: str, starts: array[int]) -> npt.NDArray[np.uint8]:
    """For each text, the set of its adjacent-character pairs' buckets as 256 bits: row
    ``b`` holds bits ``8b..8b+7`` of every text (one contiguous row per byte)."""
    import numpy as np

    count = len(starts) - 1
    signatures = np.zeros((32, count), dtype=np.uint8)
    offsets = np.frombuffer(starts, dtype=np.int64)
    for first in range(0, count, _CHUNK):  # small temporaries, which malloc gives back
        last = min(count, first + _CHUNK)
        begin, end = int(offsets[first]), int(offsets[last])
        codes = np.frombuffer(blob[begin:end].encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        if len(codes) < 2:
            continue
        owner = np.repeat(np.arange(last - first), np.diff(offsets[first : last + 1]))
        mixed = (codes[:-1] * np.uint64(0x10001) + codes[1:]) * np.uint64(0x9E3779B1)
        buckets = ((mixed & np.uint64(0xFFFFFFFF)) >> np.uint64(24)).astype(np.int64)
        # A pair across a separator marks the text before it: an extra bit, never a missing one.
        flags = np.zeros((last - first) * 256, dtype=bool)
        flags[owner[: len(buckets)] * 256 + buckets] = True
        signatures[:, first:last] = np.packbits(flags.reshape(last - first, 256), axis=1).T
    return signatures


#: each entity's search text, per catalog generation
_texts: PerGeneration[_Texts] = PerGeneration(lambda catalog, _: _Texts(catalog.search_texts()))


class _Names:
    """Every entity's name and ref, and how often each character occurs in each name.

    A name's QRatio against a query is 200 * LCS / (len(query) + len(name)), and the longest
    common subsequence holds at most min(count in query, count in name) of each character; so
    the counts bound each name's score from above without comparing the strings."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.names = [n for n, _ in pairs]
        self.refs = [r for _, r in pairs]
        self.counts: dict[str, npt.NDArray[np.uint8]] | None = None
        if len(self.names) >= _NARROWED_FROM:
            self._count_characters()

    def _count_characters(self) -> None:
        import numpy as np

        self.array = np.array(self.names, dtype=object)
        size = len(self.names)
        self.lengths = np.fromiter(map(len, self.names), dtype=np.int32, count=size)
        # Names hold few distinct characters (Backstage allows [a-z0-9-_.]); a character
        # beyond the commonest _COUNTED gets no counts and is assumed to be everywhere.
        joined = "".join(self.names)
        present = set(joined)
        if len(present) > _COUNTED:
            present = {c for c, _ in Counter(joined).most_common(_COUNTED)}
        counted = sorted(present)
        self.uncounted = set(joined) - present
        table = np.zeros((len(counted), size), dtype=np.uint8)
        known = np.array([ord(c) for c in counted], dtype=np.uint32)
        for first in range(0, size, _CHUNK):  # small temporaries, which malloc gives back
            last = min(size, first + _CHUNK)
            part = "".join(self.names[first:last])
            codes = np.frombuffer(part.encode("utf-32-le"), dtype=np.uint32)
            owner = np.repeat(np.arange(last - first), self.lengths[first:last])
            column = np.minimum(np.searchsorted(known, codes), len(known) - 1)
            found = known[column] == codes
            times = np.bincount(
                column[found] * (last - first) + owner[found],
                minlength=len(known) * (last - first),
            )
            # Capped: exact for every query of at most 255 characters.
            table[:, first:last] = np.minimum(times, 255).reshape(len(known), last - first)
        self.counts = {c: table[i] for i, c in enumerate(counted)}

    def best_by_qratio(self, query: str, limit: int) -> list[tuple[str, float, int]]:
        """Exactly ``process.extract(query, names, scorer=fuzz.QRatio, limit=limit,
        score_cutoff=_ROUGH_CUTOFF)``: (name, score, index), best first, ties by index.

        Only names whose bound reaches a level are scored, highest levels first, until
        ``limit`` names score at least the level: every name left unscored scores below it."""
        if self.counts is None or not query or len(query) > 255:
            return _extract_qratio(query, self.names, limit)
        import numpy as np

        overlap = np.zeros(len(self.names), dtype=np.uint8)
        for char, times in Counter(query).items():
            counts = self.counts.get(char)
            if counts is not None:
                overlap += np.minimum(counts, times)
            elif char in self.uncounted:
                overlap += times
        # The floor of each name's best possible score (integers: no rounding to go wrong).
        levels = (200 * overlap.astype(np.int32)) // (len(query) + self.lengths)
        np.minimum(levels, 100, out=levels)  # an uncounted character can overstate the bound
        reaching = np.cumsum(np.bincount(levels, minlength=101)[::-1])[::-1]
        found: list[tuple[str, float, int]] = []
        want, above = 4 * limit, 101
        while above > _ROUGH_CUTOFF:
            level = next(
                (c for c in range(above - 1, _ROUGH_CUTOFF, -1) if reaching[c] >= want),
                _ROUGH_CUTOFF,
            )
            if reaching[level] > len(self.names) // 2:  # too loose a bound to be worth it
                return _extract_qratio(query, self.names, limit)
            band = np.flatnonzero((levels >= level) & (levels < above))
            picked = band.tolist()
            scored = _extract_qratio(query, self.array[band].tolist(), None)
            found += [(name, score, picked[j]) for name, score, j in scored]
            if sum(1 for _, score, _ in found if score >= level) >= limit:
                break
            want, above = want * 4, level
        found.sort(key=lambda x: (-x[1], x[2]))
        return found[:limit]


def _extract_qratio(
    query: str, names: list[str], limit: int | None
) -> list[tuple[str, float, int]]:
    return process.extract(
        query, names, scorer=fuzz.QRatio, limit=limit, score_cutoff=_ROUGH_CUTOFF
    )


#: every entity's name, for fuzzy matching, per catalog generation
_names: PerGeneration[_Names] = PerGeneration(lambda catalog, _: _Names(catalog.names()))


def _fuzzy(catalog: Catalog, query: str, limit: int) -> list[tuple[EntityRef, float]]:
    names = _names(catalog)
    # A cheap scorer picks candidates from every name; the thorough one ranks only those.
    rough = names.best_by_qratio(query, limit * 20)
    chosen = [name for name, _, _ in rough]
    matches = [
        (name, score, rough[j][2])
        for name, score, j in process.extract(
            query, chosen, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60
        )
    ]
    seen: dict[EntityRef, float] = {}
    for _, score, index in matches:
        ref = parse_ref(names.refs[index])
        seen.setdefault(ref, float(score))
    return sorted(seen.items(), key=lambda x: (-x[1], str(x[0])))[:limit]
