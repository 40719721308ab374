"""Sync: every source's entities into the store, one transaction per source.

Per source: read it (``FileReader`` skips files that did not change), plan the changes
(``catalog/changes.py``), then either write them or, when they would remove more than the
removal guard allows, hold the source for an admin and change nothing of it. A source that
cannot be read keeps everything; one that greenroom fails on is reported and the others still
sync. Then sources that left the configuration are reviewed (``catalog/removed_sources.py``).
Every run ends in ``sync_runs`` with a final status, even when it breaks off.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy import Connection, Engine, Text, cast, insert, select, text, update

from catalog.changes import (
    ChangePlan,
    SourceScan,
    apply_scan,
    bump_generation,
    lock_source,
    plan_changes,
    write_changes,
)
from catalog.database import writer
from catalog.entity_rows import PreparedEntity, prepare_entity
from catalog.errors import GreenroomError, Interrupted
from catalog.holds import Hold, HoldNotice, hold_removals, open_hold, resolve_hold
from catalog.removed_sources import removed_source_names, review_removed_sources
from catalog.rules import SourceRules
from catalog.source_manifest import (
    catalog_generation,
    forget_manifest,
    manifest_context,
    record_manifest,
    unchanged_report,
)
from catalog.sources import CatalogSource, FileReader, PreviousFile, ScannedFile
from catalog.sources.read_ahead import parse_worker_count, paused_gc
from catalog.sync_options import SyncOptions
from catalog.sync_report import Conflict, DanglingRef, SourceReport, SyncReport
from catalog.tables import entities, source_files, sync_runs

__all__ = [
    "Conflict",
    "DanglingRef",
    "PreparedEntity",
    "SourceReport",
    "SourceScan",
    "SyncOptions",
    "SyncProgress",
    "SyncReport",
    "apply_scan",
    "bump_generation",
    "find_dangling",
    "prepare_entity",
    "sync_catalog",
]

log = logging.getLogger(__name__)

#: A run still "running" after this long lost its process (the worker's limit is 20 minutes).
ABANDONED_AFTER = timedelta(hours=6)


class SyncProgress(Protocol):
    """Hooks for showing progress (the CLI's progress bar)."""

    def file_read(self, source: str, path: str) -> None: ...

    def source_done(self, report: SourceReport) -> None: ...


@dataclass(frozen=True)
class _Run:
    engine: Engine
    options: SyncOptions
    id: int
    started_at: datetime
    progress: SyncProgress | None


def sync_catalog(
    engine: Engine,
    sources: Sequence[CatalogSource],
    options: SyncOptions | None = None,
    *,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Read every source and store the result; a source that fails keeps its entities."""
    run = _start_run(engine, options or SyncOptions(), progress)
    try:
        adoptable = removed_source_names(engine, run.options)
        with paused_gc():  # a source's rows and plan are many objects that live on
            reports = [_sync_source(run, source, adoptable) for source in sources]
        removed = review_removed_sources(engine, run.options, run_id=run.id)
        report = _finish_run(run, reports, removed)
    except BaseException as error:
        _record_breakdown(run, error)
        raise
    return report


def _start_run(engine: Engine, options: SyncOptions, progress: SyncProgress | None) -> _Run:
    started_at = datetime.now(UTC)
    with writer(engine).begin() as conn:
        conn.execute(
            update(sync_runs)
            .where(
                sync_runs.c.status == "running",
                sync_runs.c.started_at < started_at - ABANDONED_AFTER,
            )
            .values(
                status="abandoned",
                finished_at=started_at,
                report={"error": "the process running this sync stopped before it finished"},
            )
        )
        run_id = conn.execute(
            insert(sync_runs)
            .values(trigger=options.trigger[:32], status="running", started_at=started_at)
            .returning(sync_runs.c.id)
        ).scalar_one()
    return _Run(engine, options, run_id, started_at, progress)


def _sync_source(run: _Run, source: CatalogSource, adoptable: frozenset[str]) -> SourceReport:
    """One source, whatever happens: an error ends up in its report, never in the run."""
    started = time.perf_counter()
    rules = _rules_of(run.options, source.name)
    context = manifest_context(rules, run.options.limits, adoptable)
    try:
        report = unchanged_report(run.engine, source, context) or _store(
            run, source, _read(run, source), adoptable, context
        )
    except GreenroomError as error:
        report = SourceReport(source.name, status="unavailable", error=error.user_message)
    except Exception as error:
        if isinstance(error.__context__, Interrupted):  # e.g. the rollback after it failed
            raise error.__context__ from None
        log.exception("catalog sync of source %r failed", source.name)
        reason = f"greenroom failed on it ({type(error).__name__}: {error})"[:1000]
        report = SourceReport(source.name, status="failed", error=reason)
    report = replace(report, seconds=round(time.perf_counter() - started, 3))
    if run.progress is not None:
        run.progress.source_done(report)
    return report


def _read(run: _Run, source: CatalogSource) -> tuple[SourceScan, set[str]]:
    """The source's scan, and the files parsed in it that read other files (placeholders)."""
    rules = _rules_of(run.options, source.name)
    previous = _previous_files(run.engine, source.name, rules)
    files, prepared = [], []
    now = datetime.now(UTC)
    workers = parse_worker_count(run.options.parse_workers)
    shared: dict[str, str] = {}
    finish = partial(_as_rows, now=now, shared=shared)
    with FileReader(
        previous, run.options.limits, rules=rules, workers=workers, finish=finish
    ) as reader:
        for scanned in source.scan(reader):
            # Keep only the rows to write, not the parsed models: memory stays flat.
            if scanned.prepared is None:
                finish(scanned)
            elif workers > 1:  # from a worker: one copy of each repeated string again
                scanned.prepared = [p.sharing(shared) for p in scanned.prepared]
            prepared.append(scanned.prepared or [])
            scanned.entities.clear()
            scanned.prepared = None
            files.append(scanned)
            if run.progress is not None:
                run.progress.file_read(source.name, scanned.path)
    reads_others = {f.path for f in files if f.reads_other_files}
    return SourceScan(source.name, files, prepared, previous, previous_is_all=True), reads_others


def _as_rows(scanned: ScannedFile, now: datetime, shared: dict[str, str]) -> ScannedFile:
    """The file's entities as the rows to write, made where it was parsed (in a worker
    process, the rows cross back instead of the models); only Location entities stay, for
    the Location walk that follows them. The file's refs become the rows' own strings."""
    prepared = [prepare_entity(s, now, shared) for s in scanned.entities]
    if [p.ref for p in prepared] == scanned.refs:
        scanned.refs = [p.ref for p in prepared]
    scanned.prepared = prepared
    scanned.entities = [s for s in scanned.entities if s.parsed.entity.kind == "Location"]
    return scanned


def _rules_of(options: SyncOptions, source: str) -> SourceRules | None:
    return options.rules.for_source(source) if options.rules is not None else None


def _previous_files(
    engine: Engine, source: str, rules: SourceRules | None
) -> dict[str, PreviousFile]:
    """Last run's files; one whose entities are not all stored any more must be read again.
    A file that breaks keeps its last entities, except kinds the source may no longer define."""
    columns = (
        source_files.c.path,
        source_files.c.content_hash,
        source_files.c.stamp,
        # decoded here: SQLAlchemy's JSON type costs 3x more for the tens of thousands of rows
        cast(source_files.c.refs, Text),
        cast(source_files.c.problems, Text),
    )
    with engine.connect() as conn:
        query = select(entities.c.ref).where(entities.c.source == source)
        stored = set(conn.execute(query).scalars())
        previous = {}
        rows = conn.execute(select(*columns).where(source_files.c.source == source))
        for path, content_hash, stamp, refs_json, problems_json in rows:
            problems = json.loads(problems_json) if problems_json != "[]" else []
            previous[path] = PreviousFile.of_row(
                content_hash, stamp, json.loads(refs_json), problems, stored=stored, rules=rules
            )
        return previous


def _store(
    run: _Run,
    source: CatalogSource,
    read: tuple[SourceScan, set[str]],
    adoptable: frozenset[str],
    context: str,
) -> SourceReport:
    """Write the scan, or hold the source when its removals need an admin; after a clean
    write, record the source's manifest (``catalog/source_manifest.py``)."""
    scan, reads_others = read
    with writer(run.engine).begin() as conn:
        lock_source(conn, scan.source)
        generation = catalog_generation(conn)  # before planning: later writes bump it
        plan = plan_changes(conn, scan, adoptable=adoptable)
        current = open_hold(conn, scan.source)
        hold = current if current is not None and current.reason == "removals" else None
        if _needs_admin(run.options, plan, hold):
            held = hold_removals(conn, scan.source, plan.withheld, run_id=run.id)
            forget_manifest(conn, scan.source)
            _log_hold(run.options, held)
            return _held_report(plan, HoldNotice.of(held))
        write_changes(conn, plan)
        generation += plan.changes_entities  # write_changes bumped it then
        plan.release_rows()
        report = plan.report()
        if hold is not None:
            ended = resolve_hold(conn, hold, _hold_ending(run.options, plan, hold))
            report = replace(report, hold=HoldNotice.of(ended))
        elif current is None:
            record_manifest(
                conn,
                source,
                plan,
                context=context,
                generation=generation,
                rules=_rules_of(run.options, source.name),
                with_placeholders=reads_others,
                adoptable=adoptable,
            )
        return report


def _needs_admin(options: SyncOptions, plan: ChangePlan, hold: Hold | None) -> bool:
    """Whether the plan removes more than the guard allows beyond what an admin confirmed."""
    source = plan.scan.source
    if not plan.removed or source in options.allow_removals:
        return False
    confirmed = set(hold.refs) if hold is not None and hold.confirmed_by else set()
    rules = _rules_of(options, source)
    # What the catalog rules refuse goes as policy, not as a sign of a broken source: a
    # source whose trust was withdrawn loses its people at once.
    refused = {r for r in plan.removed if rules is not None and not rules.allows_kind(_kind(r))}
    unconfirmed = sum(1 for ref in plan.removed if ref not in confirmed and ref not in refused)
    return options.guard_of(source).holds(unconfirmed, plan.stored)


def _hold_ending(options: SyncOptions, plan: ChangePlan, hold: Hold) -> str:
    removed = f"{len(plan.removed)} removed"
    if plan.scan.source in options.allow_removals:
        return f"removals allowed by {options.allowed_by}; {removed}"
    if hold.confirmed_by:
        return f"removals confirmed by {hold.confirmed_by}; {removed}"
    return f"the source recovered: this sync is within the removal guard ({removed})"


def _held_report(plan: ChangePlan, notice: HoldNotice) -> SourceReport:
    """A held source's report: what was read and found, and nothing changed."""
    report = plan.report()
    return replace(
        report,
        status="held",
        added=[],
        updated=[],
        removed=[],
        adopted=[],
        unchanged=0,
        hold=notice,
    )


def _log_hold(options: SyncOptions, hold: Hold) -> None:
    guard = options.guard_of(hold.source)
    log.warning(
        "catalog source %r held: this sync would remove %d of its %d entities (%.0f%%; the "
        "guard holds above %.0f%% and %d); nothing of it changes until an admin confirms "
        "(greenroom sync --allow-removals %s, or /greenroom admin) or the source recovers",
        hold.source,
        hold.removing,
        hold.stored,
        hold.share * 100,
        guard.share * 100,
        guard.floor,
        hold.source,
    )


def _finish_run(run: _Run, reports: list[SourceReport], removed: list[HoldNotice]) -> SyncReport:
    changed = any(s.changed for s in reports) or any(n.resolution for n in removed)
    with run.engine.connect() as conn:
        dangling, total = _dangling_summary(conn, run.id, changed)
    report = SyncReport(
        trigger=run.options.trigger,
        started_at=run.started_at,
        finished_at=datetime.now(UTC),
        run_id=run.id,
        sources=reports,
        removed_sources=removed,
        dangling=dangling,
        dangling_total=total,
    )
    with writer(run.engine).begin() as conn:
        conn.execute(
            update(sync_runs)
            .where(sync_runs.c.id == run.id)
            .values(status=report.status, finished_at=report.finished_at, report=report.to_json())
        )
    return report


def _record_breakdown(run: _Run, error: BaseException) -> None:
    """The run broke off (a bug, the database, a signal): say so in its row. What the run
    had not committed was rolled back; the next sync reads every source again anyway."""
    interrupted = isinstance(error, Interrupted | KeyboardInterrupt)
    if isinstance(error, Interrupted):
        reason = f"interrupted: {error.reason}"
    elif isinstance(error, KeyboardInterrupt):
        reason = "interrupted: Ctrl-C"
    else:
        reason = f"{type(error).__name__}: {error}"[:1000]
    status = "interrupted" if interrupted else "failed"
    try:
        with writer(run.engine).begin() as conn:
            conn.execute(
                update(sync_runs)
                .where(sync_runs.c.id == run.id)
                .values(status=status, finished_at=datetime.now(UTC), report={"error": reason})
            )
    except Exception:
        log.exception("could not record the end of sync run %s", run.id)


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
    conn: Connection, run_id: int, changed: bool
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


def _kind(ref: str) -> str:
    return ref.partition(":")[0]
