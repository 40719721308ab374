"""Searching every built site (``/greenroom docs search``): ranked hits with page links.

The index is built once per process and reused until the docs generation changes (any build
anywhere bumps it), so a query costs a DB read of one number plus the in-memory search.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from catalog import Catalog, EntityRef
from catalog.groups import owned_by
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.records import docs_generation, load_builds
from integrations.techdocs.search_index import SearchIndex
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.storage import SiteStorage

__all__ = ["DocsSearchHit", "load_search_index", "search_docs"]

_MAX_INDEX_BYTES = 20 * 1024 * 1024
_cache: dict[str, tuple[int, SearchIndex]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class DocsSearchHit:
    """One result: the page (and heading) that matched, its link, and the matching text."""

    entity_ref: EntityRef
    site_name: str
    page_title: str
    heading: str | None
    url: str
    snippet: str
    score: float


def load_search_index(catalog: Catalog, settings: TechDocsSettings) -> SearchIndex:
    """The index over every served site, cached per process until the generation changes."""
    generation = docs_generation(catalog.engine)
    key = str(settings.root)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        index = _build_index(catalog, settings)
        _cache[key] = (generation, index)
        return index


def _build_index(catalog: Catalog, settings: TechDocsSettings) -> SearchIndex:
    storage = SiteStorage(settings.root)
    index = SearchIndex()
    for ref, build in sorted(load_builds(catalog.engine).items()):
        site = storage.live(ref) if build.has_site else None
        path = site / "search" / "search_index.json" if site else None
        if path is None or not path.is_file() or path.stat().st_size > _MAX_INDEX_BYTES:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            index.add_site((ref, build.site_name or ref.name), data)
    return index.freeze()


def search_docs(
    catalog: Catalog,
    settings: TechDocsSettings,
    query: str,
    *,
    owner: EntityRef | None = None,
    entity: EntityRef | None = None,
    limit: int = 10,
) -> list[DocsSearchHit]:
    """Pages matching ``query`` across all sites, best first; ``owner`` keeps the sites of
    entities a group (or its sub-groups) or a user owns, ``entity`` keeps one site."""
    index = load_search_index(catalog, settings)
    allowed: set[EntityRef] | None = None
    if entity is not None:
        allowed = {entity}
    if owner is not None:
        owned = {s.ref for s in owned_by(catalog, [owner], include_subgroups=True)}
        allowed = owned if allowed is None else allowed & owned
    sites = None
    if allowed is not None:
        sites = {n for n, (ref, _) in enumerate(index.sites) if ref in allowed}
    links = DocsLinks.from_settings(settings)
    hits = []
    for scored in index.search(query, sites=sites, limit=limit):
        ref, site_name = index.sites[scored.section.site]
        heading = scored.section.heading
        hits.append(
            DocsSearchHit(
                entity_ref=ref,
                site_name=site_name,
                page_title=scored.section.page_title,
                heading=heading if heading != scored.section.page_title else None,
                url=links.page_url(ref, scored.section.location),
                snippet=scored.snippet,
                score=scored.score,
            )
        )
    return hits
