"""What a pasted docs URL is about (for Slack's ``link_shared`` -> ``chat.unfurl``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from catalog import Catalog, EntityRef
from integrations.techdocs.links import DEFAULT_MOUNT, DocsLinks
from integrations.techdocs.metadata import read_site_metadata
from integrations.techdocs.overview import owner_name
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.storage import SiteStorage

__all__ = ["DocsUnfurl", "unfurl_docs_url"]


@dataclass(frozen=True, slots=True)
class DocsUnfurl:
    """A docs page preview: which entity, which page (and heading), who owns it."""

    url: str
    entity_ref: EntityRef
    entity_title: str
    description: str | None
    site_name: str | None
    page_title: str | None
    heading: str | None
    owner_ref: EntityRef | None
    owner_name: str | None
    built_at: datetime | None


def unfurl_docs_url(catalog: Catalog, settings: TechDocsSettings, url: str) -> DocsUnfurl | None:
    """The preview of one of our docs URLs (own or external base), or None if it is not one
    or names no entity in the catalog."""
    parsed = None
    for base in (settings.base_url or DEFAULT_MOUNT, settings.external_base_url):
        if base and (parsed := DocsLinks(base).parse(url)):
            break
    if parsed is None:
        return None
    ref, page, anchor = parsed
    stored = catalog.get(ref)
    if stored is None:
        return None
    site = SiteStorage(settings.root).live(ref)
    metadata = read_site_metadata(site) if site else None
    page_title = heading = None
    if metadata is not None and site is not None:
        path = page.removesuffix("index.html")
        page_title = metadata.pages.get(path) or metadata.pages.get(page)
        heading = _heading(site, path, anchor) if anchor else None
    owner_ref, owner_display = owner_name(catalog, stored)
    return DocsUnfurl(
        url=url,
        entity_ref=ref,
        entity_title=stored.entity.metadata.title or ref.name,
        description=stored.entity.metadata.description,
        site_name=metadata.site_name if metadata else None,
        page_title=page_title,
        heading=heading,
        owner_ref=owner_ref,
        owner_name=owner_display,
        built_at=metadata.built_at if metadata else None,
    )


def _heading(site_dir: Path, path: str, anchor: str) -> str | None:
    index = site_dir / "search" / "search_index.json"
    try:
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs") or []
    except (OSError, ValueError, AttributeError):
        return None
    wanted = f"{path}#{anchor}"
    return next((str(d.get("title")) for d in docs if d.get("location") == wanted), None)
