"""Build records: what was built for each entity, when, from which sources, or why not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, delete, insert, select, update

from catalog import EntityRef, parse_ref
from catalog.database import as_utc, writer
from integrations.techdocs.tables import docs_builds, docs_state

__all__ = [
    "BuildStatus",
    "DocsBuild",
    "NavItem",
    "delete_builds",
    "docs_generation",
    "load_builds",
    "save_build",
]

BuildStatus = Literal["ok", "failed", "unavailable"]
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class NavItem:
    """A top-level navigation entry: ``path`` is relative to the site (or a full URL)."""

    title: str
    path: str
    external: bool = False


@dataclass(frozen=True, slots=True)
class DocsBuild:
    """The last build attempt of one entity's docs, and the site being served (if any).

    ``status`` is the last attempt's; a failed attempt keeps the previous site, so
    ``built_at`` and ``nav`` can describe a good site while ``error`` says why the newer
    sources did not build.
    """

    entity_ref: EntityRef
    status: BuildStatus
    attempted_at: datetime
    source_hash: str | None = None
    site_hash: str | None = None
    site_name: str | None = None
    built_at: datetime | None = None
    duration_ms: int | None = None
    error: str | None = None
    nav: tuple[NavItem, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_site(self) -> bool:
        """Whether a built site is being served."""
        return self.built_at is not None


def _from_row(row: Any) -> DocsBuild:
    return DocsBuild(
        entity_ref=parse_ref(row.entity_ref),
        status=row.status,
        attempted_at=as_utc(row.attempted_at) if row.attempted_at else datetime.now(UTC),
        source_hash=row.source_hash,
        site_hash=row.site_hash,
        site_name=row.site_name,
        built_at=as_utc(row.built_at) if row.built_at else None,
        duration_ms=row.duration_ms,
        error=row.error,
        nav=tuple(NavItem(i["title"], i["path"], bool(i.get("external"))) for i in row.nav or []),
        warnings=tuple(row.warnings or ()),
    )


def load_builds(
    engine: Engine, refs: Iterable[EntityRef] | None = None
) -> dict[EntityRef, DocsBuild]:
    """Build records by entity (all of them, or those of ``refs`` that exist)."""
    found: dict[EntityRef, DocsBuild] = {}
    with engine.connect() as conn:
        if refs is None:
            for row in conn.execute(select(docs_builds)):
                found[parse_ref(row.entity_ref)] = _from_row(row)
            return found
        keys = sorted({str(r) for r in refs})
        for start in range(0, len(keys), _CHUNK):
            query = select(docs_builds).where(
                docs_builds.c.entity_ref.in_(keys[start : start + _CHUNK])
            )
            for row in conn.execute(query):
                found[parse_ref(row.entity_ref)] = _from_row(row)
    return found


def save_build(engine: Engine, build: DocsBuild) -> None:
    """Store one record (replacing the old one) and tell other processes."""
    values = {
        "status": build.status,
        "source_hash": build.source_hash,
        "site_hash": build.site_hash,
        "site_name": build.site_name,
        "built_at": build.built_at,
        "attempted_at": build.attempted_at,
        "duration_ms": build.duration_ms,
        "error": build.error,
        "nav": [{"title": n.title, "path": n.path, "external": n.external} for n in build.nav],
        "warnings": list(build.warnings),
    }
    key = str(build.entity_ref)
    with writer(engine).begin() as conn:
        changed = conn.execute(
            update(docs_builds).where(docs_builds.c.entity_ref == key).values(**values)
        )
        if changed.rowcount == 0:
            conn.execute(insert(docs_builds).values(entity_ref=key, **values))
        _bump_generation(conn)


def delete_builds(engine: Engine, refs: Iterable[EntityRef]) -> None:
    """Forget the records of entities whose docs are gone."""
    keys = sorted({str(r) for r in refs})
    if not keys:
        return
    with writer(engine).begin() as conn:
        for start in range(0, len(keys), _CHUNK):
            conn.execute(
                delete(docs_builds).where(
                    docs_builds.c.entity_ref.in_(keys[start : start + _CHUNK])
                )
            )
        _bump_generation(conn)


def docs_generation(engine: Engine) -> int:
    """A number that changes whenever any build record (and so any served site) does."""
    with engine.connect() as conn:
        value = conn.execute(
            select(docs_state.c.value).where(docs_state.c.key == "generation")
        ).scalar()
    return int(value or 0)


def _bump_generation(conn: Connection) -> None:
    result = conn.execute(
        update(docs_state)
        .where(docs_state.c.key == "generation")
        .values(value=docs_state.c.value + 1)
    )
    if result.rowcount == 0:
        conn.execute(insert(docs_state).values(key="generation", value=1))
