"""A loopback Opsgenie REST API for tests: ``GET /v2/alerts`` (the search query greenroom
sends: ``(<selector>) AND createdAt >= <ms> AND createdAt < <ms>``), paged by ``offset`` and
``limit`` with full-URL ``paging.next``; ``GET /v2/schedules`` and
``/v2/schedules/{id}/on-calls``; the ``requestId``/``took`` envelope, ``GenieKey`` auth, and
errors as ``{message, code, took, requestId}``."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.loopback.json_api import ApiCall, ApiReply, JsonApiServer

__all__ = ["KEY", "FakeOpsgenie"]

KEY = "genie-fake-key-0123456789"
_QUERY = re.compile(
    r"^\((?P<selector>.*)\) AND createdAt >= (?P<start>\d+) AND createdAt < (?P<end>\d+)$"
)


class FakeOpsgenie(JsonApiServer):
    """Alerts by search selector, schedules with their owner teams and on-call users."""

    def __init__(self, *, key: str = KEY) -> None:
        super().__init__()
        self.key = key
        self.alerts: dict[str, list[dict[str, Any]]] = {}
        self.schedules: list[dict[str, Any]] = []
        self.on_calls: dict[str, list[str]] = {}
        self._tiny = itertools.count(1)
        self.route("GET", "/v2/alerts", self._alerts)
        self.route("GET", "/v2/schedules", self._schedules)
        self.route("GET", "/v2/schedules/(?P<id>[^/]+)/on-calls", self._on_calls)

    def add_alert(
        self,
        selector: str,
        created: datetime,
        *,
        ack_minutes: float | None = None,
        close_minutes: float | None = None,
    ) -> None:
        report: dict[str, Any] = {}
        if ack_minutes is not None:
            report["ackTime"] = int(ack_minutes * 60_000)
        if close_minutes is not None:
            report["closeTime"] = int(close_minutes * 60_000)
        self.alerts.setdefault(selector, []).append(
            {
                "id": str(uuid.uuid4()),
                "tinyId": str(next(self._tiny)),
                "message": "Latency above SLO",
                "status": "closed" if close_minutes is not None else "open",
                "acknowledged": ack_minutes is not None,
                "tags": [],
                "priority": "P3",
                "createdAt": created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "updatedAt": (created + timedelta(minutes=1)).isoformat(),
                "report": report,
            }
        )

    def add_schedule(self, name: str, team: str, *users: str) -> None:
        schedule_id = str(uuid.uuid4())
        self.schedules.append(
            {
                "id": schedule_id,
                "name": name,
                "enabled": True,
                "ownerTeam": {"id": "t1", "name": team},
            }
        )
        self.on_calls[schedule_id] = list(users)

    def authorized(self, call: ApiCall) -> bool:
        return call.headers.get("authorization") == f"GenieKey {self.key}"

    def unauthorized(self) -> ApiReply:
        return ApiReply(401, {"message": "Could not authenticate", "took": 0.0, "requestId": "r"})

    def _envelope(self, data: Any, **extra: Any) -> ApiReply:
        return ApiReply(200, {"data": data, "took": 0.01, "requestId": str(uuid.uuid4()), **extra})

    def _alerts(self, match: Any, call: ApiCall) -> ApiReply:
        parsed = _QUERY.match(call.arg("query") or "")
        if parsed is None:
            return ApiReply(422, {"message": "Invalid query", "took": 0.0, "requestId": "r"})
        start = datetime.fromtimestamp(int(parsed["start"]) / 1000, UTC)
        end = datetime.fromtimestamp(int(parsed["end"]) / 1000, UTC)
        found = [
            a
            for a in self.alerts.get(parsed["selector"], [])
            if start <= datetime.fromisoformat(a["createdAt"].replace("Z", "+00:00")) < end
        ]
        limit = min(int(call.arg("limit", "20") or 20), 100)
        offset = int(call.arg("offset", "0") or 0)
        paging: dict[str, str] = {}
        if offset + limit < len(found):
            query = {**{k: v[0] for k, v in call.query.items()}, "offset": offset + limit}
            paging["next"] = f"{self.url}/v2/alerts?{urlencode(query)}"
        return self._envelope(found[offset : offset + limit], paging=paging)

    def _schedules(self, match: Any, call: ApiCall) -> ApiReply:
        return self._envelope(self.schedules)

    def _on_calls(self, match: Any, call: ApiCall) -> ApiReply:
        schedule = next((s for s in self.schedules if s["id"] == match["id"]), None)
        if schedule is None:
            return ApiReply(404, {"message": "Schedule not found", "took": 0.0, "requestId": "r"})
        participants = [
            {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, u)), "name": u, "type": "user"}
            for u in self.on_calls[schedule["id"]]
        ]
        return self._envelope(
            {
                "_parent": {"id": schedule["id"], "name": schedule["name"], "enabled": True},
                "onCallParticipants": participants,
            }
        )
