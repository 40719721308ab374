"""Prometheus: custom KPIs, one PromQL query per entity and KPI, with the entity's facts
filled into ``$entity``, ``$namespace``, ``$kubernetes_id``, ``$service_id`` (escaped for a
PromQL string, so a catalog value cannot change the query's shape).

A query is evaluated at the end of each day (an instant query), or, with ``range_hours``,
over the hours before it and averaged. An entity lacking a placeholder's value is not asked;
an empty result is a gap ("no series"), never zero.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from string import Template
from typing import Any

import httpx

from catalog.annotations import KUBERNETES_ID, KUBERNETES_NAMESPACE
from integrations.kpis._http import JsonApi
from integrations.kpis.config import CustomKpiConfig, PrometheusConfig
from integrations.kpis.errors import KpiSourceDown, KpiSourceFailed
from integrations.kpis.model import KpiEntity, KpiSpec, KpiValue, SourceReport
from integrations.kpis.pagerduty import SERVICE_ID

__all__ = ["PrometheusSource", "render_query"]

_PLACEHOLDER = re.compile(r"\$\{?([a-z_]+)\}?")


def render_query(template: str, entity: KpiEntity) -> str | None:
    """The query for ``entity``, or None when it lacks a value the template needs."""
    facts = {
        "entity": entity.name,
        "namespace": entity.annotation(KUBERNETES_NAMESPACE),
        "kubernetes_id": entity.annotation(KUBERNETES_ID),
        "service_id": entity.annotation(SERVICE_ID),
    }
    needed = set(_PLACEHOLDER.findall(template))
    if any(facts.get(name) is None for name in needed):
        return None
    escaped = {k: _escape(v) for k, v in facts.items() if v is not None}
    return Template(template).safe_substitute(escaped)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'").replace("\n", " ")


class PrometheusSource:
    """Each configured custom KPI, per entity and day."""

    def __init__(
        self,
        config: PrometheusConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name = config.name
        self.config = config
        self._now = now
        headers = {}
        if config.token is not None:
            headers["Authorization"] = f"Bearer {config.token.get_secret_value()}"
        self.api = JsonApi.for_source(
            config,
            what="Prometheus",
            base_url=config.url.rstrip("/") + "/api/v1",
            headers=headers,
            sleep=sleep,
            transport=transport,
        )

    @property
    def kpis(self) -> tuple[KpiSpec, ...]:
        return tuple(custom_spec(k) for k in self.config.kpis)

    def close(self) -> None:
        self.api.close()

    def fetch(self, entities: Sequence[KpiEntity], days: Sequence[date]) -> SourceReport:
        report = SourceReport(self.name, tuple(k.name for k in self.config.kpis))
        jobs: list[tuple[KpiEntity, CustomKpiConfig, str, date]] = []
        asked = set()
        for entity in entities:
            for kpi in self.config.kpis:
                query = render_query(kpi.query, entity)
                if query is None:
                    continue
                asked.add(entity.ref)
                jobs.extend((entity, kpi, query, day) for day in days)
        report.asked = len(asked)
        if not jobs:
            return report
        fatal: list[str] = []

        def run(job: tuple[KpiEntity, CustomKpiConfig, str, date]) -> float | str:
            if fatal:
                return "not read: the source failed"
            _, kpi, query, day = job
            try:
                return self._value(kpi, query, day)
            except KpiSourceDown as error:
                fatal.append(error.user_message)
                return error.user_message
            except KpiSourceFailed as error:
                return error.user_message

        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix=self.name) as pool:
            answers = list(pool.map(run, jobs))
        if fatal:
            report.failure = fatal[0]
            report.requests = self.api.requests
            return report
        for (entity, kpi, _, day), answer in zip(jobs, answers, strict=True):
            if isinstance(answer, str):
                report.gaps[entity.ref] = f"{kpi.name}: {answer}"
            else:
                report.values.append(KpiValue(entity.ref, kpi.name, day, answer))
        report.requests = self.api.requests
        return report

    def _value(self, kpi: CustomKpiConfig, query: str, day: date) -> float | str:
        end = min(datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC), self._now())
        if kpi.range_hours is None:
            body = self.api.json(
                "query", params={"query": query, "time": f"{end.timestamp():.3f}"}, doing=kpi.name
            )
            samples = [s.get("value") for s in _result(body, kpi.name)]
        else:
            start = end - timedelta(hours=kpi.range_hours)
            step = max(60.0, kpi.range_hours * 3600 / 200)
            body = self.api.json(
                "query_range",
                params={
                    "query": query,
                    "start": f"{start.timestamp():.3f}",
                    "end": f"{end.timestamp():.3f}",
                    "step": f"{step:.0f}",
                },
                doing=kpi.name,
            )
            samples = [v for s in _result(body, kpi.name) for v in s.get("values") or []]
        numbers = [n for n in (_number(s) for s in samples) if n is not None]
        if not numbers:
            return "the query returned no series"
        if kpi.range_hours is None:
            return round(math.fsum(numbers), 6)
        return round(math.fsum(numbers) / len(numbers), 6)


def custom_spec(kpi: CustomKpiConfig) -> KpiSpec:
    """The KpiSpec of a configured custom KPI."""
    return KpiSpec(
        kpi.name,
        kpi.title or kpi.name,
        unit=kpi.unit,
        better=kpi.better,
        over_time="last",
        over_entities=kpi.rollup,
        decimals=2,
    )


def _result(body: Any, doing: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error") if isinstance(body, dict) else None
        raise KpiSourceFailed(f"Prometheus refused {doing}: {error or 'no success status'}")
    data = body.get("data") or {}
    result = data.get("result")
    if data.get("resultType") == "scalar" and isinstance(result, list):
        return [{"value": result}]
    return [r for r in result or [] if isinstance(r, dict)]


def _number(sample: object) -> float | None:
    if not isinstance(sample, list) or len(sample) != 2:
        return None
    try:
        value = float(sample[1])
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
