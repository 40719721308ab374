"""A loopback Prometheus HTTP API: ``GET /api/v1/query`` and ``/api/v1/query_range`` with the
real envelope (``status``, ``data.resultType``, ``data.result``), sample values as strings, and
errors as ``{"status": "error", "errorType", "error"}`` with 400. Answers come from a map of
exact query text to value, so tests see the query greenroom really sent."""

from __future__ import annotations

import time
from typing import Any

from bot.loopback.json_api import ApiCall, ApiReply, JsonApiServer

__all__ = ["FakePrometheus"]


class FakePrometheus(JsonApiServer):
    """``answer(query, value)``: the query's one series has this value (None: no series)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, float | None] = {}
        self.route("GET", "/api/v1/query", self._query)
        self.route("GET", "/api/v1/query_range", self._range)

    def answer(self, query: str, value: float | None) -> None:
        self.values[query] = value

    def _query(self, match: Any, call: ApiCall) -> ApiReply:
        query = call.arg("query")
        if not query:
            return _error("bad_data", 'invalid parameter "query": query is empty')
        at = float(call.arg("time") or time.time())
        value = self.values.get(query)
        result = [] if value is None else [{"metric": {}, "value": [at, repr(float(value))]}]
        return ApiReply(
            200, {"status": "success", "data": {"resultType": "vector", "result": result}}
        )

    def _range(self, match: Any, call: ApiCall) -> ApiReply:
        query = call.arg("query")
        try:
            start, end, step = (float(call.arg(k) or "") for k in ("start", "end", "step"))
        except ValueError:
            return _error("bad_data", "invalid start, end or step")
        if end < start:
            return _error("bad_data", "end timestamp must not be before start time")
        value = self.values.get(query or "")
        points = int((end - start) // step) + 1
        series = (
            []
            if value is None
            else [
                {
                    "metric": {},
                    "values": [[start + n * step, repr(float(value))] for n in range(points)],
                }
            ]
        )
        return ApiReply(
            200, {"status": "success", "data": {"resultType": "matrix", "result": series}}
        )


def _error(kind: str, message: str) -> ApiReply:
    return ApiReply(400, {"status": "error", "errorType": kind, "error": message})


def _success(kind: str, result: list[dict[str, Any]]) -> ApiReply:
    return ApiReply(200, {"status": "success", "data": {"resultType": kind, "result": result}})
