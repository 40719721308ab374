"""One entity's docs at a glance (``/greenroom docs <entity>``, ``greenroom docs show``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from catalog import Catalog, EntityRef, StoredEntity
from catalog.ownership import owner_of
from integrations.techdocs.coverage import CoverageStatus, docs_coverage
from integrations.techdocs.links import DocsLinks
from integrations.techdocs.records import load_builds
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.source import TECHDOCS_REF

__all__ = ["DocsLink", "DocsOverview", "docs_overview", "owner_name"]


@dataclass(frozen=True, slots=True)
class DocsLink:
    """A titled link (a navigation page, or one of the entity's ``metadata.links``)."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class DocsOverview:
    """Everything ``/greenroom docs <entity>`` shows.

    ``home_url`` is None while there is nothing to link to; then ``status`` and ``reason``
    say why ("no docs yet", "build failed because ...").
    """

    ref: EntityRef
    display_name: str
    description: str | None
    annotation: str | None
    status: CoverageStatus
    reason: str | None
    home_url: str | None
    site_name: str | None
    nav: tuple[DocsLink, ...]
    links: tuple[DocsLink, ...]
    owner_ref: EntityRef | None
    owner_name: str | None
    built_at: datetime | None
    warnings: tuple[str, ...] = ()


def owner_name(catalog: Catalog, stored: StoredEntity) -> tuple[EntityRef | None, str | None]:
    """The owner's ref and display name (team or person), if there is one."""
    ownership = owner_of(catalog, stored)
    if ownership.team is not None:
        return ownership.owner_ref, ownership.team.display_name
    if ownership.person is not None:
        return ownership.owner_ref, ownership.person.display_name
    return ownership.owner_ref, None


def docs_overview(
    catalog: Catalog, settings: TechDocsSettings, stored: StoredEntity
) -> DocsOverview:
    """The docs home, top-level pages, links, owner and build state of one entity."""
    ref = stored.ref
    item = docs_coverage(catalog, settings, [ref]).items[0]
    build = load_builds(catalog.engine, [ref]).get(ref)
    links = DocsLinks.from_settings(settings)
    nav = tuple(
        DocsLink(n.title or n.path, n.path if n.external else links.page_url(ref, n.path))
        for n in (build.nav if build else ())
    )
    owner_ref, owner_display = owner_name(catalog, stored)
    metadata = stored.entity.metadata
    return DocsOverview(
        ref=ref,
        display_name=metadata.title or ref.name,
        description=metadata.description,
        annotation=stored.entity.annotation(TECHDOCS_REF),
        status=item.status,
        reason=item.reason,
        home_url=item.url,
        site_name=build.site_name if build else None,
        nav=nav,
        links=tuple(DocsLink(link.title or link.url, link.url) for link in metadata.links),
        owner_ref=owner_ref,
        owner_name=owner_display,
        built_at=build.built_at if build else None,
        warnings=build.warnings if build else (),
    )
