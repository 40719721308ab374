"""Thresholds: a team whose KPI crosses a configured line is told once; told again only when
it recovers or gets worse. What a team was last told is a row of ``kpi_alerts``; claiming a
change of that row is the one write that decides who posts (two workers never both tell).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from catalog.database import writer
from catalog.refs import EntityRef
from catalog.store import Catalog
from integrations.kpis.config import ThresholdConfig
from integrations.kpis.model import KpiSpec
from integrations.kpis.rollup import (
    EntityReading,
    _entity_readings,
    _group,
    last_complete_day,
    ownership,
)
from integrations.kpis.tables import kpi_alerts

__all__ = ["ThresholdNotice", "claim_notice", "release_notice", "threshold_notices"]

Change = Literal["crossed", "worse", "recovered"]


@dataclass(frozen=True, slots=True)
class ThresholdNotice:
    """What to tell a team: its KPI crossed a line, got worse beyond it, or recovered."""

    group: EntityRef
    display_name: str
    channel: str | None
    spec: KpiSpec
    threshold: ThresholdConfig
    change: Change
    value: float | None
    told: float | None
    worst: tuple[EntityReading, ...] = ()

    @property
    def line(self) -> str:
        """The line as words: "above 0" / "below 0.2"."""
        if self.threshold.above is not None:
            return f"above {self.spec.format(self.threshold.above)}"
        return f"below {self.spec.format(self.threshold.below)}"


def _crossed(threshold: ThresholdConfig, value: float) -> bool:
    if threshold.above is not None:
        return value > threshold.above
    return threshold.below is not None and value < threshold.below


def _worse(spec: KpiSpec, threshold: ThresholdConfig, value: float, told: float) -> bool:
    if threshold.above is not None:
        return value > told
    return value < told


def threshold_notices(
    engine: Engine,
    catalog: Catalog,
    specs: Mapping[str, KpiSpec],
    thresholds: Sequence[ThresholdConfig],
    *,
    today: date | None = None,
    window_days: int = 30,
    team_channels: Mapping[str, str] | None = None,
) -> list[ThresholdNotice]:
    """The notices due now, for every group with entities, per configured threshold."""
    today = today or last_complete_day()
    owned = ownership(catalog)
    tree = owned.tree
    with engine.connect() as conn:
        told = {(r.group_ref, r.kpi): r.value for r in conn.execute(select(kpi_alerts))}
    notices: list[ThresholdNotice] = []
    for threshold in thresholds:
        spec = specs.get(threshold.kpi)
        if spec is None:
            continue
        readings = _entity_readings(engine, spec, None, today, window_days)
        by_group: dict[EntityRef, list[EntityReading]] = defaultdict(list)
        counts: dict[EntityRef, int] = defaultdict(int)
        for ref, owner in owned.owners.items():
            for group in owned.credited(owner):
                if group not in tree.groups:
                    continue
                counts[group] += 1
                if ref in readings:
                    by_group[group].append(readings[ref])
        for group in sorted(counts):
            node = tree.groups[group]
            reading = _group(spec, group, node.display_name, by_group[group], counts[group], 3)
            before = told.get((str(group), spec.name))
            change: Change | None = None
            if reading.current is not None and _crossed(threshold, reading.current):
                if before is None:
                    change = "crossed"
                elif _worse(spec, threshold, reading.current, before):
                    change = "worse"
            elif before is not None and reading.current is not None:
                change = "recovered"
            if change is None:
                continue
            channel = node.slack_channel or (team_channels or {}).get(str(group))
            notices.append(
                ThresholdNotice(
                    group,
                    node.display_name,
                    channel,
                    spec,
                    threshold,
                    change,
                    reading.current,
                    before,
                    reading.worst,
                )
            )
    return notices


def claim_notice(engine: Engine, notice: ThresholdNotice) -> bool:
    """Record that ``notice`` is being told; False when another run already did."""
    table = kpi_alerts
    key = (table.c.group_ref == str(notice.group)) & (table.c.kpi == notice.spec.name)
    now = datetime.now(UTC)
    try:
        with writer(engine).begin() as conn:
            if notice.change == "crossed":
                conn.execute(
                    insert(table).values(
                        group_ref=str(notice.group),
                        kpi=notice.spec.name,
                        value=notice.value,
                        told_at=now,
                    )
                )
                return True
            if notice.change == "worse":
                done = conn.execute(
                    update(table)
                    .where(key, table.c.value == notice.told)
                    .values(value=notice.value, told_at=now)
                )
                return bool(done.rowcount)
            done = conn.execute(delete(table).where(key, table.c.value == notice.told))
            return bool(done.rowcount)
    except IntegrityError:
        return False


def release_notice(engine: Engine, notice: ThresholdNotice) -> None:
    """Undo a claim whose message could not be posted, so the next run tries again."""
    table = kpi_alerts
    key = (table.c.group_ref == str(notice.group)) & (table.c.kpi == notice.spec.name)
    with writer(engine).begin() as conn:
        if notice.change == "crossed":
            conn.execute(delete(table).where(key))
        elif notice.change == "worse" and notice.told is not None:
            conn.execute(update(table).where(key).values(value=notice.told))
        elif notice.told is not None:
            conn.execute(
                insert(table).values(
                    group_ref=str(notice.group),
                    kpi=notice.spec.name,
                    value=notice.told,
                    told_at=datetime.now(UTC),
                )
            )
