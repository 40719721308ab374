"""One source's scan turned into changes to the store: planned first (nothing written), then
written in the caller's transaction.

Planning settles who owns each ref (the same ref from two places is a conflict: whoever
already stores it keeps it, else the first file), keeps the last good version of whatever
broke, and lists what to add, update, adopt and remove. The sync looks at the plan before
writing it: a plan that removes too much is held (``catalog/sync.py``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import bindparam

from catalog.database import insert_tuples, one_of
from catalog.entity_rows import ROW_COLUMNS, PreparedEntity, prepare_entity
from catalog.holds import Withheld
from catalog.sources import PreviousFile, ScannedFile
from catalog.sync_report import Conflict, SourceReport
from catalog.tables import catalog_state, entities, relations, source_files, source_manifests

__all__ = [
    "ChangePlan",
    "FileRow",
    "SourceScan",
    "apply_scan",
    "bump_generation",
    "lock_source",
    "plan_changes",
    "write_changes",
]

#: Up to this many refs are looked up one by one; more, and one scan is faster.
_LOOKUPS_BEFORE_SCAN = 2000
#: Entities written from which SQLite's page cache is made larger for the write, and by how
#: much (KiB).
_LARGE_WRITE = 20_000
_WRITE_CACHE_KIB = 8_192
#: File rows written per statement.
_FILE_ROWS_BATCH = 5000


@dataclass(frozen=True)
class SourceScan:
    """One source as read in this run: its files, their entities already turned into rows,
    and what each file yielded last time."""

    source: str
    files: Sequence[ScannedFile]
    prepared: Sequence[Sequence[PreparedEntity]]
    previous: Mapping[str, PreviousFile] = field(default_factory=dict)
    previous_is_all: bool = False  # ``previous`` holds every stored file row of the source

    @classmethod
    def of(
        cls, source: str, files: Sequence[ScannedFile], previous: Mapping[str, PreviousFile]
    ) -> SourceScan:
        """A scan whose entities are still in ``files`` (prepared here)."""
        now = datetime.now(UTC)
        prepared = [[prepare_entity(s, now) for s in f.entities] for f in files]
        return cls(source, files, prepared, previous)


class FileRow(NamedTuple):
    """A ``source_files`` row: what a file yielded, for the next run's no-change check (a
    tuple: as a dict, a large source's 63,000 rows held 12 MB more until written)."""

    source: str
    path: str
    content_hash: str
    stamp: str
    refs: list[str]
    problems: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _StoredRow:
    ref: str
    content_hash: str
    location: str
    source: str


@dataclass(frozen=True, slots=True)
class _Claim:
    """File ``file`` emits the ref; ``entity`` is None when that file was unchanged."""

    file: int
    entity: PreparedEntity | None
    location: str


@dataclass
class _Settlement:
    winners: dict[str, _Claim] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    conflicted: set[int] = field(default_factory=set)


@dataclass
class _Rows:
    """What to write; new entities and relations stay prepared (compact) until written."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    inserts: list[PreparedEntity] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    relations: list[PreparedEntity] = field(default_factory=list)  # whose relations to write
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class ChangePlan:
    """Everything one scan would change; ``stored`` is how many entities the source had."""

    scan: SourceScan
    complete: bool
    stored: int
    rows: _Rows
    removed: list[str]
    conflicts: list[Conflict]
    file_rows: list[FileRow]

    @property
    def changes_entities(self) -> bool:
        rows = self.rows
        return bool(rows.inserts or rows.updates or self.removed)

    @property
    def withheld(self) -> Withheld:
        """The plan as a hold records it."""
        rows = self.rows
        updating = len(rows.updated) + len(rows.adopted)
        return Withheld(tuple(self.removed), self.stored, len(rows.added), updating)

    def release_rows(self) -> None:
        """Drop the entity and relation rows once written (hundreds of MB in a full sync)."""
        self.rows.inserts.clear()
        self.rows.updates.clear()
        self.rows.relations.clear()

    def report(self) -> SourceReport:
        """What applying the plan does, as the source's report."""
        files = self.scan.files
        return SourceReport(
            self.scan.source,
            files=len(files),
            files_unchanged=sum(1 for f in files if f.unchanged),
            added=self.rows.added,
            updated=self.rows.updated,
            removed=self.removed,
            adopted=self.rows.adopted,
            unchanged=self.rows.unchanged,
            problems=[p for f in files for p in f.problems],
            conflicts=self.conflicts,
        )


