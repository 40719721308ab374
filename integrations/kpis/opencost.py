"""OpenCost: cloud cost per entity and day from the allocation API, aggregated by a label
(``label:app`` by default) or by namespace, whose value names the entity (its
``backstage.io/kubernetes-id`` by default).

One request covers every entity and day (``step=1d``); OpenCost has no auth and no paging.
A day on which OpenCost has no allocation for an entity's value is missing, not zero.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import httpx

from catalog.annotations import KUBERNETES_ID, KUBERNETES_NAMESPACE
from catalog.refs import EntityRef
from integrations.kpis._http import JsonApi
from integrations.kpis.config import OpenCostConfig
from integrations.kpis.errors import KpiSourceFailed
from integrations.kpis.model import BUILT_IN_KPIS, KpiEntity, KpiSpec, KpiValue, SourceReport

__all__ = ["OpenCostSource"]

_SPECIAL = {"__idle__", "__unallocated__", "__unmounted__"}


class OpenCostSource:
    """Daily ``cost`` (OpenCost's ``totalCost``) per entity."""

    def __init__(
        self,
        config: OpenCostConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self.config = config
        self.api = JsonApi.for_source(
            config,
            what="OpenCost",
            base_url=config.url,
            sleep=sleep,
            transport=transport,
        )

    @property
    def kpis(self) -> tuple[KpiSpec, ...]:
        return (BUILT_IN_KPIS["cost"],)

    def close(self) -> None:
        self.api.close()

    def key_of(self, entity: KpiEntity) -> str | None:
        """The aggregate value that names ``entity`` in OpenCost, if it has one."""
        if self.config.entity_key == "name":
            return entity.name
        if self.config.entity_key == "namespace":
            return entity.annotation(KUBERNETES_NAMESPACE)
        return entity.annotation(KUBERNETES_ID)

    def fetch(self, entities: Sequence[KpiEntity], days: Sequence[date]) -> SourceReport:
        report = SourceReport(self.name, ("cost",))
        by_key: dict[str, list[EntityRef]] = defaultdict(list)
        for entity in entities:
            key = self.key_of(entity)
            if key:
                by_key[key].append(entity.ref)
        report.asked = sum(len(v) for v in by_key.values())
        if not by_key or not days:
            return report
        start = datetime.combine(days[0], datetime.min.time(), UTC)
        end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), UTC)
        params = {
            "window": f"{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ}",
            "aggregate": self.config.aggregate,
            "step": "1d",
            "accumulate": "false",
        }
        try:
            body = self.api.json("allocation", params=params, doing="reading allocations")
            sets = body.get("data") if isinstance(body, dict) else None
            if not isinstance(sets, list):
                raise KpiSourceFailed("OpenCost answered without allocation data")
        except KpiSourceFailed as error:
            report.failure = error.user_message
            report.requests = self.api.requests
            return report
        wanted = set(days)
        seen: set[str] = set()
        for allocation_set in sets:
            if not isinstance(allocation_set, dict):
                continue
            for name, allocation in allocation_set.items():
                if name in _SPECIAL or not isinstance(allocation, dict):
                    continue
                key = name.partition("=")[2] if "=" in name else name
                day = _day_of(allocation)
                cost = allocation.get("totalCost")
                if key not in by_key or day not in wanted or not isinstance(cost, int | float):
                    continue
                seen.add(key)
                for ref in by_key[key]:
                    report.values.append(KpiValue(ref, "cost", day, round(float(cost), 4)))
        label = self.config.aggregate
        for key, refs in by_key.items():
            if key not in seen:
                for ref in refs:
                    report.gaps[ref] = f"OpenCost has no allocation for {label} = {key}"
        report.requests = self.api.requests
        return report


def _day_of(allocation: dict[str, object]) -> date | None:
    window = allocation.get("window")
    start = window.get("start") if isinstance(window, dict) else allocation.get("start")
    if not isinstance(start, str):
        return None
    try:
        moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()
