"""Opsgenie: alerts per entity and day (as ``incidents``, with time to acknowledge and to
close from each alert's ``report``), for entities annotated ``opsgenie.com/component-selector``
(an alert search query, the Backstage plugin's annotation); and who is on call for a team
(``opsgenie.com/team``: the schedules its team owns, or ``opsgenie.com/isSchedule: "true"``
for a schedule of that name).

Alerts are searched per entity over the whole window, paged by following ``paging.next``
(only back into the same API: the key must not go anywhere else).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any

import httpx

from catalog.refs import EntityRef
from integrations.kpis._http import JsonApi
from integrations.kpis.config import OpsgenieConfig
from integrations.kpis.errors import KpiEntityGone, KpiSourceDown, KpiSourceFailed
from integrations.kpis.model import (
    BUILT_IN_KPIS,
    INCIDENT_KPIS,
    KpiEntity,
    KpiSpec,
    KpiValue,
    SourceReport,
)
from integrations.kpis.pagerduty import OnCall, OnCallAnswer

__all__ = ["COMPONENT_SELECTOR", "IS_SCHEDULE", "TEAM", "OpsgenieSource"]

COMPONENT_SELECTOR = "opsgenie.com/component-selector"
TEAM = "opsgenie.com/team"
IS_SCHEDULE = "opsgenie.com/isSchedule"
_MAX_PAGES = 200


class OpsgenieSource:
    """Alerts per entity and day (``incidents`` and the two response times)."""

    def __init__(
        self,
        config: OpsgenieConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self.config = config
        key = config.token.get_secret_value() if config.token else ""
        self.api = JsonApi.for_source(
            config,
            what="Opsgenie",
            base_url=config.api_url,
            headers={"Authorization": f"GenieKey {key}"},
            sleep=sleep,
            transport=transport,
        )

    @property
    def kpis(self) -> tuple[KpiSpec, ...]:
        return tuple(BUILT_IN_KPIS[k] for k in INCIDENT_KPIS)

    def close(self) -> None:
        self.api.close()

    def fetch(self, entities: Sequence[KpiEntity], days: Sequence[date]) -> SourceReport:
        report = SourceReport(self.name, tuple(k.name for k in self.kpis))
        targets = [(e.ref, s) for e in entities if (s := e.annotation(COMPONENT_SELECTOR))]
        report.asked = len(targets)
        if not targets or not days:
            return report
        start = datetime.combine(days[0], datetime.min.time(), UTC)
        end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), UTC)
        fatal: list[str] = []

        def read(target: tuple[EntityRef, str]) -> dict[date, list[dict[str, Any]]] | str:
            if fatal:
                return "not read: the source failed"
            try:
                found: dict[date, list[dict[str, Any]]] = defaultdict(list)
                for alert in self._alerts(target[1], start, end):
                    created = _parse_time(alert.get("createdAt"))
                    if created is not None and start <= created < end:
                        found[created.date()].append(alert)
                return found
            except KpiSourceDown as error:
                fatal.append(error.user_message)
                return error.user_message
            except KpiSourceFailed as error:
                return error.user_message

        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix=self.name) as pool:
            answers = list(pool.map(read, targets))
        report.requests = self.api.requests
        if fatal:
            report.failure = fatal[0]
            return report
        for (ref, _), answer in zip(targets, answers, strict=True):
            if isinstance(answer, str):
                report.gaps[ref] = answer
                continue
            for day in days:
                alerts = answer.get(day, [])
                report.values.append(KpiValue(ref, "incidents", day, float(len(alerts))))
                acks = _minutes(alerts, "ackTime")
                closes = _minutes(alerts, "closeTime")
                if acks:
                    report.values.append(
                        KpiValue(ref, "incidents.ack_minutes", day, round(fmean(acks), 2))
                    )
                if closes:
                    report.values.append(
                        KpiValue(ref, "incidents.resolve_minutes", day, round(fmean(closes), 2))
                    )
        return report

    def _alerts(self, selector: str, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        query = (
            f"({selector}) AND createdAt >= {int(start.timestamp() * 1000)} "
            f"AND createdAt < {int(end.timestamp() * 1000)}"
        )
        path: str | None = "v2/alerts"
        params: dict[str, Any] | None = {
            "query": query,
            "limit": 100,
            "sort": "createdAt",
            "order": "asc",
        }
        for _ in range(_MAX_PAGES):
            if path is None:
                return
            body = self.api.json(path, params=params, doing=f"searching alerts {selector!r}")
            items = body.get("data") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise KpiSourceFailed("Opsgenie answered without a list of alerts")
            yield from (a for a in items if isinstance(a, dict))
            following = (body.get("paging") or {}).get("next") or ""
            prefix = self.api.base_url + "/"
            path = following.removeprefix(prefix) if following.startswith(prefix) else None
            params = None

    def on_call(self, team: str, *, is_schedule: bool = False) -> OnCallAnswer:
        """Who is on call now in the team's schedules (or the schedule named ``team``);
        ``KpiEntityGone`` when Opsgenie has none."""
        body = self.api.json("v2/schedules", doing="listing schedules")
        schedules = [
            s
            for s in (body.get("data") or [])
            if isinstance(s, dict)
            and (
                s.get("name") == team
                if is_schedule
                else (s.get("ownerTeam") or {}).get("name") == team
            )
        ]
        if not schedules:
            what = "schedule" if is_schedule else "schedule owned by the team"
            raise KpiEntityGone(f"Opsgenie has no {what} {team!r} (opsgenie.com/team)")
        people: list[OnCall] = []
        for level, schedule in enumerate(schedules, 1):
            answer = self.api.json(
                f"v2/schedules/{schedule['id']}/on-calls",
                params={"scheduleIdentifierType": "id"},
                doing=f"reading who is on call in {schedule.get('name')}",
            )
            for person in (answer.get("data") or {}).get("onCallParticipants") or []:
                if isinstance(person, dict) and person.get("type") == "user":
                    name = str(person.get("name") or person.get("id"))
                    people.append(
                        OnCall(
                            name=name,
                            email=name if "@" in name else None,
                            level=level,
                            until=None,
                            schedule=str(schedule.get("name") or ""),
                        )
                    )
        names = ", ".join(str(s.get("name") or s.get("id")) for s in schedules)
        return OnCallAnswer(team, team, names, tuple(people), what="Opsgenie team")


def _minutes(alerts: list[dict[str, Any]], field: str) -> list[float]:
    found = []
    for alert in alerts:
        value = (alert.get("report") or {}).get(field)
        if isinstance(value, int | float) and value >= 0:
            found.append(value / 60_000)
    return found


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
