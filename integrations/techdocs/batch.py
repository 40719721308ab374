"""Building every entity's docs (what the worker runs after each sync, and the CLI)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from catalog import Catalog, EntityRef, StoredEntity
from integrations.techdocs.builder import BuildOutcome, OutcomeStatus, build_site
from integrations.techdocs.records import delete_builds, load_builds
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.source import TECHDOCS_REF, UrlFolders, has_docs
from integrations.techdocs.storage import SiteStorage

__all__ = ["DocsBuildProgress", "DocsBuildReport", "build_all_docs"]

#: Called with (done, total, outcome); first with (0, total, None) before any build starts.
DocsBuildProgress = Callable[[int, int, BuildOutcome | None], None]


@dataclass(frozen=True, slots=True)
class DocsBuildReport:
    """One run over many entities: an outcome each, and the sites removed."""

    outcomes: tuple[BuildOutcome, ...]
    removed: tuple[EntityRef, ...] = ()
    seconds: float = 0.0

    def having(self, status: OutcomeStatus) -> list[BuildOutcome]:
        """The outcomes with one status."""
        return [o for o in self.outcomes if o.status == status]

    @property
    def exit_code(self) -> int:
        """1 when a build failed (for the CLI), else 0."""
        return 1 if self.having("failed") else 0


def build_all_docs(
    catalog: Catalog,
    settings: TechDocsSettings,
    refs: Collection[EntityRef] | None = None,
    progress: DocsBuildProgress | None = None,
    *,
    force: bool = False,
    repositories: UrlFolders | None = None,
) -> DocsBuildReport:
    """Build the docs of ``refs`` (default: every entity with a techdocs-ref) when their
    sources changed; with no ``refs``, also remove sites of entities that no longer have docs.
    ``repositories`` (a ``RepositoryCache``) lets ``url:`` refs to other repositories build."""
    started = time.monotonic()
    if refs is None:
        wanted = [s for s in catalog.entities() if has_docs(s)]
    else:
        found = catalog.get_many(refs)
        wanted = [found[r] for r in sorted(set(refs)) if r in found]
    previous = load_builds(catalog.engine, None if refs is None else [s.ref for s in wanted])
    with_docs = [s for s in wanted if has_docs(s)]
    outcomes = [
        BuildOutcome(s.ref, "no_docs", f"{s.ref.short} has no {TECHDOCS_REF} annotation")
        for s in wanted
        if not has_docs(s)
    ]
    total = len(with_docs)
    if progress is not None:
        progress(0, total, None)

    def one(stored: StoredEntity) -> BuildOutcome:
        return build_site(
            catalog.engine,
            stored,
            settings,
            previous=previous.get(stored.ref),
            force=force,
            repositories=repositories,
        )

    with ThreadPoolExecutor(max_workers=settings.parallel_builds) as pool:
        for done, outcome in enumerate(pool.map(one, with_docs), start=1):
            outcomes.append(outcome)
            if progress is not None:
                progress(done, total, outcome)
    removed: tuple[EntityRef, ...] = ()
    if refs is None:
        removed = _remove_stale(catalog, settings, {s.ref for s in with_docs}, set(previous))
    return DocsBuildReport(tuple(outcomes), removed, time.monotonic() - started)


def _remove_stale(
    catalog: Catalog, settings: TechDocsSettings, keep: set[EntityRef], recorded: set[EntityRef]
) -> tuple[EntityRef, ...]:
    storage = SiteStorage(settings.root)
    stale = sorted((recorded | set(storage.published_refs())) - keep)
    for ref in stale:
        storage.remove(ref)
    delete_builds(catalog.engine, stale)
    return tuple(stale)