def lock_source(conn: Connection, source: str) -> None:
    """Serialise writers of one source (PostgreSQL; SQLite has one writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"sync:{source}"})


def apply_scan(conn: Connection, scan: SourceScan, *, complete: bool = True) -> SourceReport:
    """Store one source's scan in the caller's transaction and say what changed.

    ``complete`` scans replace the source (what is not emitted is removed); incomplete ones
    only add or update (used to register a single new file at once).
    """
    lock_source(conn, scan.source)
    plan = plan_changes(conn, scan, complete=complete)
    write_changes(conn, plan)
    return plan.report()


def plan_changes(
    conn: Connection,
    scan: SourceScan,
    *,
    complete: bool = True,
    adoptable: frozenset[str] = frozenset(),
) -> ChangePlan:
    """What storing ``scan`` would change, read in the caller's transaction (nothing written).

    Entities stored by an ``adoptable`` source (one removed from the configuration) are taken
    over instead of conflicting, so renaming a source keeps its entities and their uids.
    """
    stored = _stored_rows(conn, scan.source)
    own = len(stored)
    emitted = {p.ref for entities_of_file in scan.prepared for p in entities_of_file}
    others = _claimed_elsewhere(conn, scan.source, emitted)
    del emitted
    for ref, row in list(others.items()):
        if row.source in adoptable:
            stored[ref] = others.pop(ref)
    settled = _settle(scan, *_claims(scan, stored), stored, others)
    kept = _kept(scan, stored, settled.winners)
    winners, keep = settled.winners, set().union(*kept.values())
    removed = sorted(r for r in stored if r not in winners and r not in keep) if complete else []
    return ChangePlan(
        scan=scan,
        complete=complete,
        stored=own,
        rows=_rows(scan.source, settled.winners, stored),
        removed=removed,
        conflicts=settled.conflicts,
        file_rows=_file_rows(scan, settled, kept),
    )


def write_changes(conn: Connection, plan: ChangePlan) -> None:
    """Write a plan in the caller's transaction."""
    with _page_cache_for(conn, len(plan.rows.inserts) + len(plan.rows.updates)):
        _write_changes(conn, plan)


@contextmanager
def _page_cache_for(conn: Connection, entities: int) -> Iterator[None]:
    """SQLite's page cache made larger while a large plan is written: with the default 2 MB,
    inserting 100,000 entities and their relations spills and re-reads index pages all along.
    Back to what it was afterwards, so the pooled connection does not keep the memory."""
    if conn.dialect.name != "sqlite" or entities < _LARGE_WRITE:
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
    conn.exec_driver_sql(f"PRAGMA cache_size=-{_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={before}")


def _write_changes(conn: Connection, plan: ChangePlan) -> None:
    dialect, rows = conn.dialect.name, plan.rows
    rewritten = plan.removed + rows.updated + rows.adopted
    if rewritten:
        conn.execute(delete(relations).where(one_of(relations.c.origin, rewritten, dialect)))
    if plan.removed:
        conn.execute(delete(entities).where(one_of(entities.c.ref, plan.removed, dialect)))
    if rows.inserts:
        now = rows.now
        new = ((*e.values, str(uuid.uuid4()), now) for e in rows.inserts)
        insert_tuples(conn, entities, (*ROW_COLUMNS, "uid", "created_at"), new)
    if rows.updates:
        conn.execute(
            update(entities)
            .where(entities.c.ref == bindparam("b_ref"))
            .values({k: bindparam(k) for k in rows.updates[0] if k != "ref"}),
            [u | {"b_ref": u["ref"]} for u in rows.updates],
        )
    if rows.relations:
        related = (r for e in rows.relations for r in e.relation_tuples)
        insert_tuples(conn, relations, ("subject", "type", "object", "origin"), related)
    _write_files(conn, plan)
    # whatever the sync records next, the source's manifest no longer vouches for its rows
    conn.execute(delete(source_manifests).where(source_manifests.c.source == plan.scan.source))
    if plan.changes_entities:
        bump_generation(conn)


