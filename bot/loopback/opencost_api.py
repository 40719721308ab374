"""A loopback OpenCost allocation API: ``GET /allocation`` (and ``/allocation/compute``) with
``window`` (an RFC3339 pair), ``aggregate`` (``namespace`` or ``label:<key>``), ``step=1d``;
one map per step keyed by the aggregate's value (``app=checkout`` for a label, as OpenCost
writes it), ``__idle__`` and ``__unallocated__`` included. No auth, as OpenCost has none; a bad
window is a plain-text 400 as OpenCost answers it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.loopback.json_api import ApiCall, ApiReply, JsonApiServer

__all__ = ["FakeOpenCost"]


class FakeOpenCost(JsonApiServer):
    """Daily total cost per aggregate value: ``set_cost("checkout", day, 12.5)``."""

    def __init__(self) -> None:
        super().__init__()
        self.costs: dict[tuple[str, date], float] = {}
        self.route("GET", "/allocation", self._allocation)
        self.route("GET", "/allocation/compute", self._allocation)

    def set_cost(self, key: str, day: date, total: float) -> None:
        self.costs[(key, day)] = total

    def _allocation(self, match: Any, call: ApiCall) -> ApiReply:
        window = call.arg("window") or ""
        start_text, _, end_text = window.partition(",")
        try:
            start = _parse(start_text)
            end = _parse(end_text)
        except ValueError:
            return ApiReply(400, f"Invalid 'window' parameter: {window}")
        aggregate = call.arg("aggregate") or "namespace"
        label = aggregate.removeprefix("label:") if aggregate.startswith("label:") else None
        sets = []
        moment = start
        while moment < end:
            day = moment.date()
            following = moment + timedelta(days=1)
            entries: dict[str, Any] = {
                "__idle__": _allocation("__idle__", moment, following, 3.25, aggregate)
            }
            for (key, cost_day), total in sorted(self.costs.items()):
                if cost_day != day:
                    continue
                name = f"{label}={key}" if label else key
                entries[name] = _allocation(name, moment, following, total, aggregate)
            entries["__unallocated__"] = _allocation(
                "__unallocated__", moment, following, 1.5, aggregate
            )
            sets.append(entries)
            moment = following
        return ApiReply(200, {"code": 200, "status": "success", "data": sets})


def _parse(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _allocation(
    name: str, start: datetime, end: datetime, total: float, aggregate: str
) -> dict[str, Any]:
    cpu = round(total * 0.6, 4)
    ram = round(total - cpu, 4)
    return {
        "name": name,
        "properties": {"cluster": "prod-eu"},
        "window": {"start": _iso(start), "end": _iso(end)},
        "start": _iso(start),
        "end": _iso(end),
        "minutes": 1440.0,
        "cpuCores": 1.0,
        "cpuCost": cpu,
        "gpuCost": 0.0,
        "ramCost": ram,
        "pvCost": 0.0,
        "networkCost": 0.0,
        "loadBalancerCost": 0.0,
        "sharedCost": 0.0,
        "externalCost": 0.0,
        "totalCost": total,
        "totalEfficiency": None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
