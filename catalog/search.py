"""Search over names, titles, descriptions and tags, and "did you mean" for near misses.

Matching rows come from the database (every word must appear); ranking and fuzzy suggestions
use rapidfuzz. The list of names used for suggestions is cached per catalog generation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from catalog.refs import EntityRef, parse_ref
from catalog.store import Catalog, EntitySummary

__all__ = ["SearchHit", "search_entities", "suggest_refs"]

_CANDIDATES = 2000


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
    rows = catalog.search_rows(words, limit=_CANDIDATES)
    query = " ".join(words)
    scored = sorted(
        ((_rank(query, ref, blob), ref) for ref, blob in rows), key=lambda x: (-x[0], str(x[1]))
    )[:limit]
    if not scored:
        scored = [(score, ref) for ref, score in _fuzzy(catalog, query, limit)]
    summaries = catalog.summaries(ref for _, ref in scored)
    return [SearchHit(summaries[ref], round(score, 1)) for score, ref in scored]


def suggest_refs(catalog: Catalog, text: str, *, limit: int = 5) -> list[EntityRef]:
    """Refs whose names come close to ``text`` (for "did you mean")."""
    name = text.lower().rsplit("/", 1)[-1].split(":")[-1]
    return [ref for ref, _ in _fuzzy(catalog, name, limit)]


def _rank(query: str, ref: EntityRef, blob: str) -> float:
    name = ref.name
    if name == query:
        return 100.0
    if name.startswith(query):
        return 90.0 + 10.0 * len(query) / max(len(name), 1) * 0.9
    if query in name:
        return 80.0 + 10.0 * len(query) / max(len(name), 1)
    from rapidfuzz import fuzz  # only searches and misses pay for it

    return 40.0 + 0.4 * fuzz.partial_ratio(query, blob)


_cache_lock = threading.Lock()
_name_cache: dict[int, tuple[int, list[str], list[str]]] = {}


def _names(catalog: Catalog) -> tuple[list[str], list[str]]:
    generation = catalog.generation()
    key = id(catalog.engine)
    with _cache_lock:
        cached = _name_cache.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
    pairs = catalog.names()
    names, refs = [n for n, _ in pairs], [r for _, r in pairs]
    with _cache_lock:
        _name_cache[key] = (generation, names, refs)
    return names, refs


def _fuzzy(catalog: Catalog, query: str, limit: int) -> list[tuple[EntityRef, float]]:
    from rapidfuzz import fuzz, process  # only searches and misses pay for it

    names, refs = _names(catalog)
    # A cheap scorer picks candidates from every name; the thorough one ranks only those.
    rough = process.extract(query, names, scorer=fuzz.QRatio, limit=limit * 20, score_cutoff=40)
    chosen = [names[i] for _, _, i in rough]
    matches = [
        (name, score, rough[j][2])
        for name, score, j in process.extract(
            query, chosen, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60
        )
    ]
    seen: dict[EntityRef, float] = {}
    for _, score, index in matches:
        ref = parse_ref(refs[index])
        seen.setdefault(ref, float(score))
    return sorted(seen.items(), key=lambda x: (-x[1], str(x[0])))[:limit]