def bump_generation(conn: Connection) -> None:
    """Tell every process that the catalog changed (their caches key on this number)."""
    # One statement: two sources syncing at once on a fresh database both insert otherwise.
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(catalog_state)
        .values(key="generation", value=1)
        .on_conflict_do_update(index_elements=["key"], set_={"value": catalog_state.c.value + 1})
    )


def _stored_rows(conn: Connection, source: str) -> dict[str, _StoredRow]:
    columns = (entities.c.ref, entities.c.content_hash, entities.c.location, entities.c.source)
    rows = conn.execute(select(*columns).where(entities.c.source == source))
    return {row.ref: _StoredRow(*row) for row in rows}


def _claimed_elsewhere(conn: Connection, source: str, refs: set[str]) -> dict[str, _StoredRow]:
    columns = (entities.c.ref, entities.c.content_hash, entities.c.location, entities.c.source)
    query = select(*columns).where(entities.c.source != source)
    if len(refs) <= _LOOKUPS_BEFORE_SCAN:
        wanted = sorted(refs)
        found = conn.execute(query.where(one_of(entities.c.ref, wanted, conn.dialect.name)))
        return {row.ref: _StoredRow(*row) for row in found}
    return {row.ref: _StoredRow(*row) for row in conn.execute(query) if row.ref in refs}


def _claims(
    scan: SourceScan, stored: Mapping[str, _StoredRow]
) -> tuple[dict[str, _Claim], dict[str, list[_Claim]]]:
    """Every file's claim on every ref it emits (an unchanged file claims what it stored):
    the first claim on each ref, in the order of the files, and the later ones of refs
    claimed more than once (a list per ref cost 9 MB at 100k entities, nearly all of one)."""
    first: dict[str, _Claim] = {}
    more: dict[str, list[_Claim]] = defaultdict(list)
    for i, scanned in enumerate(scan.files):
        if scanned.unchanged:
            for ref in scanned.refs:
                if ref in stored:
                    claim = _Claim(i, None, stored[ref].location)
                    if first.setdefault(ref, claim) is not claim:
                        more[ref].append(claim)
        else:
            for entity in scan.prepared[i]:
                claim = _Claim(i, entity, entity.location)
                if first.setdefault(entity.ref, claim) is not claim:
                    more[entity.ref].append(claim)
    return first, more


def _settle(
    scan: SourceScan,
    first: dict[str, _Claim],
    more: Mapping[str, list[_Claim]],
    stored: Mapping[str, _StoredRow],
    others: Mapping[str, _StoredRow],
) -> _Settlement:
    """One winner per ref; every other claim is a conflict. ``first`` becomes the winners
    (a second dict of every ref cost 5 MB at 100k entities)."""
    settled = _Settlement()
    decided: dict[str, _Claim | None] = {}  # where the first claim is not the winner
    for ref, claim in first.items():
        holder = others.get(ref)
        if holder is None and ref not in more:  # nearly every ref: one claim, no other source
            continue
        claimants = [claim, *more.get(ref, ())]
        if holder is None:
            current = stored[ref].location if ref in stored else None
            winner = next((c for c in claimants if c.location == current), claimants[0])
            decided[ref] = winner
            kept_at, losers = winner.location, [c for c in claimants if c is not winner]
        else:
            decided[ref] = None
            kept_at, losers = holder.location, claimants
        for loser in losers:
            settled.conflicted.add(loser.file)
            settled.conflicts.append(Conflict(ref, kept_at, loser.location, scan.source))
    for ref, winner in decided.items():
        if winner is None:
            del first[ref]
        else:
            first[ref] = winner  # keeps its place: winners stay in the order of first claims
    settled.winners = first
    return settled


