"""Sync: every source's entities into the store, one transaction per source.

Per source: upsert what changed (by content hash), remove what the source no longer emits,
keep the last good version of anything that broke, and keep *everything* when the source could
not be read at all. The same ref from two places is a conflict: the first claimant keeps it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.sql.expression import bindparam

from catalog.database import insert_many, one_of, writer
from catalog.errors import SourceUnavailable
from catalog.relations import OWNED_BY
from catalog.rules import CatalogRules
from catalog.sources import (
    CatalogSource,
    FileReader,
    PreviousFile,
    Problem,
    ScannedFile,
    SourcedEntity,
    content_hash,
)
from catalog.tables import catalog_state, entities, relations, source_files, sync_runs
from catalog.yaml_reader import YamlLimits

__all__ = [
    "Conflict",
    "DanglingRef",
    "PreparedEntity",
    "SourceReport",
    "SyncProgress",
    "SyncReport",
    "apply_scan",
    "bump_generation",
    "find_dangling",
    "prepare_entity",
    "sync_catalog",
]

#: Up to this many refs are looked up one by one; more, and one scan is faster.
_LOOKUPS_BEFORE_SCAN = 2000
#: Searchable text kept per entity (fits any database's index entry size).
SEARCH_TEXT_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two places emit the same ref; ``kept`` was first and keeps it."""

    ref: str
    kept: str
    rejected: str
    rejected_source: str

    @property
    def message(self) -> str:
        return (
            f"Detected conflicting entityRef {self.ref} already referenced by {self.kept} "
            f"and now also {self.rejected}"
        )


@dataclass(frozen=True, slots=True)
class DanglingRef:
    """A relation whose other end is not in the catalog."""

    declared_by: str
    type: str
    missing: str


@dataclass
class SourceReport:
    """What one source did in one sync."""

    name: str
    status: Literal["ok", "unavailable"] = "ok"
    error: str | None = None
    files: int = 0
    files_unchanged: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


