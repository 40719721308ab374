"""A source's manifest: knowing that nothing changed without reading every file's row.

After a sync that applied cleanly, the manifest records what the source read (a digest of its
files' and folders' stamps, or its git commit: ``WatchedSource``), everything else the result
depends on (the rules, YAML limits, adoptable sources and the catalog code: the
``context``; the catalog's generation, which every write of any entity bumps), and the report
that a sync finding all of it unchanged gives. That report is not guessed: the next run is
planned from the rows just written, as the next sync would read them, and recorded only when
that plan changes nothing. The next sync compares digest, context and generation, checks that
no hold is open, and returns that report without loading the source's file rows, parsing,
planning or writing. Any difference and it takes the full path; any write of the source's rows
forgets the manifest (``changes.write_changes``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from catalog.changes import ChangePlan, FileRow, SourceScan, plan_changes
from catalog.entity_rows import PreparedEntity
from catalog.holds import open_hold
from catalog.rules import SourceRules
from catalog.sources import CatalogSource, PreviousFile, Problem, ScannedFile, content_hash
from catalog.sources.base import WatchedSource
from catalog.sync_report import Conflict, SourceReport
from catalog.tables import catalog_state, entities, source_manifests
from catalog.yaml_reader import YamlLimits

__all__ = [
    "catalog_generation",
    "forget_manifest",
    "manifest_context",
    "record_manifest",
    "unchanged_report",
]


@functools.cache
def _code_version() -> str:
    """greenroom's catalog code as installed: a new version may read the same files otherwise."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: stands for a file row once ``_next_scan`` took what it needs from it
_DROPPED = FileRow("", "", "", "", [], [])


@dataclass(frozen=True)
class _Manifest:
    context: str
    digest: str
    paths: list[str]
    generation: int
    report: SourceReport


def manifest_context(
    rules: SourceRules | None, limits: YamlLimits, adoptable: frozenset[str]
) -> str:
    """What besides its files decides a source's result."""
    parts = [
        rules.fingerprint if rules is not None else "",
        repr(limits),
        "\0".join(sorted(adoptable)),
        _code_version(),
    ]
    return content_hash("\n".join(parts).encode())


def catalog_generation(conn: Connection) -> int:
    """The catalog's generation (0 before the first write)."""
    query = select(catalog_state.c.value).where(catalog_state.c.key == "generation")
    return int(conn.execute(query).scalar() or 0)


def unchanged_report(engine: Engine, source: CatalogSource, context: str) -> SourceReport | None:
    """The recorded report when nothing the source's result depends on changed, else None."""
    if not isinstance(source, WatchedSource):
        return None
    with engine.connect() as conn:
        manifest = _load(conn, source.name)
    if manifest is None or manifest.context != context:
        return None
    if source.current_digest(manifest.paths) != manifest.digest:
        return None
    with engine.connect() as conn:  # after the files: what changes meanwhile shows here
        if catalog_generation(conn) != manifest.generation:
            return None
        if open_hold(conn, source.name) is not None:
            return None
    return manifest.report


def record_manifest(
    conn: Connection,
    source: CatalogSource,
    plan: ChangePlan,
    *,
    context: str,
    generation: int,
    rules: SourceRules | None,
    with_placeholders: set[str],
    adoptable: frozenset[str],
) -> bool:
    """After ``plan`` was written: record the source's manifest if the next sync, finding all
    as it is, would change nothing; say whether it was recorded. The plan's rows are used up
    (dropped as the next run is planned)."""
    if not isinstance(source, WatchedSource) or not plan.complete:
        return False
    state = source.observed_state()
    if state is None:
        return False
    scan = _next_scan(plan, _stored_of(conn, source.name, plan), rules, with_placeholders)
    if scan is None:
        return False
    previous = scan.previous
    following = plan_changes(conn, scan, adoptable=adoptable)
    if following.changes_entities or not _same_files(following.file_rows, previous):
        return False
    conn.execute(
        insert(source_manifests).values(
            source=source.name,
            context=context,
            digest=state.digest,
            paths=_packed(state.paths),
            generation=generation,
            report=json.dumps(asdict(following.report())),
            recorded_at=datetime.now(UTC),
        )
    )
    return True


def _stored_of(conn: Connection, source: str, plan: ChangePlan) -> set[str]:
    """Which of the refs in the plan's file rows the source now stores. Read against them,
    not as a set of its own: the source's refs as new strings cost 12 MB at 100k entities."""
    named = {ref for row in plan.file_rows for ref in row.refs}
    rows = conn.execute(select(entities.c.ref).where(entities.c.source == source)).scalars()
    if sum(1 for ref in rows if ref in named) == len(named):  # refs are unique: all stored
        return named
    rows = conn.execute(select(entities.c.ref).where(entities.c.source == source)).scalars()
    return named.intersection(rows)


