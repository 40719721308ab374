"""Delete rows that have outlived their use, by prune rules (see ``JobRegistry.add_prune_rule``).

Besides the registered rules, any table with an ``expires_at`` (or ``expire_at``, as
slack_sdk's OAuth state store names it) column is a cache by convention: its rows go once
they have expired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnClause,
    DateTime,
    Delete,
    Engine,
    and_,
    column,
    delete,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy.sql.elements import ColumnElement

from catalog.database import as_utc, writer
from jobs.registry import PruneRule

__all__ = ["EXPIRY_COLUMNS", "expiry_rules", "prune"]

EXPIRY_COLUMNS = ("expires_at", "expire_at")


def expiry_rules(engine: Engine) -> list[PruneRule]:
    """A rule for every table that has an expiry column."""
    inspector = inspect(engine)
    rules = []
    for name in sorted(inspector.get_table_names()):
        columns = {c["name"] for c in inspector.get_columns(name)}
        for expiry in EXPIRY_COLUMNS:
            if expiry in columns:
                rules.append(PruneRule(f"{name}.{expiry}", name, expiry, timedelta(0)))
                break
    return rules


def prune(
    engine: Engine,
    rules: Iterable[PruneRule],
    *,
    now: datetime,
    retention_days: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Apply each rule whose table exists; returns rows deleted per rule name."""
    overrides = retention_days or {}
    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    deleted: dict[str, int] = {}
    for rule in rules:
        if rule.table not in existing:
            continue
        keep = timedelta(days=overrides[rule.name]) if rule.name in overrides else rule.retention
        cutoff = as_utc(now) - keep
        kind = next(
            c["type"] for c in inspector.get_columns(rule.table) if c["name"] == rule.column
        )
        if getattr(kind, "timezone", True) is False:  # a naive column holds UTC wall time
            cutoff = cutoff.astimezone(UTC).replace(tzinfo=None)
        with writer(engine).begin() as conn:
            deleted[rule.name] = conn.execute(_delete(rule, cutoff)).rowcount
    return deleted


def _delete(rule: PruneRule, cutoff: datetime) -> Delete:
    names = [rule.column] + ([rule.keep_latest_by] if rule.keep_latest_by else [])
    target = table(rule.table, *(_column(n, rule) for n in names))
    when = target.c[rule.column]
    condition: ColumnElement[bool] = when < cutoff
    if rule.keep_latest_by:
        newer = table(rule.table, *(_column(n, rule) for n in names)).alias("newest")
        group = rule.keep_latest_by
        newest = (
            select(func.max(newer.c[rule.column]))
            .where(newer.c[group].is_not_distinct_from(target.c[group]))
            .scalar_subquery()
        )
        condition = and_(condition, when < newest)
    return delete(target).where(condition)


def _column(name: str, rule: PruneRule) -> ColumnClause[Any]:
    return column(name, DateTime()) if name == rule.column else column(name)
