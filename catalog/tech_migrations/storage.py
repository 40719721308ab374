"""Writing an evaluation: only the results that changed, and today's snapshot per group
(replacing any earlier one of the same day)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from catalog.database import insert_many
from catalog.refs import EntityRef
from catalog.tech_migrations.group_tree import GroupTree
from catalog.tech_migrations.results import CheckFailure, EntityResult
from catalog.tech_migrations.tables import ALL_GROUPS, migration_results, migration_snapshots

__all__ = ["store_results", "store_snapshots"]


def store_results(
    conn: Connection, migration_id: str, results: list[EntityResult], now: datetime
) -> int:
    """Insert, update and delete results so the table matches ``results``; returns how many
    entities changed status (or appeared or left)."""
    table = migration_results
    existing = {
        row.entity_ref: row
        for row in conn.execute(
            select(table.c.entity_ref, table.c.owner_ref, table.c.status, table.c.failures).where(
                table.c.migration_id == migration_id
            )
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changed = 0
    # Many entities share an owner and the very same failures: each is written out once.
    owner_texts: dict[EntityRef | None, str | None] = {None: None}
    failure_texts: dict[tuple[CheckFailure, ...], str] = {(): "[]"}
    for result in results:
        key = str(result.ref)
        owner = owner_texts.get(result.owner)
        if owner is None and result.owner is not None:
            owner = owner_texts[result.owner] = str(result.owner)
        failures = failure_texts.get(result.failures)
        if failures is None:
            failures = failure_texts[result.failures] = _failures_json(result)
        old = existing.pop(key, None)
        if old is not None and (old.status, old.owner_ref, old.failures) == (
            result.status,
            owner,
            failures,
        ):
            continue
        row = {
            "migration_id": migration_id,
            "entity_ref": key,
            "owner_ref": owner,
            "status": result.status,
            "failures": failures,
        }
        if old is None:
            inserts.append(row | {"changed_at": now})
            changed += 1
        elif old.status != result.status:
            changed += 1
            updates.append(row | {"changed_at": now})
        else:
            updates.append(row)
    if inserts:
        insert_many(conn, table, inserts)
    for with_time in (True, False):
        batch = [u for u in updates if ("changed_at" in u) == with_time]
        if not batch:
            continue
        values: dict[str, Any] = {
            "owner_ref": bindparam("owner_ref"),
            "status": bindparam("status"),
        }
        values["failures"] = bindparam("failures")
        if with_time:
            values["changed_at"] = bindparam("changed_at")
        conn.execute(
            update(table)
            .where(
                table.c.migration_id == bindparam("b_migration"),
                table.c.entity_ref == bindparam("b_ref"),
            )
            .values(values),
            [u | {"b_migration": migration_id, "b_ref": u["entity_ref"]} for u in batch],
        )
    gone = sorted(existing)
    for start in range(0, len(gone), 500):
        conn.execute(
            delete(table).where(
                table.c.migration_id == migration_id,
                table.c.entity_ref.in_(gone[start : start + 500]),
            )
        )
    return changed + len(gone)


def _failures_json(result: EntityResult) -> str:
    return json.dumps(
        [f.to_json() for f in result.failures], ensure_ascii=False, separators=(",", ":")
    )


def store_snapshots(
    conn: Connection,
    migration_id: str,
    results: list[EntityResult],
    tree: GroupTree,
    day: date,
    now: datetime,
) -> None:
    """Done / total / errors for every group credited with each result, and for the whole."""
    counts: dict[str, list[int]] = {ALL_GROUPS: [0, 0, 0]}
    credited: dict[EntityRef | None, frozenset[EntityRef]] = {}
    for result in results:
        if result.owner not in credited:
            credited[result.owner] = tree.credited(result.owner)
        keys = [ALL_GROUPS, *(str(g) for g in credited[result.owner])]
        for key in keys:
            tally = counts.setdefault(key, [0, 0, 0])
            tally[0] += result.status == "pass"
            tally[1] += 1
            tally[2] += result.status == "error"
    conn.execute(
        delete(migration_snapshots).where(
            migration_snapshots.c.migration_id == migration_id, migration_snapshots.c.day == day
        )
    )
    conn.execute(
        insert(migration_snapshots),
        [
            {
                "migration_id": migration_id,
                "group_ref": key,
                "day": day,
                "done": done,
                "total": total,
                "errors": errors,
                "evaluated_at": now,
            }
            for key, (done, total, errors) in sorted(counts.items())
        ],
    )
