"""A loopback SonarQube Web API for tests: ``GET /api/issues/search`` (``components``,
``types=VULNERABILITY``, ``resolved=false``, ``facets=severities``, ``ps``) with SonarQube's
``paging`` and ``facets`` shapes, errors as ``{"errors": [{"msg": ...}]}``, bearer tokens."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.loopback.json_api import ApiCall, ApiReply, JsonApiServer

__all__ = ["TOKEN", "FakeSonarQube"]

TOKEN = "squ_fake_token_0123456789"
_SEVERITIES = ("INFO", "MINOR", "MAJOR", "CRITICAL", "BLOCKER")


class FakeSonarQube(JsonApiServer):
    """Projects with open vulnerabilities: ``add_vulnerability("shop:checkout", "BLOCKER")``."""

    def __init__(self) -> None:
        super().__init__()
        self.projects: dict[str, Counter[str]] = {}
        self.route("GET", "/api/issues/search", self._search)

    def add_project(self, key: str) -> None:
        self.projects.setdefault(key, Counter())

    def add_vulnerability(self, key: str, severity: str, count: int = 1) -> None:
        self.projects.setdefault(key, Counter())[severity] += count

    def authorized(self, call: ApiCall) -> bool:
        return call.headers.get("authorization") == f"Bearer {TOKEN}"

    def unauthorized(self) -> ApiReply:
        return ApiReply(401, {"errors": [{"msg": "Authentication is required"}]})

    def _search(self, match: Any, call: ApiCall) -> ApiReply:
        key = call.arg("components") or ""
        if key not in self.projects:
            return ApiReply(404, {"errors": [{"msg": f"Component key '{key}' not found"}]})
        if call.arg("types") != "VULNERABILITY" or call.arg("resolved") != "false":
            return ApiReply(400, {"errors": [{"msg": "expected open vulnerabilities only"}]})
        counts = self.projects[key]
        total = sum(counts.values())
        size = int(call.arg("ps") or 100)
        return ApiReply(
            200,
            {
                "total": total,
                "p": 1,
                "ps": size,
                "paging": {"pageIndex": 1, "pageSize": size, "total": total},
                "issues": [],
                "components": [],
                "facets": [
                    {
                        "property": "severities",
                        "values": [{"val": s, "count": counts.get(s, 0)} for s in _SEVERITIES],
                    }
                ],
            },
        )
