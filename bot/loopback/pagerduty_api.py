"""A loopback PagerDuty REST API v2: ``GET /services``, ``/services/{id}``, ``/incidents``
(filtered by ``service_ids[]``, ``since``/``until``), ``/oncalls`` (by
``escalation_policy_ids[]``, ``include[]=users``), with PagerDuty's offset paging (``limit``,
``offset``, ``more``, ``total``), its error body ``{"error": {"code", "message", "errors"}}``
and ``Authorization: Token token=...`` auth. The demo company's incidents are seeded from here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.loopback.json_api import ApiCall, ApiReply, JsonApiServer

__all__ = ["FakePagerDuty"]

TOKEN = "pd-fake-token-0123456789"
_MAX_LIMIT = 100


@dataclass
class _Incident:
    id: str
    number: int
    service: str
    created: datetime
    acknowledged: datetime | None
    resolved: datetime | None
    title: str


@dataclass
class _OnCall:
    user: dict[str, Any]
    level: int
    end: datetime | None
    schedule: str | None


@dataclass
class _Policy:
    id: str
    name: str
    oncalls: list[_OnCall] = field(default_factory=list)


class FakePagerDuty(JsonApiServer):
    """Services, escalation policies with on-calls, users and incidents."""

    def __init__(self, *, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.services: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, _Policy] = {}
        self.incidents: list[_Incident] = []
        self._ids = itertools.count(1)
        self.route("GET", "/services", self._services)
        self.route("GET", "/services/(?P<id>[^/]+)", self._service)
        self.route("GET", "/incidents", self._incidents)
        self.route("GET", "/oncalls", self._oncalls)

    # setup ------------------------------------------------------------------------------
    def add_service(self, service_id: str, name: str, *, policy: str | None = None) -> None:
        policy_id = policy or f"EP{service_id}"
        self.policies.setdefault(policy_id, _Policy(policy_id, f"{name} escalation"))
        self.services[service_id] = {
            "id": service_id,
            "type": "service",
            "name": name,
            "summary": name,
            "status": "active",
            "self": f"{self.url}/services/{service_id}",
            "html_url": f"https://globex.pagerduty.example/service-directory/{service_id}",
            "escalation_policy": self._reference("escalation_policy", policy_id),
            "created_at": "2025-01-01T00:00:00Z",
        }

    def add_on_call(
        self,
        service_id: str,
        name: str,
        email: str,
        *,
        level: int = 1,
        hours_left: float | None = 8,
        schedule: str | None = "Primary",
    ) -> None:
        policy = self.policies[self.services[service_id]["escalation_policy"]["id"]]
        user_id = f"PU{abs(hash(email)) % 10**6:06d}"
        user = {
            "id": user_id,
            "type": "user",
            "name": name,
            "summary": name,
            "email": email,
            "time_zone": "Europe/Berlin",
            "html_url": f"https://globex.pagerduty.example/users/{user_id}",
        }
        end = None if hours_left is None else datetime.now(UTC) + timedelta(hours=hours_left)
        policy.oncalls.append(_OnCall(user, level, end, schedule))

    def add_incident(
        self,
        service_id: str,
        created: datetime,
        *,
        ack_minutes: float | None = None,
        resolve_minutes: float | None = None,
        title: str = "Error rate above 5%",
    ) -> None:
        number = next(self._ids)
        self.incidents.append(
            _Incident(
                id=f"Q{number:06d}",
                number=number,
                service=service_id,
                created=created,
                acknowledged=None
                if ack_minutes is None
                else created + timedelta(minutes=ack_minutes),
                resolved=None
                if resolve_minutes is None
                else created + timedelta(minutes=resolve_minutes),
                title=title,
            )
        )

    # protocol ---------------------------------------------------------------------------
    def authorized(self, call: ApiCall) -> bool:
        return call.headers.get("authorization", "") == f"Token token={self.token}"

    def unauthorized(self) -> ApiReply:
        return _error(401, 2006, "Invalid Credentials")

    def _reference(self, kind: str, item_id: str) -> dict[str, Any]:
        summary = (
            self.policies[item_id].name
            if kind == "escalation_policy"
            else self.services.get(item_id, {}).get("name", item_id)
        )
        return {
            "id": item_id,
            "type": f"{kind}_reference",
            "summary": summary,
            "self": f"{self.url}/{kind}s/{item_id}",
            "html_url": f"https://globex.pagerduty.example/{kind}s/{item_id}",
        }

    def _services(self, match: Any, call: ApiCall) -> ApiReply:
        return _page(call, "services", sorted(self.services.values(), key=lambda s: s["name"]))

    def _service(self, match: Any, call: ApiCall) -> ApiReply:
        service = self.services.get(match["id"])
        if service is None:
            return _error(404, 2100, "Not Found")
        return ApiReply(200, {"service": service})

    def _incidents(self, match: Any, call: ApiCall) -> ApiReply:
        wanted = set(call.query.get("service_ids[]", []))
        unknown = sorted(wanted - set(self.services))
        if unknown:
            return _error(400, 2001, "Invalid Input Provided", [f"Service {unknown[0]} not found"])
        since = _time(call.arg("since")) or datetime.now(UTC) - timedelta(days=30)
        until = _time(call.arg("until")) or datetime.now(UTC)
        if until - since > timedelta(days=183):
            return _error(400, 2001, "Invalid Input Provided", ["Date range is too long"])
        found = [
            self._incident_json(i)
            for i in sorted(self.incidents, key=lambda i: i.created)
            if (not wanted or i.service in wanted) and since <= i.created < until
        ]
        return _page(call, "incidents", found)

    def _incident_json(self, incident: _Incident) -> dict[str, Any]:
        status = (
            "resolved"
            if incident.resolved
            else "acknowledged"
            if incident.acknowledged
            else "triggered"
        )
        policy = self.services[incident.service]["escalation_policy"]
        body: dict[str, Any] = {
            "id": incident.id,
            "type": "incident",
            "summary": f"[#{incident.number}] {incident.title}",
            "incident_number": incident.number,
            "title": incident.title,
            "status": status,
            "urgency": "high",
            "created_at": _iso(incident.created),
            "updated_at": _iso(incident.resolved or incident.acknowledged or incident.created),
            "last_status_change_at": _iso(
                incident.resolved or incident.acknowledged or incident.created
            ),
            "resolved_at": _iso(incident.resolved) if incident.resolved else None,
            "service": self._reference("service", incident.service),
            "escalation_policy": policy,
            "assignments": [],
            "acknowledgements": [],
            "html_url": f"https://globex.pagerduty.example/incidents/{incident.id}",
        }
        if incident.acknowledged:
            body["acknowledgements"] = [
                {
                    "at": _iso(incident.acknowledged),
                    "acknowledger": {"id": "PU000001", "type": "user_reference"},
                }
            ]
        return body

    def _oncalls(self, match: Any, call: ApiCall) -> ApiReply:
        wanted = call.query.get("escalation_policy_ids[]", [])
        with_users = "users" in call.query.get("include[]", [])
        found = []
        for policy_id in wanted:
            policy = self.policies.get(policy_id)
            if policy is None:
                continue
            for oncall in sorted(policy.oncalls, key=lambda o: o.level):
                user = oncall.user
                found.append(
                    {
                        "user": user
                        if with_users
                        else {
                            "id": user["id"],
                            "type": "user_reference",
                            "summary": user["name"],
                        },
                        "schedule": {"id": "PS1", "summary": oncall.schedule}
                        if oncall.schedule
                        else None,
                        "escalation_policy": self._reference("escalation_policy", policy_id),
                        "escalation_level": oncall.level,
                        "start": _iso(datetime.now(UTC) - timedelta(hours=4)),
                        "end": _iso(oncall.end) if oncall.end else None,
                    }
                )
        return _page(call, "oncalls", found)


def _page(call: ApiCall, key: str, items: list[dict[str, Any]]) -> ApiReply:
    try:
        limit = min(int(call.arg("limit", "25") or 25), _MAX_LIMIT)
        offset = int(call.arg("offset", "0") or 0)
    except ValueError:
        return _error(400, 2001, "Invalid Input Provided", ["limit and offset are integers"])
    chunk = items[offset : offset + limit]
    total = len(items) if call.arg("total") == "true" else None
    return ApiReply(
        200,
        {
            key: chunk,
            "limit": limit,
            "offset": offset,
            "more": offset + limit < len(items),
            "total": total,
        },
    )


def _error(status: int, code: int, message: str, errors: list[str] | None = None) -> ApiReply:
    return ApiReply(status, {"error": {"code": code, "message": message, "errors": errors or []}})


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
