"""Reading and writing the last good answers (``delivery_snapshots``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, delete, insert, select

from catalog.database import as_utc, one_of, reader, writer
from integrations.delivery.tables import delivery_snapshots

__all__ = ["load_snapshot", "load_snapshots", "save_snapshot"]

M = TypeVar("M", bound=BaseModel)


def save_snapshot(engine: Engine, subject: str, view: str, answer: BaseModel, at: datetime) -> None:
    """Keep ``answer`` as the last good one for ``subject`` and ``view``."""
    table = delivery_snapshots
    row = {
        "subject": subject[:600],
        "view": view,
        "payload": answer.model_dump(mode="json"),
        "fetched_at": at,
    }
    with writer(engine).begin() as conn:
        conn.execute(delete(table).where(table.c.subject == row["subject"], table.c.view == view))
        conn.execute(insert(table), [row])


def load_snapshot(
    engine: Engine, subject: str, view: str, model: type[M]
) -> tuple[M, datetime] | None:
    """The last good answer and when it was read, or None (also for one of an older shape)."""
    table = delivery_snapshots
    query = select(table.c.payload, table.c.fetched_at).where(
        table.c.subject == subject[:600], table.c.view == view
    )
    with reader(engine).connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    try:
        return model.model_validate(row.payload), as_utc(row.fetched_at)
    except ValidationError:
        return None


def load_snapshots(
    engine: Engine, subjects: Collection[str], view: str, model: type[M]
) -> dict[str, M]:
    """The last good answers of many subjects (the team page)."""
    if not subjects:
        return {}
    table = delivery_snapshots
    with reader(engine).connect() as conn:
        query = select(table.c.subject, table.c.payload).where(
            table.c.view == view, one_of(table.c.subject, list(subjects), conn.dialect.name)
        )
        rows = conn.execute(query).all()
    found: dict[str, M] = {}
    for row in rows:
        try:
            found[row.subject] = model.model_validate(row.payload)
        except ValidationError:
            continue
    return found