def _kept(
    scan: SourceScan, stored: Mapping[str, _StoredRow], winners: Mapping[str, _Claim]
) -> dict[int, list[str]]:
    """Per file that has any, the stored entities it must keep although it did not yield
    them (it broke)."""
    kept: dict[int, list[str]] = {}
    for i, scanned in enumerate(scan.files):
        candidates = list(scanned.kept_refs)
        previous = scan.previous.get(scanned.path)
        if scanned.keep_all_previous and previous is not None:
            candidates += previous.refs
        keep = [r for r in dict.fromkeys(candidates) if r in stored and r not in winners]
        if keep:
            kept[i] = keep
    return kept


def _rows(source: str, winners: Mapping[str, _Claim], stored: Mapping[str, _StoredRow]) -> _Rows:
    """The entity and relation rows to write for the winning claims."""
    rows = _Rows()
    for ref, claim in winners.items():
        old = stored.get(ref)
        entity = claim.entity
        adopting = old is not None and old.source != source
        if entity is None or (old and old.content_hash == entity.content_hash and not adopting):
            rows.unchanged += 1
            continue
        if old is None:
            rows.inserts.append(entity)
            rows.added.append(ref)
        else:
            rows.updates.append(entity.row)
            (rows.adopted if adopting else rows.updated).append(ref)
        rows.relations.append(entity)
    return rows


def _file_rows(
    scan: SourceScan, settled: _Settlement, kept: Mapping[int, list[str]]
) -> list[FileRow]:
    """What each file yielded, for the next run's no-change check."""
    rows: dict[str, FileRow] = {}
    winners = settled.winners
    for i, scanned in enumerate(scan.files):
        owned = [r for r in scanned.refs if r in winners and winners[r].file == i]
        owned += [r for r in kept.get(i, ()) if r not in owned]
        reread = i in settled.conflicted or scanned.keep_all_previous
        previous = scan.previous.get(scanned.path)
        if scanned.unchanged and previous is not None and previous.stored is not None:
            problems = previous.stored[3]  # the same problems, as stored
        else:
            problems = [asdict(p) for p in scanned.problems]
        rows[scanned.path] = FileRow(
            scan.source,
            scanned.path,
            "" if reread else scanned.content_hash,
            "" if reread else scanned.stamp,
            owned,
            problems,
        )
    return list(rows.values())


def _write_files(conn: Connection, plan: ChangePlan) -> None:
    source, previous = plan.scan.source, plan.scan.previous
    if plan.scan.previous_is_all:  # rewrite only the rows that differ from the stored ones
        changed = [r for r in plan.file_rows if not _same_row(r, previous.get(r.path))]
        written = {r.path for r in plan.file_rows}
        gone = [p for p in previous if p not in written] if plan.complete else []
        gone += [r.path for r in changed if r.path in previous]
        if gone:
            conn.execute(
                delete(source_files).where(
                    source_files.c.source == source,
                    one_of(source_files.c.path, gone, conn.dialect.name),
                )
            )
        _insert_files(conn, changed)
        return
    if plan.complete:
        conn.execute(delete(source_files).where(source_files.c.source == source))
    else:
        paths = [r.path for r in plan.file_rows]
        conn.execute(
            delete(source_files).where(
                source_files.c.source == source,
                one_of(source_files.c.path, paths, conn.dialect.name),
            )
        )
    _insert_files(conn, plan.file_rows)


def _insert_files(conn: Connection, rows: Sequence[FileRow]) -> None:
    """In batches: one call for a large source's 63,000 rows held all of them encoded at once
    (SQLAlchemy's statement, as its JSON columns need on PostgreSQL; not ``insert_many``)."""
    for start in range(0, len(rows), _FILE_ROWS_BATCH):
        batch = rows[start : start + _FILE_ROWS_BATCH]
        conn.execute(insert(source_files), [row._asdict() for row in batch])


def _same_row(row: FileRow, previous: PreviousFile | None) -> bool:
    stored = previous.stored if previous is not None else None
    return stored is not None and stored == (row.content_hash, row.stamp, row.refs, row.problems)
