"""Docs coverage of a set of entities (a team's Home tab): fine, failing, missing."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from catalog import Catalog, EntityRef, EntitySummary
from catalog.groups import owned_by
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.records import load_builds
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.source import TECHDOCS_REF

__all__ = ["CoverageStatus", "DocsCoverage", "DocsCoverageItem", "docs_coverage", "owner_coverage"]

#: ok: built and current; failing: the last build failed (an older site may still be served);
#: no_docs: no techdocs-ref annotation; not_built: never built yet; unavailable: the sources
#: are not on this machine (a url: ref waiting for the repository cache).
CoverageStatus = Literal["ok", "failing", "no_docs", "not_built", "unavailable"]
DEFAULT_KINDS = ("component", "api", "system")


@dataclass(frozen=True, slots=True)
class DocsCoverageItem:
    """One entity's docs state; ``url`` is set while a site can be linked to."""

    ref: EntityRef
    display_name: str
    status: CoverageStatus
    reason: str | None = None
    built_at: datetime | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DocsCoverage:
    """Coverage of many entities, sorted by ref."""

    items: tuple[DocsCoverageItem, ...]

    def having(self, *statuses: CoverageStatus) -> list[DocsCoverageItem]:
        """Items in any of ``statuses``."""
        return [i for i in self.items if i.status in statuses]

    @property
    def percent(self) -> int:
        """Share of entities whose docs are fine (100 for an empty set)."""
        if not self.items:
            return 100
        return round(100 * len(self.having("ok")) / len(self.items))


def docs_coverage(
    catalog: Catalog, settings: TechDocsSettings, refs: Iterable[EntityRef]
) -> DocsCoverage:
    """Which of ``refs`` have docs that built, which failed (and why), which have none."""
    return _coverage(catalog, settings, catalog.summaries(refs).values())


def _coverage(
    catalog: Catalog, settings: TechDocsSettings, summaries: Iterable[EntitySummary]
) -> DocsCoverage:
    found = {s.ref: s for s in summaries if s.exists}
    wanted = catalog.annotations(found, TECHDOCS_REF)
    builds = load_builds(catalog.engine, found)
    links = DocsLinks.from_settings(settings)
    items = []
    for ref, summary in sorted(found.items()):
        name = summary.display_name
        build = builds.get(ref)
        if not wanted.get(ref, "").strip():
            items.append(DocsCoverageItem(ref, name, "no_docs"))
            continue
        url = links.site_url(ref) if links.external or (build and build.has_site) else None
        if build is None:
            items.append(DocsCoverageItem(ref, name, "not_built", url=url))
            continue
        status: CoverageStatus = "unavailable"
        if build.status != "unavailable":
            status = "ok" if build.status == "ok" else "failing"
        items.append(DocsCoverageItem(ref, name, status, build.error, build.built_at, url))
    return DocsCoverage(tuple(items))


def owner_coverage(
    catalog: Catalog,
    settings: TechDocsSettings,
    owner: EntityRef,
    *,
    kinds: Collection[str] = DEFAULT_KINDS,
    include_subgroups: bool = True,
) -> DocsCoverage:
    """Coverage of what a team (and its sub-teams) or a person owns, of ``kinds``."""
    owned = owned_by(catalog, [owner], include_subgroups=include_subgroups)
    wanted = {k.lower() for k in kinds}
    # The summaries owned_by read already: a team page's docs section read them all again.
    return _coverage(catalog, settings, [s for s in owned if s.ref.kind in wanted])
