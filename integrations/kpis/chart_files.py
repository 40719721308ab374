"""Which team KPI charts are uploaded: one row per team and readings fingerprint, so the
chart is drawn and uploaded once per generation of readings, by one process (a claim), and a
page view only reads a row. No Slack here: the file id is an opaque string to this module."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from catalog.database import reader, writer
from catalog.refs import EntityRef, parse_ref
from integrations.kpis.rollup import TeamKpis
from integrations.kpis.tables import kpi_charts

__all__ = [
    "ChartFile",
    "chart_file",
    "charted_groups",
    "claim_chart",
    "claimable",
    "finish_chart",
    "readings_fingerprint",
]

#: A claim older than this is taken to have died with its process and may be claimed again.
DRAWING_TIMEOUT = timedelta(minutes=5)
#: A failed upload (a missing scope, Slack down) is tried again after this long.
RETRY_FAILED = timedelta(hours=1)


@dataclass(frozen=True)
class ChartFile:
    """One team's chart for one fingerprint: drawing, ready (with its file) or failed."""

    state: str
    file_id: str | None
    problem: str | None
    at: datetime


def readings_fingerprint(kpis: TeamKpis) -> str:
    """A digest of everything the chart shows: new readings make a new chart, the same
    readings (every Home open until the next collection) reuse the uploaded one."""
    drawn = [
        str(kpis.team),
        kpis.day.isoformat(),
        kpis.window_days,
        [
            [spec.name, r.current, r.previous, [[d.isoformat(), v] for d, v in series]]
            for spec, r, series in kpis.readings
        ],
    ]
    return hashlib.sha256(json.dumps(drawn, default=str).encode()).hexdigest()


def chart_file(engine: Engine, group: EntityRef, fingerprint: str) -> ChartFile | None:
    """The chart row of ``group`` for ``fingerprint``, or None when nobody claimed it yet."""
    table = kpi_charts
    with reader(engine).connect() as conn:
        row = conn.execute(
            select(table.c.state, table.c.file_id, table.c.problem, table.c.at).where(
                table.c.group_ref == str(group), table.c.fingerprint == fingerprint
            )
        ).first()
    if row is None:
        return None
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return ChartFile(row.state, row.file_id, row.problem, at)


def charted_groups(engine: Engine) -> list[EntityRef]:
    """The groups whose chart was drawn (or tried) before: someone looks at them."""
    with reader(engine).connect() as conn:
        refs = conn.execute(select(kpi_charts.c.group_ref).distinct()).scalars().all()
    return sorted(parse_ref(r) for r in refs)


def claimable(found: ChartFile | None, *, now: datetime | None = None) -> bool:
    """Whether :func:`claim_chart` could win for this row: a view checks first, so views
    of a team whose chart is being drawn or failed lately write nothing."""
    now = now or datetime.now(UTC)
    if found is None:
        return True
    if found.state == "drawing":
        return found.at < now - DRAWING_TIMEOUT
    return found.state == "failed" and found.at < now - RETRY_FAILED


def claim_chart(
    engine: Engine, group: EntityRef, fingerprint: str, *, now: datetime | None = None
) -> bool:
    """True when this caller should draw and upload the chart: nobody claimed it, a claim
    died (older than DRAWING_TIMEOUT), or the last try failed over RETRY_FAILED ago."""
    now = now or datetime.now(UTC)
    table = kpi_charts
    key = and_(table.c.group_ref == str(group), table.c.fingerprint == fingerprint)
    try:
        with writer(engine).begin() as conn:
            conn.execute(
                insert(table).values(
                    group_ref=str(group), fingerprint=fingerprint, state="drawing", at=now
                )
            )
        return True
    except IntegrityError:
        pass
    stale = or_(
        and_(table.c.state == "drawing", table.c.at < now - DRAWING_TIMEOUT),
        and_(table.c.state == "failed", table.c.at < now - RETRY_FAILED),
    )
    with writer(engine).begin() as conn:
        taken = conn.execute(
            update(table)
            .where(key, stale)
            .values(state="drawing", file_id=None, problem=None, at=now)
        )
    return bool(taken.rowcount == 1)


def finish_chart(
    engine: Engine,
    group: EntityRef,
    fingerprint: str,
    *,
    file_id: str | None = None,
    problem: str | None = None,
) -> None:
    """Record the uploaded file (or why there is none) and forget the group's older charts."""
    table = kpi_charts
    state = "ready" if file_id else "failed"
    with writer(engine).begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.group_ref == str(group), table.c.fingerprint == fingerprint)
            .values(
                state=state,
                file_id=file_id,
                problem=(problem or None) and problem[:255],
                at=datetime.now(UTC),
            )
        )
        if file_id:
            conn.execute(
                delete(table).where(
                    table.c.group_ref == str(group), table.c.fingerprint != fingerprint
                )
            )
