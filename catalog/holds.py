"""Removals held for an admin, stored in ``source_holds`` so every process and the next sync
see them.

Two reasons, one life cycle:

- ``removals``: a sync would remove more of a source than ``catalog/removal_guard.py``
  allows. Nothing of that source changes until an admin confirms (then the next sync removes
  at most the refs held here) or the source recovers (a sync within the guard ends the hold).
- ``source_removed``: the source is no longer in greenroom.yaml. Its entities stay, listed as
  orphaned, until ``due_at`` or an admin's confirmation removes them, or it comes back.

A hold ends with a ``resolution`` (a sentence) and stays in the table as the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update

from catalog.database import as_utc, writer
from catalog.errors import CatalogError
from catalog.tables import source_holds

__all__ = [
    "EXAMPLES",
    "Hold",
    "HoldChanged",
    "HoldNotice",
    "HoldReason",
    "NothingHeld",
    "Withheld",
    "confirm_hold",
    "hold_removals",
    "hold_removed_source",
    "list_open_holds",
    "open_hold",
    "resolve_hold",
]

HoldReason = Literal["removals", "source_removed"]
#: Refs a notice shows (the hold keeps them all).
EXAMPLES = 10


@dataclass(frozen=True, slots=True)
class Withheld:
    """What a held sync would have done to its source."""

    removing: tuple[str, ...]
    stored: int
    adding: int = 0
    updating: int = 0


@dataclass(frozen=True, slots=True)
class Hold:
    """One row of ``source_holds``."""

    id: int
    source: str
    reason: HoldReason
    stored: int
    removing: int
    adding: int
    updating: int
    refs: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    resolution: str | None = None

    @property
    def share(self) -> float:
        """The share of the source the held removals are."""
        return self.removing / self.stored if self.stored else 0.0


@dataclass(frozen=True, slots=True)
class HoldNotice:
    """A hold as a sync report, the CLI and Slack show it (a few refs, not all)."""

    hold_id: int
    source: str
    reason: HoldReason
    stored: int
    removing: int
    adding: int
    updating: int
    since: str
    due: str | None
    confirmed_by: str | None
    examples: tuple[str, ...]
    resolution: str | None = None

    @classmethod
    def of(cls, hold: Hold, *, resolution: str | None = None) -> HoldNotice:
        return cls(
            hold.id,
            hold.source,
            hold.reason,
            hold.stored,
            hold.removing,
            hold.adding,
            hold.updating,
            hold.created_at.isoformat(timespec="seconds"),
            hold.due_at.isoformat(timespec="seconds") if hold.due_at else None,
            hold.confirmed_by,
            hold.refs[:EXAMPLES],
            resolution or hold.resolution,
        )

    @property
    def share(self) -> float:
        return self.removing / self.stored if self.stored else 0.0


class NothingHeld(CatalogError):
    """An admin confirmed removals for a source that has none waiting."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(f"Catalog source {source!r} has no removals waiting for a confirmation.")


class HoldChanged(CatalogError):
    """An admin confirmed a notice that a newer sync replaced; ``current`` is the open hold."""

    def __init__(self, current: Hold) -> None:
        self.current = current
        super().__init__(
            f"That notice is out of date: catalog source {current.source!r} now would remove "
            f"{current.removing} of {current.stored} entities. Check the new numbers and "
            "confirm again."
        )


def list_open_holds(conn: Connection) -> list[Hold]:
    """Every hold waiting for an admin, oldest first."""
    query = select(source_holds).where(source_holds.c.resolved_at.is_(None))
    return [_hold(row) for row in conn.execute(query.order_by(source_holds.c.id))]


def open_hold(conn: Connection, source: str) -> Hold | None:
    """The source's open hold, if any."""
    row = conn.execute(
        select(source_holds).where(
            source_holds.c.source == source, source_holds.c.resolved_at.is_(None)
        )
    ).first()
    return _hold(row) if row is not None else None


def hold_removals(conn: Connection, source: str, withheld: Withheld, *, run_id: int | None) -> Hold:
    """Hold the source; the same removals as the open hold keep it (and its confirmations)."""
    now = datetime.now(UTC)
    current = open_hold(conn, source)
    counts = {
        "stored": withheld.stored,
        "removing": len(withheld.removing),
        "adding": withheld.adding,
        "updating": withheld.updating,
        "run_id": run_id,
        "updated_at": now,
    }
    same = current is not None and set(current.refs) == set(withheld.removing)
    if current is not None and current.reason == "removals" and same:
        _update(conn, current.id, counts)
        return _reload(conn, current.id)
    if current is not None:
        resolve_hold(conn, current, "replaced by a newer hold with other removals")
    values = counts | {"source": source, "reason": "removals", "created_at": now}
    return _insert(conn, values | {"refs": sorted(withheld.removing)})


def hold_removed_source(
    conn: Connection, source: str, *, stored: int, grace: timedelta, run_id: int | None
) -> Hold:
    """Record (or refresh) that ``source`` left greenroom.yaml with ``stored`` entities; they
    are due for removal ``grace`` after it was first noticed (as configured now)."""
    now = datetime.now(UTC)
    counts = {"stored": stored, "removing": stored, "run_id": run_id, "updated_at": now}
    current = open_hold(conn, source)
    if current is not None and current.reason == "source_removed":
        _update(conn, current.id, counts | {"due_at": current.created_at + grace})
        return _reload(conn, current.id)
    if current is not None:
        resolve_hold(conn, current, "the source was removed from greenroom.yaml")
    values = counts | {"source": source, "reason": "source_removed", "created_at": now}
    return _insert(conn, values | {"adding": 0, "updating": 0, "due_at": now + grace})


def resolve_hold(conn: Connection, hold: Hold, resolution: str) -> Hold:
    """End a hold, saying how."""
    now = datetime.now(UTC)
    _update(conn, hold.id, {"resolved_at": now, "resolution": resolution})
    return _reload(conn, hold.id)


def confirm_hold(engine: Engine, source: str, *, by: str, hold_id: int | None = None) -> Hold:
    """Record that ``by`` allows the removals held for ``source`` (the open hold, or exactly
    hold ``hold_id``); the next sync of the source applies them."""
    with writer(engine).begin() as conn:
        current = open_hold(conn, source)
        if current is None:
            raise NothingHeld(source)
        if hold_id is not None and current.id != hold_id:
            raise HoldChanged(current)
        if current.confirmed_by is None:
            _update(conn, current.id, {"confirmed_by": by[:255], "confirmed_at": datetime.now(UTC)})
        return _reload(conn, current.id)


def _insert(conn: Connection, values: dict[str, Any]) -> Hold:
    hold_id = conn.execute(
        insert(source_holds).values(values).returning(source_holds.c.id)
    ).scalar_one()
    return _reload(conn, hold_id)


def _update(conn: Connection, hold_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(source_holds).where(source_holds.c.id == hold_id).values(values))


def _reload(conn: Connection, hold_id: int) -> Hold:
    row = conn.execute(select(source_holds).where(source_holds.c.id == hold_id)).one()
    return _hold(row)


def _hold(row: Any) -> Hold:
    refs: Sequence[str] = row.refs or ()
    return Hold(
        id=row.id,
        source=row.source,
        reason=row.reason,
        stored=row.stored,
        removing=row.removing,
        adding=row.adding,
        updating=row.updating,
        refs=tuple(refs),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        due_at=as_utc(row.due_at) if row.due_at else None,
        confirmed_by=row.confirmed_by,
        confirmed_at=as_utc(row.confirmed_at) if row.confirmed_at else None,
        resolution=row.resolution,
    )
