"""Delete rows that have outlived their use, by prune rules (see ``JobRegistry.add_prune_rule``).

Besides the registered rules, any table with an ``expires_at`` column is a cache by convention:
its rows go once they have expired (the Slack user-mapping cache, for one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
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

from catalog.database import writer
from jobs.registry import PruneRule
from jobs.runs import as_utc

__all__ = ["EXPIRES_AT", "expiry_rules", "prune"]

EXPIRES_AT = "expires_at"


def expiry_rules(engine: Engine) -> list[PruneRule]:
    """A rule for every table that has an ``expires_at`` column."""
    inspector = inspect(engine)
    return [
        PruneRule(f"{name}.{EXPIRES_AT}", name, EXPIRES_AT, timedelta(0))
        for name in sorted(inspector.get_table_names())
        if any(c["name"] == EXPIRES_AT for c in inspector.get_columns(name))
    ]


def prune(
    engine: Engine,
    rules: Iterable[PruneRule],
    *,
    now: datetime,
    retention_days: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Apply each rule whose table exists; returns rows deleted per rule name."""
    overrides = retention_days or {}
    existing = set(inspect(engine).get_table_names())
    deleted: dict[str, int] = {}
    for rule in rules:
        if rule.table not in existing:
            continue
        keep = timedelta(days=overrides[rule.name]) if rule.name in overrides else rule.retention
        with writer(engine).begin() as conn:
            deleted[rule.name] = conn.execute(_delete(rule, as_utc(now) - keep)).rowcount
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
    return column(name, DateTime(timezone=True)) if name == rule.column else column(name)