def _next_scan(
    plan: ChangePlan, refs: set[str], rules: SourceRules | None, with_placeholders: set[str]
) -> SourceScan | None:
    """The scan the next sync makes when every file is as now (``FileReader``'s rules), from
    the file rows just written (of their entities, the source stores ``refs``); None when it
    cannot be told (a file it would parse that this sync did not).

    It consumes the plan: the written rows of files not parsed again are dropped as it goes,
    and each file row, once it became what the next sync finds, so that the next plan is
    built in the memory they held (the written rows are most of a full sync's peak)."""
    scan, rows = plan.scan, plan.file_rows
    row_of = {row.path: i for i, row in enumerate(rows)}
    previous: dict[str, PreviousFile] = {}
    files: list[ScannedFile] = []
    prepared: list[Sequence[PreparedEntity]] = []
    for i, scanned in enumerate(scan.files):
        prev = previous.get(scanned.path)
        if prev is None and scanned.path in row_of:
            row = rows[row_of[scanned.path]]
            prev = previous[scanned.path] = PreviousFile.of_row(
                row.content_hash,
                row.stamp,
                row.refs,
                row.problems,
                stored=refs,
                rules=rules,
            )
            rows[row_of[scanned.path]] = _DROPPED  # what it keeps lives on in ``prev.stored``
        written = scan.prepared[i]
        if not scanned.content_hash:  # not read (a Location's missing target): the same again
            files.append(scanned)
            prepared.append(written)
            continue
        reparse = scanned.follows_locations and any(
            r.startswith("location:") for r in (prev.refs if prev is not None else ())
        )
        if prev is not None and prev.content_hash and not reparse:
            files.append(
                ScannedFile(
                    scanned.path,
                    prev.content_hash,
                    unchanged=True,
                    refs=prev.refs,
                    problems=prev.problems,
                    stamp=scanned.stamp,
                    follows_locations=scanned.follows_locations,
                )
            )
            prepared.append(())
            if isinstance(written, list):
                written.clear()
        elif scanned.unchanged or scanned.path in with_placeholders:
            return None  # parsed next time: this sync did not parse it, or it reads other files
        else:
            files.append(scanned)  # parsed again, it yields the same
            prepared.append(written)
    rows.clear()
    return SourceScan(scan.source, files, prepared, previous, previous_is_all=True)


def _packed(paths: Sequence[str]) -> bytes:
    """The paths NUL-separated and zlib-compressed, a slice at a time (as one text, a large
    source's cost tens of MB at the sync's peak)."""
    packer = zlib.compressobj()
    chunks = []
    for start in range(0, len(paths), 2048):
        text = "\0".join(paths[start : start + 2048])
        chunks.append(packer.compress(f"\0{text}".encode() if start else text.encode()))
    chunks.append(packer.flush())
    return b"".join(chunks)


def _same_files(rows: Sequence[FileRow], previous: Mapping[str, PreviousFile]) -> bool:
    """Whether the file rows are the stored ones (stamps aside: they change no result)."""
    if len(rows) != len(previous):
        return False
    for row in rows:
        prev = previous.get(row.path)
        if prev is None or prev.stored is None:
            return False
        content, _stamp, refs, problems = prev.stored
        if (row.content_hash, row.refs, row.problems) != (content, refs, problems):
            return False
    return True


def _load(conn: Connection, source: str) -> _Manifest | None:
    row = conn.execute(select(source_manifests).where(source_manifests.c.source == source)).first()
    if row is None:
        return None
    paths = zlib.decompress(row.paths).decode()
    return _Manifest(
        row.context,
        row.digest,
        paths.split("\0") if paths else [],
        int(row.generation),
        _report_of(json.loads(row.report)),
    )


def _report_of(data: dict[str, Any]) -> SourceReport:
    data["problems"] = [Problem(**p) for p in data["problems"]]
    data["conflicts"] = [Conflict(**c) for c in data["conflicts"]]
    data["hold"] = None  # recorded only when no hold was open
    return replace(SourceReport(data.pop("name")), **data)


def forget_manifest(conn: Connection, source: str) -> None:
    """The source is held: no sync answers for it from a manifest until it is released."""
    conn.execute(delete(source_manifests).where(source_manifests.c.source == source))
