"""Searching every built site (``/greenroom docs search``): ranked hits with page links.

The index is built once per process and reused until the docs generation changes (any build
anywhere bumps it), so a query costs a DB read of one number plus the in-memory search. A
process starts from the index the last refresh saved (``search_store``) and re-reads only
the sites built since, then saves the result for the next process.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from catalog import Catalog, EntityRef
from catalog.groups import owned_by
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.records import DocsBuild, docs_generation, load_builds
from integrations.techdocs.search_index import SearchIndex
from integrations.techdocs.search_store import SavedSite, load_saved_index, save_index
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.site_index import SiteIndex
from integrations.techdocs.storage import SiteStorage

__all__ = ["DocsSearchHit", "load_search_index", "search_docs", "warm_search_index"]

_MAX_INDEX_BYTES = 20 * 1024 * 1024
_SAVED = (".search", "index.npz")
_RESAVE_AFTER = (
    20  # sites read since the last save  # under the storage root, which serves no dot folder
)
log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, _Loaded] = {}


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


@dataclass
class _Loaded:
    generation: int = -1
    index: SearchIndex = field(default_factory=SearchIndex)
    slots: dict[EntityRef, SavedSite] = field(default_factory=dict)
    saved: bool = False  # a usable saved index exists (loaded or written by this process)
    read_since_save: int = 0  # sites a process starting now would read again


@contextmanager
def load_search_index(catalog: Catalog, settings: TechDocsSettings) -> Iterator[SearchIndex]:
    """The index over every served site, held for the ``with`` block.

    Cached per process; when the docs generation changed, only sites whose build changed are
    re-read."""
    with _lock:
        loaded = _loaded.setdefault(str(settings.root), _Loaded())
        generation = docs_generation(catalog.engine)
        if generation != loaded.generation:
            _refresh(loaded, catalog, settings)
            loaded.generation = generation
        yield loaded.index


def warm_search_index(catalog: Catalog, settings: TechDocsSettings) -> int:
    """Load the index ahead of the first query (call from a thread at web start); returns
    how many sites it holds."""
    with load_search_index(catalog, settings) as index:
        return len(index.sites)


def _refresh(loaded: _Loaded, catalog: Catalog, settings: TechDocsSettings) -> None:
    storage = SiteStorage(settings.root)
    saved_path = settings.root.joinpath(*_SAVED)
    if loaded.generation < 0 and (saved := load_saved_index(saved_path)) is not None:
        loaded.index, loaded.slots = saved
        loaded.saved = True
    builds = {ref: b for ref, b in load_builds(catalog.engine).items() if b.has_site}
    identities = {ref: _identity(storage, ref, b) for ref, b in builds.items()}
    for ref, saved_site in list(loaded.slots.items()):
        if identities.get(ref) != saved_site.identity:
            if saved_site.slot is not None:
                loaded.index.remove(saved_site.slot)
            del loaded.slots[ref]
    for ref, build in sorted(builds.items()):
        if ref not in loaded.slots:
            site = _read_site(storage, ref, build.site_name or ref.name)
            slot = loaded.index.add(site) if site is not None else None
            loaded.slots[ref] = SavedSite(slot, identities[ref])
            loaded.read_since_save += 1
    # saving costs about as much as reading 50 sites, so a few rebuilt sites are left for
    # the next process to read again rather than slowing this query down
    if loaded.read_since_save > _RESAVE_AFTER or (loaded.read_since_save and not loaded.saved):
        try:
            save_index(saved_path, loaded.index, loaded.slots)
            loaded.saved, loaded.read_since_save = True, 0
        except OSError as error:  # a read-only disk costs the next process a rebuild, no more
            log.warning("could not save the docs search index: %s", error)


def _identity(storage: SiteStorage, ref: EntityRef, build: DocsBuild) -> str:
    """What the served site was built from: a site read under another identity is stale."""
    try:
        target = str(storage.link(ref).readlink())
    except (OSError, ValueError):
        target = ""
    return json.dumps([build.site_hash, build.site_name, target])


def _read_site(storage: SiteStorage, ref: EntityRef, site_name: str) -> SiteIndex | None:
    site = storage.live(ref)
    path = site / "search" / "search_index.json" if site else None
    if path is None or not path.is_file() or path.stat().st_size > _MAX_INDEX_BYTES:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return SiteIndex.from_json((ref, site_name), data) if isinstance(data, dict) else None


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
    allowed: set[EntityRef] | None = None
    if entity is not None:
        allowed = {entity}
    if owner is not None:
        owned = {s.ref for s in owned_by(catalog, [owner], include_subgroups=True)}
        allowed = owned if allowed is None else allowed & owned
    links = DocsLinks.from_settings(settings)
    with load_search_index(catalog, settings) as index:
        sites = None
        if allowed is not None:
            sites = {slot for slot, site in index.sites.items() if site.key[0] in allowed}
        found = [
            (index.sites[s.site].key, s) for s in index.search(query, sites=sites, limit=limit)
        ]
    hits = []
    for (ref, site_name), scored in found:
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
