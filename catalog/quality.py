"""How healthy the catalog itself is, as data for the weekly catalog-quality digest: entities
without an owner or owned by nobody that exists, dangling refs, the last sync's errors, and
services without docs (``backstage.io/techdocs-ref``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from catalog.annotations import TECHDOCS_REF
from catalog.refs import EntityRef, parse_ref
from catalog.store import Catalog, EntitySummary
from catalog.sync import DanglingRef, find_dangling
from catalog.tables import entities, sync_runs

__all__ = ["TECHDOCS_REF", "CatalogQuality", "LastSync", "catalog_quality"]

#: Kinds whose spec has an ``owner`` (Backstage requires it for all but Template).
OWNED_KINDS = ("component", "api", "resource", "system", "domain", "template")


@dataclass(frozen=True, slots=True)
class LastSync:
    """The most recent finished sync: status, when, unreadable sources, first errors."""

    run_id: int
    status: str
    finished_at: datetime | None
    unavailable: tuple[str, ...]
    error_count: int
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CatalogQuality:
    """Counts, with the first ``limit`` items of each list."""

    entities: int
    without_owner: tuple[EntitySummary, ...]
    without_owner_total: int
    dangling_owner: tuple[tuple[EntityRef, EntityRef], ...]
    dangling_owner_total: int
    dangling_refs: tuple[DanglingRef, ...]
    dangling_refs_total: int
    services_without_docs: tuple[EntitySummary, ...]
    services_without_docs_total: int
    last_sync: LastSync | None


def catalog_quality(engine: Engine, *, limit: int = 20) -> CatalogQuality:
    """The catalog-quality report as of now."""
    catalog = Catalog(engine)
    owner = aliased(entities)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(entities)).scalar_one())
        unowned = sorted(
            conn.execute(
                select(entities.c.ref).where(
                    entities.c.kind.in_(OWNED_KINDS), entities.c.owner_ref.is_(None)
                )
            ).scalars()
        )
        dangling = conn.execute(
            select(entities.c.ref, entities.c.owner_ref)
            .outerjoin(owner, owner.c.ref == entities.c.owner_ref)
            .where(entities.c.owner_ref.is_not(None), owner.c.ref.is_(None))
            .order_by(entities.c.ref)
        ).all()
        refs, refs_total = find_dangling(conn, limit=limit)
        services = conn.execute(
            select(entities.c.ref, entities.c.document)
            .where(entities.c.kind == "component", entities.c.spec_type == "service")
            .order_by(entities.c.ref)
        ).all()
        last = conn.execute(
            select(sync_runs.c.id, sync_runs.c.status, sync_runs.c.finished_at, sync_runs.c.report)
            .where(sync_runs.c.finished_at.is_not(None))
            .order_by(sync_runs.c.id.desc())
            .limit(1)
        ).first()
    undocumented = [parse_ref(ref) for ref, document in services if not _has_docs(document)]
    summaries = catalog.summaries([parse_ref(r) for r in unowned[:limit]] + undocumented[:limit])
    return CatalogQuality(
        entities=count,
        without_owner=tuple(summaries[parse_ref(r)] for r in unowned[:limit]),
        without_owner_total=len(unowned),
        dangling_owner=tuple((parse_ref(r), parse_ref(o)) for r, o in dangling[:limit]),
        dangling_owner_total=len(dangling),
        dangling_refs=tuple(refs),
        dangling_refs_total=refs_total,
        services_without_docs=tuple(summaries[r] for r in undocumented[:limit]),
        services_without_docs_total=len(undocumented),
        last_sync=_last_sync(last, limit) if last else None,
    )


def _has_docs(document: str) -> bool:
    annotations = (json.loads(document).get("metadata") or {}).get("annotations") or {}
    return bool(str(annotations.get(TECHDOCS_REF) or "").strip())


def _last_sync(row: Any, limit: int) -> LastSync:
    report = row.report or {}
    unavailable = []
    errors: list[str] = []
    total = 0
    for source in report.get("sources", []):
        if source.get("status") in {"unavailable", "failed"}:
            unavailable.append(f"{source.get('name')}: {source.get('error')}")
        for problem in source.get("problems", []):
            if problem.get("level") != "error":
                continue
            total += 1
            if len(errors) < limit:
                where = problem.get("file") or source.get("name")
                line = f":{problem['line']}" if problem.get("line") else ""
                errors.append(f"{where}{line}: {problem.get('message')}")
    return LastSync(row.id, row.status, row.finished_at, tuple(unavailable), total, tuple(errors))
