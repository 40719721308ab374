"""A loopback fake of Backstage's catalog REST API (``/api/catalog/entities/by-query``).

Speaks the real shapes: ``{items, totalItems, pageInfo: {nextCursor}}`` pages; the cursor
carries the query, so follow-up requests send only ``cursor`` and ``limit``; ``filter``
params (``kind=component``) are ANDed within one value and ORed across values; errors are
``{error: {name, message}, request, response: {statusCode}}``; a static bearer token is
required when ``token`` is set. ``fail_with`` makes every request answer that status.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeBackstage:
    entities: list[dict[str, Any]]
    token: str | None = None
    fail_with: int | None = None
    fail_on_page: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def _matches(self, entity: dict[str, Any], filters: list[str]) -> bool:
        if not filters:
            return True
        for alternative in filters:
            conditions = [c for c in alternative.split(",") if c]
            if all(self._condition(entity, c) for c in conditions):
                return True
        return False

    @staticmethod
    def _condition(entity: dict[str, Any], condition: str) -> bool:
        key, _, wanted = condition.partition("=")
        value: Any = entity
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not wanted:
            return value is not None
        return str(value).lower() == wanted.lower()

    def page(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if "cursor" in query:
            state = json.loads(base64.b64decode(query["cursor"][0]))
        else:
            state = {"filters": query.get("filter", []), "offset": 0}
        limit = int(query.get("limit", ["20"])[0])
        matching = [e for e in self.entities if self._matches(e, state["filters"])]
        start = state["offset"]
        page_number = start // max(limit, 1)
        if self.fail_on_page is not None and page_number == self.fail_on_page:
            return 500, _error("Error", "database went away", 500)
        items = matching[start : start + limit]
        page_info: dict[str, Any] = {}
        if start + limit < len(matching):
            next_state = {"filters": state["filters"], "offset": start + limit}
            page_info["nextCursor"] = base64.b64encode(json.dumps(next_state).encode()).decode()
        return 200, {"items": items, "totalItems": len(matching), "pageInfo": page_info}


def _error(name: str, message: str, status: int) -> dict[str, Any]:
    return {
        "error": {"name": name, "message": message},
        "request": {"method": "GET", "url": "/api/catalog/entities/by-query"},
        "response": {"statusCode": status},
    }


@contextmanager
def serve_backstage(fake: FakeBackstage) -> Iterator[FakeBackstage]:
    """Run the fake on 127.0.0.1 (random port) for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            fake.requests.append(
                {"path": parts.path, "query": query, "auth": self.headers.get("Authorization")}
            )
            if parts.path != "/api/catalog/entities/by-query":
                return self._send(404, _error("NotFoundError", "Not found", 404))
            if fake.token and self.headers.get("Authorization") != f"Bearer {fake.token}":
                return self._send(401, _error("AuthenticationError", "Missing credentials", 401))
            if fake.fail_with:
                return self._send(fake.fail_with, _error("Error", "Internal error", fake.fail_with))
            status, body = fake.page(query)
            return self._send(status, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
