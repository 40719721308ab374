"""Collecting KPIs: every configured source asked about every catalog entity it applies to,
for the last ``backfill_days`` complete days, and the answers stored.

A source that fails keeps its earlier values (nothing is deleted for it); a source that
answers replaces its values for the days it covered, and its list of gaps (the entities it
could not read, with the reason). Values past ``retention_days`` are pruned.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, and_, delete, select

from catalog.annotations import SOURCE_LOCATION
from catalog.database import insert_many, one_of, writer
from catalog.refs import EntityRef
from catalog.store import Catalog
from catalog.tables import entities
from integrations.kpis.config import (
    GitHubSecurityConfig,
    GitLabSecurityConfig,
    KpiSourceConfig,
    KpisSettings,
    OpenCostConfig,
    OpsgenieConfig,
    PagerDutyConfig,
    PrometheusConfig,
    SonarQubeConfig,
)
from integrations.kpis.model import KpiEntity, KpiSource, SourceReport
from integrations.kpis.opencost import OpenCostSource
from integrations.kpis.opsgenie import OpsgenieSource
from integrations.kpis.pagerduty import PagerDutySource
from integrations.kpis.prometheus import PrometheusSource
from integrations.kpis.security import GitHubSecuritySource, GitLabSecuritySource
from integrations.kpis.sonarqube import SonarQubeSource
from integrations.kpis.tables import kpi_gaps, kpi_values

__all__ = [
    "KPI_KINDS",
    "CollectReport",
    "build_source",
    "collect_kpis",
    "load_kpi_entities",
    "prune_kpis",
]

#: The kinds KPIs are collected for.
KPI_KINDS = ("component", "resource", "system")


@dataclass
class CollectReport:
    """What one collection did, per source."""

    days: tuple[date, ...]
    entities: int
    sources: list[SourceReport] = field(default_factory=list)
    stored: int = 0
    pruned: int = 0
    readings: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.failure]

    def summary(self) -> dict[str, object]:
        return {
            "days": [d.isoformat() for d in self.days],
            "entities": self.entities,
            "stored": self.stored,
            "pruned": self.pruned,
            "readings": self.readings,
            "seconds": round(self.seconds, 2),
            "sources": [s.summary() for s in self.sources],
        }


def build_source(
    config: KpiSourceConfig, *, transport: httpx.BaseTransport | None = None
) -> KpiSource:
    """The adapter for one configured source."""
    if isinstance(config, PagerDutyConfig):
        return PagerDutySource(config, transport=transport)
    if isinstance(config, OpenCostConfig):
        return OpenCostSource(config, transport=transport)
    if isinstance(config, OpsgenieConfig):
        return OpsgenieSource(config, transport=transport)
    if isinstance(config, GitHubSecurityConfig):
        return GitHubSecuritySource(config, transport=transport)
    if isinstance(config, GitLabSecurityConfig):
        return GitLabSecuritySource(config, transport=transport)
    if isinstance(config, PrometheusConfig):
        return PrometheusSource(config, transport=transport)
    if isinstance(config, SonarQubeConfig):
        return SonarQubeSource(config, transport=transport)
    raise TypeError(f"unknown KPI source config {type(config).__name__}")


def load_kpi_entities(catalog: Catalog) -> list[KpiEntity]:
    """Every component, resource and system with its owner and annotations, in one query."""
    query = select(entities.c.ref, entities.c.owner_ref, entities.c.document).where(
        entities.c.kind.in_(KPI_KINDS)
    )
    found = []
    with catalog.engine.connect() as conn:
        for row in conn.execute(query):
            document = json.loads(row.document)
            metadata = document.get("metadata") or {}
            annotations = metadata.get("annotations") or {}
            found.append(
                KpiEntity(
                    ref=_ref(row.ref),
                    owner=_ref(row.owner_ref) if row.owner_ref else None,
                    annotations={str(k): str(v) for k, v in annotations.items()},
                    source_location=annotations.get(SOURCE_LOCATION),
                )
            )
    return sorted(found, key=lambda e: e.ref)


def collect_kpis(
    engine: Engine,
    catalog: Catalog,
    settings: KpisSettings,
    *,
    today: date | None = None,
    days: int | None = None,
    sources: Sequence[KpiSource] | None = None,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
) -> CollectReport:
    """Ask every source about the ``days`` (default ``backfill_days``) complete days before
    ``today`` (UTC) and store what they answer; a failed source keeps its earlier values."""
    started = time.monotonic()
    today = today or datetime.now(UTC).date()
    count = days or settings.backfill_days
    span = tuple(today - timedelta(days=n) for n in range(count, 0, -1))
    targets = load_kpi_entities(catalog)
    built = sources is None
    active = (
        list(sources)
        if sources is not None
        else [build_source(c, transport=(transports or {}).get(c.name)) for c in settings.sources]
    )
    report = CollectReport(span, len(targets))
    try:
        for source in active:
            answer = source.fetch(targets, span)
            report.sources.append(answer)
            if answer.failure is None:
                report.stored += store_report(engine, answer)
    finally:
        if built:
            for source in active:
                source.close()
    report.pruned = prune_kpis(engine, settings.retention_days, today=today)
    if report.stored:
        from integrations.kpis.catalogue import configured_kpis
        from integrations.kpis.readings import refresh_readings

        specs = list(configured_kpis(settings).values()) or [
            s for source in active for s in source.kpis
        ]
        report.readings = refresh_readings(
            engine, catalog, specs, today=span[-1], window_days=settings.window_days
        )
    report.seconds = time.monotonic() - started
    return report


def store_report(engine: Engine, report: SourceReport) -> int:
    """Replace the source's values for the days it answered and its gaps; returns values stored."""
    now = datetime.now(UTC)
    covered = sorted({v.day for v in report.values})
    rows: list[dict[str, Any]] = [
        {
            "entity_ref": str(v.entity),
            "kpi": v.kpi,
            "day": v.day,
            "value": v.value,
            "source": report.source,
            "collected_at": now,
        }
        for v in report.values
    ]
    with writer(engine).begin() as conn:
        if covered:
            conn.execute(
                delete(kpi_values).where(
                    and_(
                        kpi_values.c.source == report.source,
                        kpi_values.c.day >= covered[0],
                        kpi_values.c.day <= covered[-1],
                        kpi_values.c.kpi.in_(report.kpis),
                    )
                )
            )
        # another source may have written the same entity, KPI and day (an entity with both
        # a GitHub and a GitLab repository): the later source's value wins
        unique = {(r["entity_ref"], r["kpi"], r["day"]): r for r in rows}
        if unique:
            refs = sorted({r["entity_ref"] for r in rows})
            conn.execute(
                delete(kpi_values).where(
                    kpi_values.c.kpi.in_(report.kpis),
                    kpi_values.c.day >= covered[0],
                    kpi_values.c.day <= covered[-1],
                    one_of(kpi_values.c.entity_ref, refs, conn.dialect.name),
                )
            )
        if unique:
            insert_many(conn, kpi_values, list(unique.values()))
        conn.execute(delete(kpi_gaps).where(kpi_gaps.c.source == report.source))
        if report.gaps:
            insert_many(
                conn,
                kpi_gaps,
                [
                    {
                        "entity_ref": str(ref),
                        "source": report.source,
                        "reason": reason[:2000],
                        "seen_at": now,
                    }
                    for ref, reason in sorted(report.gaps.items())
                ],
            )
    return len(unique)


def prune_kpis(engine: Engine, retention_days: int, *, today: date | None = None) -> int:
    """Delete daily values older than ``retention_days``; returns how many."""
    today = today or datetime.now(UTC).date()
    with writer(engine).begin() as conn:
        result = conn.execute(
            delete(kpi_values).where(kpi_values.c.day < today - timedelta(days=retention_days))
        )
    return int(result.rowcount or 0)


def _ref(text: str) -> EntityRef:
    kind, _, rest = text.partition(":")
    namespace, _, name = rest.partition("/")
    return EntityRef(kind, namespace, name)