@dataclass
class SyncReport:
    """A whole sync run; stored in ``sync_runs`` and printed by ``greenroom sync``."""

    trigger: str
    started_at: datetime
    finished_at: datetime | None = None
    run_id: int | None = None
    sources: list[SourceReport] = field(default_factory=list)
    dangling: list[DanglingRef] = field(default_factory=list)
    dangling_total: int = 0

    @property
    def status(self) -> Literal["ok", "partial", "failed"]:
        readable = [s for s in self.sources if s.status == "ok"]
        if not readable:
            return "failed"
        return "ok" if len(readable) == len(self.sources) else "partial"

    @property
    def exit_code(self) -> int:
        """Non-zero only when no source could be read."""
        return 1 if self.status == "failed" else 0

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON types."""
        data = asdict(self)
        data["status"] = self.status
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        for source, report in zip(data["sources"], self.sources, strict=True):
            source["errors"] = len(report.errors)
            source["warnings"] = len(report.warnings)
            source["conflicts"] = [
                c | {"message": x.message}
                for c, x in zip(source["conflicts"], report.conflicts, strict=True)
            ]
        return data


class SyncProgress(Protocol):
    """Hooks for showing progress (the CLI's progress bar)."""

    def file_read(self, source: str, path: str) -> None: ...

    def source_done(self, report: SourceReport) -> None: ...


def sync_catalog(
    engine: Engine,
    sources: Sequence[CatalogSource],
    *,
    trigger: str = "cli",
    limits: YamlLimits = YamlLimits(),
    rules: CatalogRules | None = None,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Read every source and store the result; a source that fails keeps its entities.

    ``rules`` say which kinds each source may define (greenroom's processes pass the
    operator's); None lets every source define every kind, for catalogs the caller wrote.
    """
    report = SyncReport(trigger=trigger, started_at=datetime.now(UTC))
    with writer(engine).begin() as conn:
        report.run_id = conn.execute(
            insert(sync_runs)
            .values(trigger=trigger, status="running", started_at=report.started_at)
            .returning(sync_runs.c.id)
        ).scalar_one()
    for source in sources:
        started = time.perf_counter()
        source_report = SourceReport(source.name)
        try:
            previous = _previous_files(engine, source.name)
            own_rules = rules.for_source(source.name) if rules is not None else None
            reader = FileReader(previous, limits, rules=own_rules)
            files, prepared = [], []
            now = datetime.now(UTC)
            for scanned in source.scan(reader):
                # Keep only the rows to write, not the parsed models: memory stays flat.
                prepared.append([prepare_entity(s, now) for s in scanned.entities])
                scanned.entities.clear()
                files.append(scanned)
                if progress is not None:
                    progress.file_read(source.name, scanned.path)
            with writer(engine).begin() as conn:
                apply_scan(
                    conn,
                    source.name,
                    files,
                    previous,
                    source_report,
                    complete=True,
                    prepared=prepared,
                )
        except SourceUnavailable as error:
            source_report.status = "unavailable"
            source_report.error = error.user_message
        source_report.seconds = round(time.perf_counter() - started, 3)
        report.sources.append(source_report)
        if progress is not None:
            progress.source_done(source_report)
    changed = any(s.added or s.updated or s.removed for s in report.sources)
    with engine.connect() as conn:
        report.dangling, report.dangling_total = _dangling_summary(conn, report.run_id, changed)
    report.finished_at = datetime.now(UTC)
    with writer(engine).begin() as conn:
        conn.execute(
            update(sync_runs)
            .where(sync_runs.c.id == report.run_id)
            .values(status=report.status, finished_at=report.finished_at, report=report.to_json())
        )
    return report


def _previous_files(engine: Engine, source: str) -> dict[str, PreviousFile]:
    """Last run's files; one whose entities are not all stored any more must be read again."""
    with engine.connect() as conn:
        stored = {
            row.ref: row.location
            for row in conn.execute(
                select(entities.c.ref, entities.c.location).where(entities.c.source == source)
            )
        }
        previous = {}
        for row in conn.execute(select(source_files).where(source_files.c.source == source)):
            intact = all(ref in stored for ref in row.refs)
            problems = [Problem(**p) for p in row.problems]
            digest = row.content_hash if intact else ""
            previous[row.path] = PreviousFile(digest, list(row.refs), problems)
        return previous


def apply_scan(
    conn: Connection,
    source: str,
    files: Sequence[ScannedFile],
    previous: dict[str, PreviousFile],
    report: SourceReport,
    *,
    complete: bool,
    prepared: Sequence[Sequence[PreparedEntity]] | None = None,
) -> None:
    """Store one source's scan in the caller's transaction.

    ``complete`` scans replace the source (what is not emitted is removed); incomplete ones
    only add or update (used to register a single new file at once). ``prepared`` holds each
    file's entities already turned into rows (else they are taken from ``files``).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"sync:{source}"})
    now = datetime.now(UTC)
    if prepared is None:
        prepared = [[prepare_entity(s, now) for s in f.entities] for f in files]
    existing = {
        row.ref: row
        for row in conn.execute(
            select(
                entities.c.ref, entities.c.content_hash, entities.c.location, entities.c.uid
            ).where(entities.c.source == source)
        )
    }
    emitted = {p.ref for entities_of_file in prepared for p in entities_of_file}
    others = _claimed_elsewhere(conn, source, list(emitted))
    report.files = len(files)
    report.files_unchanged = sum(1 for f in files if f.unchanged)

    claims: dict[str, list[tuple[int, PreparedEntity | None]]] = defaultdict(list)
    for i, scanned in enumerate(files):
        report.problems.extend(scanned.problems)
        if scanned.unchanged:
            for ref in scanned.refs:
                if ref in existing:
                    claims[ref].append((i, None))
        else:
            for entity in prepared[i]:
                claims[entity.ref].append((i, entity))

    conflicted: set[int] = set()
    winners: dict[str, tuple[int, PreparedEntity | None]] = {}
    for ref, claimants in claims.items():
        holder = others.get(ref)
        if holder is None:
            current = existing[ref].location if ref in existing else None
            winner = next((c for c in claimants if _location(c, current) == current), claimants[0])
            winners[ref] = winner
            holder = (source, _location(winner, current))
            losers = [c for c in claimants if c is not winner]
        else:
            losers = claimants
        for i, claim in losers:
            conflicted.add(i)
            loser_location = _location(
                (i, claim), existing[ref].location if ref in existing else ""
            )
            report.conflicts.append(Conflict(ref, holder[1], loser_location, source))

    keep = set(winners)
    kept_by_file: dict[int, list[str]] = {}
    for i, scanned in enumerate(files):
        kept = [r for r in scanned.kept_refs if r in existing and r not in winners]
        if scanned.keep_all_previous and scanned.path in previous:
            kept += [r for r in previous[scanned.path].refs if r in existing and r not in winners]
        kept_by_file[i] = kept
        keep.update(kept)
    removed = sorted(r for r in existing if r not in keep) if complete else []

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    relation_rows: list[dict[str, str]] = []
    for ref, (_, claim) in winners.items():
        if claim is None:
            report.unchanged += 1
            continue
        row = dict(claim.row)
        old = existing.get(ref)
        if old is not None and old.content_hash == row["content_hash"]:
            report.unchanged += 1
            continue
        if old is None:
            row["uid"] = str(uuid.uuid4())
            row["created_at"] = now
            inserts.append(row)
            report.added.append(ref)
        else:
            updates.append(row)
            report.updated.append(ref)
        relation_rows.extend(claim.relation_rows)

    dialect = conn.dialect.name
    if removed or report.updated:
        origins = removed + report.updated
        conn.execute(delete(relations).where(one_of(relations.c.origin, origins, dialect)))
    if removed:
        conn.execute(delete(entities).where(one_of(entities.c.ref, removed, dialect)))
    if inserts:
        insert_many(conn, entities, inserts)
    if updates:
        conn.execute(
            update(entities)
            .where(entities.c.ref == bindparam("b_ref"))
            .values({k: bindparam(k) for k in updates[0] if k != "ref"}),
            [u | {"b_ref": u["ref"]} for u in updates],
        )
    if relation_rows:
        insert_many(conn, relations, relation_rows)
    report.removed = removed

    _store_files(conn, source, files, winners, kept_by_file, conflicted, complete=complete)
    if inserts or updates or removed:
        bump_generation(conn)


def _location(claim: tuple[int, PreparedEntity | None], current: str | None) -> str:
    entity = claim[1]
    return entity.location if entity is not None else (current or "")


def _claimed_elsewhere(
    conn: Connection, source: str, refs: list[str]
) -> dict[str, tuple[str, str]]:
    claimed: dict[str, tuple[str, str]] = {}
    query = select(entities.c.ref, entities.c.source, entities.c.location).where(
        entities.c.source != source
    )
    if len(refs) <= _LOOKUPS_BEFORE_SCAN:
        found = conn.execute(query.where(one_of(entities.c.ref, refs, conn.dialect.name)))
        return {row.ref: (row.source, row.location) for row in found}
    wanted = set(refs)
    for row in conn.execute(query):
        if row.ref in wanted:
            claimed[row.ref] = (row.source, row.location)
    return claimed


def _store_files(
    conn: Connection,
    source: str,
    files: Sequence[ScannedFile],
    winners: dict[str, tuple[int, PreparedEntity | None]],
    kept_by_file: dict[int, list[str]],
    conflicted: set[int],
    *,
    complete: bool,
) -> None:
    rows: dict[str, dict[str, Any]] = {}
    for i, scanned in enumerate(files):
        owned = [r for r in scanned.refs if r in winners and winners[r][0] == i]
        owned += [r for r in kept_by_file[i] if r not in owned]
        rows[scanned.path] = {
            "source": source,
            "path": scanned.path,
            "content_hash": ""
            if i in conflicted or scanned.keep_all_previous
            else scanned.content_hash,
            "refs": owned,
            "problems": [asdict(p) for p in scanned.problems],
        }
    if complete:
        conn.execute(delete(source_files).where(source_files.c.source == source))
    else:
        conn.execute(
            delete(source_files).where(
                source_files.c.source == source,
                one_of(source_files.c.path, list(rows), conn.dialect.name),
            )
        )
    if rows:
        conn.execute(insert(source_files), list(rows.values()))


@dataclass(frozen=True, slots=True)
class PreparedEntity:
    """An entity turned into the rows the store writes (entity row and relation rows)."""

    ref: str
    location: str
    row: dict[str, Any]
    relation_rows: tuple[dict[str, str], ...]


def prepare_entity(sourced: SourcedEntity, now: datetime) -> PreparedEntity:
    """The rows for one entity; the parsed model is not needed after this."""
    row = _entity_row(sourced, now)
    ref = row["ref"]
    relation_rows = tuple(
        {"subject": str(e.source), "type": e.type, "object": str(e.target), "origin": ref}
        for e in sourced.parsed.edges
    )
    return PreparedEntity(ref, sourced.origin.location, row, relation_rows)


def _entity_row(sourced: SourcedEntity, now: datetime) -> dict[str, Any]:
    parsed = sourced.parsed
    entity, origin = parsed.entity, sourced.origin
    meta = entity.metadata
    document = json.dumps(parsed.document, ensure_ascii=False, separators=(",", ":"), default=str)
    fingerprint = f"{document}\x00{origin.location}\x00{origin.line}\x00{origin.repo_dir}"
    digest = content_hash(fingerprint.encode())
    owner = next((e.target for e in parsed.edges if e.type == OWNED_BY), None)
    words = [meta.name, meta.title or "", meta.description or "", *meta.tags]
    return {
        "ref": str(entity.ref),
        "kind": entity.kind.lower(),
        "namespace": meta.namespace.lower(),
        "name": meta.name.lower(),
        "title": meta.title,
        "description": meta.description,
        "spec_type": entity.spec_str("type"),
        "lifecycle": entity.spec_str("lifecycle"),
        "owner_ref": str(owner) if owner else None,
        "search_text": " ".join(words).lower()[:SEARCH_TEXT_LIMIT],
        "document": document,
        "content_hash": digest,
        "etag": digest,
        "source": origin.source,
        "location": origin.location,
        "line": origin.line,
        "entity_dir": origin.entity_dir,
        "repo_dir": origin.repo_dir,
        "updated_at": now,
    }


def bump_generation(conn: Connection) -> None:
    """Tell every process that the catalog changed (their caches key on this number)."""
    result = conn.execute(
        update(catalog_state)
        .where(catalog_state.c.key == "generation")
        .values(value=catalog_state.c.value + 1)
    )
    if result.rowcount == 0:
        conn.execute(insert(catalog_state).values(key="generation", value=1))


def find_dangling(conn: Connection, *, limit: int | None = None) -> tuple[list[DanglingRef], int]:
    """Relations whose far end is missing, with the entity that declared them."""
    far_end = text(
        """
        SELECT r.origin AS declared_by, r.type AS type,
               CASE WHEN r.origin = r.subject THEN r.object ELSE r.subject END AS missing
        FROM relations r
        LEFT JOIN entities e
          ON e.ref = CASE WHEN r.origin = r.subject THEN r.object ELSE r.subject END
        WHERE e.ref IS NULL
        ORDER BY declared_by, missing
        """
    )
    rows = conn.execute(far_end).all()
    found = [DanglingRef(r.declared_by, r.type, r.missing) for r in rows]
    return (found[:limit] if limit is not None else found), len(found)


def _dangling_summary(
    conn: Connection, run_id: int | None, changed: bool
) -> tuple[list[DanglingRef], int]:
    if not changed:
        last = conn.execute(
            select(sync_runs.c.report)
            .where(sync_runs.c.id != run_id, sync_runs.c.report.is_not(None))
            .order_by(sync_runs.c.id.desc())
            .limit(1)
        ).scalar()
        if last and "dangling" in last:
            return [DanglingRef(**d) for d in last["dangling"]], int(last["dangling_total"])
    return find_dangling(conn, limit=50)
