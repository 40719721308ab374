"""``techdocs_metadata.json``: what a built site is, in the shape Backstage's TechDocs writes
(``site_name``, ``site_description``, ``build_timestamp``, ``files``, ``etag``) plus ours
(entity, source hash, navigation and page titles)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from integrations.techdocs.records import NavItem

__all__ = ["METADATA_FILE", "SiteMetadata", "read_site_metadata", "write_site_metadata"]

METADATA_FILE = "techdocs_metadata.json"


@dataclass(frozen=True, slots=True)
class SiteMetadata:
    """A built site's record; ``pages`` maps page paths (``""``, ``guide/``) to titles."""

    entity_ref: str
    site_name: str
    site_description: str | None
    built_at: datetime
    source_hash: str
    files: tuple[str, ...]
    nav: tuple[NavItem, ...]
    pages: dict[str, str]


def _page_path(url: str) -> str:
    return "" if url in {".", "./", "/"} else url.removeprefix("./")


def _nav_item(item: dict[str, Any]) -> NavItem:
    path = str(item.get("url") or "")
    return NavItem(str(item.get("title") or ""), _page_path(path), bool(item.get("external")))


def write_site_metadata(
    site_dir: Path,
    *,
    entity_ref: str,
    site_name: str,
    site_description: str | None,
    built_at: datetime,
    source_hash: str,
    nav: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    pages: list[dict[str, str]] | tuple[dict[str, str], ...],
) -> SiteMetadata:
    """Write the record into the site (replacing techdocs-core's partial one)."""
    files = sorted(
        p.relative_to(site_dir).as_posix()
        for p in site_dir.rglob("*")
        if p.is_file() and p.name != METADATA_FILE
    )
    metadata = SiteMetadata(
        entity_ref=entity_ref,
        site_name=site_name,
        site_description=site_description,
        built_at=built_at,
        source_hash=source_hash,
        files=(*files, METADATA_FILE),
        nav=tuple(_nav_item(item) for item in nav),
        pages={_page_path(p["url"]): p.get("title") or "" for p in pages},
    )
    document = {
        "site_name": metadata.site_name,
        "site_description": metadata.site_description or "",
        "build_timestamp": int(built_at.timestamp() * 1000),
        "files": list(metadata.files),
        "etag": source_hash,
        "entity_ref": entity_ref,
        "source_hash": source_hash,
        "built_at": built_at.isoformat(),
        "nav": [{"title": n.title, "path": n.path, "external": n.external} for n in metadata.nav],
        "pages": metadata.pages,
    }
    (site_dir / METADATA_FILE).write_text(json.dumps(document, indent=1), encoding="utf-8")
    return metadata


def read_site_metadata(site_dir: Path) -> SiteMetadata | None:
    """The record of a built site, or None when it is missing or unreadable."""
    try:
        data = json.loads((site_dir / METADATA_FILE).read_text(encoding="utf-8"))
        return SiteMetadata(
            entity_ref=str(data["entity_ref"]),
            site_name=str(data["site_name"]),
            site_description=data.get("site_description") or None,
            built_at=datetime.fromisoformat(data["built_at"]),
            source_hash=str(data["source_hash"]),
            files=tuple(data.get("files") or ()),
            nav=tuple(
                NavItem(str(i["title"]), str(i["path"]), bool(i.get("external")))
                for i in data.get("nav") or ()
            ),
            pages={str(k): str(v) for k, v in (data.get("pages") or {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
