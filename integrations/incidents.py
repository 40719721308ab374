"""Open problems per entity, each told once when it appears and once when it clears: the
once-only rule shared by the Kubernetes sweep and the pipelines sweep.

A problem is stored in a table of this shape (``k8s_problems``, ``pipeline_problems``):
``entity_ref, key, <scope>, severity, finding, first_seen, last_seen, misses``. ``key`` is a
digest of the problem's stable identity; ``scope`` is where it was seen (a cluster, an Airflow)
and only a scope that answered this time can clear it, so an outage resolves nothing. A problem
is resolved after ``resolve_after`` checks in a row without it. The caller commits the changes
before it tells anyone: a message that fails is not sent twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from catalog import EntityRef
from catalog.database import as_utc, one_of

__all__ = [
    "Change",
    "Observation",
    "Problem",
    "ProblemChange",
    "digest",
    "forget_entities",
    "record_problems",
]


class Change(StrEnum):
    """What a notification announces."""

    NEW = "new"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem as seen now: identity, where, how bad, and its JSON for the message."""

    key: str
    scope: str
    severity: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Observation:
    """What one check saw of one entity: its problems, and which scopes answered."""

    problems: tuple[Problem, ...]
    answered: frozenset[str]


@dataclass(frozen=True, slots=True)
class ProblemChange:
    """A problem that appeared (``data`` as seen now) or cleared (``data`` as last seen)."""

    change: Change
    entity: EntityRef
    data: dict[str, Any]
    first_seen: datetime


def digest(key: str) -> str:
    """The stored key: a problem's identity can be longer than a column."""
    return hashlib.sha256(key.encode()).hexdigest()


def record_problems(
    conn: Connection,
    table: Table,
    observed: Mapping[EntityRef, Observation],
    *,
    now: datetime,
    resolve_after: int,
    scope_column: str = "cluster",
) -> list[ProblemChange]:
    """Store what each entity's check saw; return what appeared and what cleared."""
    refs = [str(r) for r in observed]
    open_rows: dict[str, dict[str, Any]] = defaultdict(dict)
    if refs:
        query = select(table).where(one_of(table.c.entity_ref, refs, conn.dialect.name))
        for row in conn.execute(query):
            open_rows[row.entity_ref][row.key] = row
    changes: list[ProblemChange] = []
    new_rows = []
    for ref, seen in observed.items():
        rows = open_rows.get(str(ref), {})
        current = {digest(p.key): p for p in seen.problems}
        for key, problem in current.items():
            where = (table.c.entity_ref == str(ref)) & (table.c.key == key)
            if key in rows:
                conn.execute(
                    update(table)
                    .where(where)
                    .values(
                        finding=problem.data, severity=problem.severity, last_seen=now, misses=0
                    )
                )
            else:
                new_rows.append(_row(ref, key, problem, now, scope_column))
                changes.append(ProblemChange(Change.NEW, ref, problem.data, now))
        for key, row in rows.items():
            if key in current or getattr(row, scope_column) not in seen.answered:
                continue
            where = (table.c.entity_ref == str(ref)) & (table.c.key == key)
            if row.misses + 1 >= resolve_after:
                conn.execute(delete(table).where(where))
                changes.append(
                    ProblemChange(Change.RESOLVED, ref, row.finding, as_utc(row.first_seen))
                )
            else:
                conn.execute(update(table).where(where).values(misses=row.misses + 1))
    if new_rows:
        conn.execute(insert(table), new_rows)
    return changes


def forget_entities(conn: Connection, table: Table, refs: Collection[str]) -> None:
    """Drop the open problems of entities no longer checked (removed from the catalog)."""
    if refs:
        conn.execute(delete(table).where(one_of(table.c.entity_ref, list(refs), conn.dialect.name)))


def _row(
    ref: EntityRef, key: str, problem: Problem, now: datetime, scope_column: str
) -> dict[str, Any]:
    return {
        "entity_ref": str(ref),
        "key": key,
        scope_column: problem.scope,
        "severity": problem.severity,
        "finding": problem.data,
        "first_seen": now,
        "last_seen": now,
        "misses": 0,
    }
