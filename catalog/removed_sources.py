"""Sources that left the configuration but still have entities in the catalog.

The same for every source type: the first sync that no longer lists a source holds its
entities (a ``source_removed`` hold, see ``catalog/holds.py``). They stay queryable and are
listed as orphaned in every sync report and in ``/greenroom admin`` until one of:

- an admin confirms (``greenroom sync --allow-removals SOURCE``, or the Slack button): removed
  at the next sync;
- the grace period (``catalog.removed_source_grace_days``) ends: removed by the next sync;
- the source comes back in greenroom.yaml, or a configured source takes its entities over
  (a renamed source): the hold ends and nothing is removed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select

from catalog.changes import bump_generation, lock_source
from catalog.database import writer
from catalog.holds import Hold, HoldNotice, hold_removed_source, list_open_holds, resolve_hold
from catalog.sync_options import SyncOptions
from catalog.tables import entities, relations, source_files, source_manifests

__all__ = ["removed_source_names", "review_removed_sources", "sources_with_entities"]

log = logging.getLogger(__name__)


def sources_with_entities(engine: Engine) -> frozenset[str]:
    """Every source that has entities in the catalog."""
    with engine.connect() as conn:
        return frozenset(conn.execute(select(entities.c.source).distinct()).scalars())


def removed_source_names(engine: Engine, options: SyncOptions) -> frozenset[str]:
    """Sources with entities in the catalog that the configuration no longer lists."""
    if options.configured is None:
        return frozenset()
    return sources_with_entities(engine) - options.configured


def review_removed_sources(
    engine: Engine, options: SyncOptions, *, run_id: int | None
) -> list[HoldNotice]:
    """Hold, remove or release removed sources; a notice for each (nothing for ad-hoc runs)."""
    configured = options.configured
    if configured is None:
        return []
    notices: list[HoldNotice] = []
    with writer(engine).begin() as conn:
        by_source = select(entities.c.source, func.count()).group_by(entities.c.source)
        counts: dict[str, int] = {name: int(n) for name, n in conn.execute(by_source)}
        for hold in list_open_holds(conn):
            if hold.reason == "source_removed" and (
                hold.source in configured or hold.source not in counts
            ):
                back = hold.source in configured
                why = "back in the configuration" if back else "no entities left"
                notices.append(HoldNotice.of(resolve_hold(conn, hold, why)))
        for source in sorted(set(counts) - configured):
            notices.append(_review(conn, source, counts[source], options, run_id))
        leftovers = source_files.c.source.not_in(sorted(configured | set(counts)))
        conn.execute(delete(source_files).where(leftovers))
    return notices


def _review(
    conn: Connection, source: str, count: int, options: SyncOptions, run_id: int | None
) -> HoldNotice:
    lock_source(conn, source)
    grace = options.removed_source_grace
    hold = hold_removed_source(conn, source, stored=count, grace=grace, run_id=run_id)
    reason = _removal_reason(hold, options)
    if reason is None:
        log.warning(
            "catalog source %r is no longer configured; its %d entities are kept until %s "
            "unless an admin confirms the removal (greenroom sync --allow-removals %s)",
            source,
            count,
            hold.due_at.isoformat(timespec="minutes") if hold.due_at else "an admin confirms",
            source,
        )
        return HoldNotice.of(hold)
    _remove_entities_of(conn, source)
    log.warning("catalog source %r: %d entities %s", source, count, reason)
    return HoldNotice.of(resolve_hold(conn, hold, reason))


def _removal_reason(hold: Hold, options: SyncOptions) -> str | None:
    if hold.source in options.allow_removals:
        return f"removed: allowed by {options.allowed_by}"
    if hold.confirmed_by:
        return f"removed: confirmed by {hold.confirmed_by}"
    if hold.due_at is not None and hold.due_at <= datetime.now(UTC):
        return "removed: the grace period ended without a confirmation"
    return None


def _remove_entities_of(conn: Connection, source: str) -> None:
    refs = select(entities.c.ref).where(entities.c.source == source)
    conn.execute(delete(relations).where(relations.c.origin.in_(refs)))
    conn.execute(delete(entities).where(entities.c.source == source))
    conn.execute(delete(source_files).where(source_files.c.source == source))
    conn.execute(delete(source_manifests).where(source_manifests.c.source == source))
    bump_generation(conn)
