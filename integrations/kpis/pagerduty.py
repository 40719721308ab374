"""PagerDuty: incidents opened per service and day, with time to acknowledge and to resolve,
for entities annotated ``pagerduty.com/service-id``; and who is on call for a service now.

One listing of every service tells which annotated ids still exist (a deleted service is a
gap that names the id, not zero incidents); incidents are then read for up to 50 services at
a time over the whole window, paged by ``offset``/``more``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any

import httpx

from catalog.refs import EntityRef
from integrations.kpis._http import JsonApi
from integrations.kpis.config import PagerDutyConfig
from integrations.kpis.errors import KpiEntityGone, KpiSourceFailed
from integrations.kpis.model import (
    BUILT_IN_KPIS,
    INCIDENT_KPIS,
    KpiEntity,
    KpiSpec,
    KpiValue,
    SourceReport,
)

__all__ = ["SERVICE_ID", "OnCall", "OnCallAnswer", "PagerDutySource"]

#: PagerDuty's Backstage annotation (the plugin's own constant).
SERVICE_ID = "pagerduty.com/service-id"
_PAGE = 100
_BATCH = 50
_MAX_PAGES = 500


@dataclass(frozen=True, slots=True)
class OnCall:
    """One person on call: their level in the escalation policy and until when."""

    name: str
    email: str | None
    level: int
    until: datetime | None
    schedule: str | None = None


@dataclass(frozen=True, slots=True)
class OnCallAnswer:
    """Who is on call for a service now, nearest level first."""

    service_id: str
    service_name: str
    policy_name: str
    people: tuple[OnCall, ...]
    #: what ``service_id`` names, for people ("PagerDuty service", "Opsgenie team")
    what: str = "PagerDuty service"


class PagerDutySource:
    """Incidents per annotated service and day (``incidents``, ``incidents.ack_minutes``,
    ``incidents.resolve_minutes``)."""

    def __init__(
        self,
        config: PagerDutyConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self.config = config
        token = config.token.get_secret_value() if config.token else ""
        self.api = JsonApi.for_source(
            config,
            what="PagerDuty",
            base_url=config.api_url,
            headers={
                "Authorization": f"Token token={token}",
                "Accept": "application/vnd.pagerduty+json;version=2",
            },
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
        by_service: dict[str, list[EntityRef]] = defaultdict(list)
        for entity in entities:
            service = entity.annotation(SERVICE_ID)
            if service:
                by_service[service].append(entity.ref)
        report.asked = sum(len(v) for v in by_service.values())
        if not by_service or not days:
            return report
        try:
            known = {s["id"] for s in self._paged("services", "services", {}, "listing services")}
            for service, refs in by_service.items():
                if service not in known:
                    for ref in refs:
                        report.gaps[ref] = (
                            f"PagerDuty has no service {service} (pagerduty.com/service-id): "
                            "was it deleted or moved to another account?"
                        )
            live = sorted(s for s in by_service if s in known)
            tally = self._incidents(live, days)
        except KpiSourceFailed as error:
            report.failure = error.user_message
            report.requests = self.api.requests
            return report
        for service in live:
            for day in days:
                opened, acks, resolves = tally.get((service, day), (0, [], []))
                for ref in by_service[service]:
                    report.values.append(KpiValue(ref, "incidents", day, float(opened)))
                    if acks:
                        report.values.append(
                            KpiValue(ref, "incidents.ack_minutes", day, round(fmean(acks), 2))
                        )
                    if resolves:
                        report.values.append(
                            KpiValue(
                                ref, "incidents.resolve_minutes", day, round(fmean(resolves), 2)
                            )
                        )
        report.requests = self.api.requests
        return report

    def _incidents(
        self, services: list[str], days: Sequence[date]
    ) -> dict[tuple[str, date], tuple[int, list[float], list[float]]]:
        since = datetime.combine(days[0], datetime.min.time(), UTC)
        until = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), UTC)
        wanted = set(days)
        tally: dict[tuple[str, date], tuple[int, list[float], list[float]]] = {}
        for start in range(0, len(services), _BATCH):
            batch = services[start : start + _BATCH]
            params = {
                "service_ids[]": batch,
                "since": _iso(since),
                "until": _iso(until),
                "time_zone": "UTC",
            }
            for incident in self._paged("incidents", "incidents", params, "listing incidents"):
                created = _parse_time(incident.get("created_at"))
                service = (incident.get("service") or {}).get("id")
                if created is None or service not in batch or created.date() not in wanted:
                    continue
                key = (service, created.date())
                opened, acks, resolves = tally.get(key, (0, [], []))
                acked = _first_ack(incident)
                if acked is not None and acked >= created:
                    acks.append((acked - created).total_seconds() / 60)
                resolved = _parse_time(incident.get("resolved_at"))
                if incident.get("status") == "resolved" and resolved and resolved >= created:
                    resolves.append((resolved - created).total_seconds() / 60)
                tally[key] = (opened + 1, acks, resolves)
        return tally

    def _paged(
        self, path: str, key: str, params: dict[str, Any], doing: str
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        for _ in range(_MAX_PAGES):
            body = self.api.json(
                path, params={**params, "limit": _PAGE, "offset": offset}, doing=doing
            )
            items = body.get(key) if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise KpiSourceFailed(f"PagerDuty answered without {key!r} while {doing}")
            yield from (i for i in items if isinstance(i, dict))
            if not body.get("more") or not items:
                return
            offset += len(items)

    def on_call(self, service_id: str) -> OnCallAnswer:
        """Who is on call now for the service's escalation policy; ``KpiEntityGone`` when
        PagerDuty does not know the service."""
        try:
            body = self.api.json(f"services/{service_id}", doing=f"reading service {service_id}")
        except KpiEntityGone:
            raise KpiEntityGone(
                f"PagerDuty has no service {service_id} (pagerduty.com/service-id): was it "
                "deleted or moved to another account?"
            ) from None
        service = body.get("service") or {}
        policy = service.get("escalation_policy") or {}
        policy_id = policy.get("id")
        if not policy_id:
            return OnCallAnswer(service_id, str(service.get("name") or service_id), "", ())
        params = {"escalation_policy_ids[]": [policy_id], "include[]": ["users"]}
        people: dict[tuple[str, int], OnCall] = {}
        for item in self._paged("oncalls", "oncalls", params, "reading on-calls"):
            user = item.get("user") or {}
            level = int(item.get("escalation_level") or 0)
            key = (str(user.get("id")), level)
            if key in people:
                continue
            people[key] = OnCall(
                name=str(user.get("name") or user.get("summary") or user.get("id") or "someone"),
                email=user.get("email") if isinstance(user.get("email"), str) else None,
                level=level,
                until=_parse_time(item.get("end")),
                schedule=(item.get("schedule") or {}).get("summary"),
            )
        ordered = sorted(people.values(), key=lambda p: (p.level, p.name.lower()))
        return OnCallAnswer(
            service_id=service_id,
            service_name=str(service.get("name") or service.get("summary") or service_id),
            policy_name=str(policy.get("summary") or policy_id),
            people=tuple(ordered),
        )


def _first_ack(incident: dict[str, Any]) -> datetime | None:
    times = [
        _parse_time(a.get("at"))
        for a in incident.get("acknowledgements") or []
        if isinstance(a, dict)
    ]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
