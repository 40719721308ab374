"""A loopback fake of a Backstage backend's catalog API, answering what a real one does.

- ``GET /api/catalog/entities/by-query``: ``{items, totalItems, pageInfo: {nextCursor}}``
  pages; the cursor carries the query, so follow-up requests send only ``cursor`` and
  ``limit``; ``filter`` params (``kind=component``) are ANDed within one value and ORed
  across values. Items carry ``metadata.uid``/``etag``, ``relations`` and ``status``.
- The unprocessed-entities module (``/entities/unprocessed/failed`` and ``/pending``:
  ``{type, entities: [{entity_id, entity_ref, unprocessed_entity, errors, ...}]}``) when
  ``unprocessed`` is set; without it, as without the module, those paths are unknown routes.
- Unknown routes: 404 with an empty body (the backend's ``notFound`` middleware), after auth.
- Errors: ``{error: {name, message}, request: {method, url}, response: {statusCode}}``;
  401 ``AuthenticationError`` without a token or with the wrong one (``token`` set).
- ``restart()``: Backstage restarted on a fresh database: new uids and etags, relations in
  another order. ``empty_answers``: that many first pages answer 200 with no items, as a
  backend does in its first seconds. ``fail_with``/``fail_on_page``: errors on demand.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

QUERY = "/api/catalog/entities/by-query"
UNPROCESSED = "/api/catalog/entities/unprocessed/"


@dataclass
class FakeBackstage:
    entities: list[dict[str, Any]]
    token: str | None = None
    fail_with: int | None = None
    fail_on_page: int | None = None
    #: ``{"failed": [...], "pending": [...]}`` refresh states; None: module not installed
    unprocessed: dict[str, list[dict[str, Any]]] | None = None
    empty_answers: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def restart(self) -> None:
        """A fresh database: every uid and etag regenerated, relations stitched anew."""
        for entity in self.entities:
            entity["metadata"]["uid"] = str(uuid.uuid4())
            entity["metadata"]["etag"] = uuid.uuid4().hex
            entity["relations"] = list(reversed(entity.get("relations", [])))

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
            if self.empty_answers > 0:
                self.empty_answers -= 1
                return 200, {"items": [], "totalItems": 0, "pageInfo": {}}
        limit = int(query.get("limit", ["20"])[0])
        matching = [e for e in self.entities if self._matches(e, state["filters"])]
        start = state["offset"]
        page_number = start // max(limit, 1)
        if self.fail_on_page is not None and page_number == self.fail_on_page:
            return 500, error_body("Error", "database went away", 500)
        items = matching[start : start + limit]
        page_info: dict[str, Any] = {}
        if start + limit < len(matching):
            next_state = {"filters": state["filters"], "offset": start + limit}
            page_info["nextCursor"] = base64.b64encode(json.dumps(next_state).encode()).decode()
        return 200, {"items": items, "totalItems": len(matching), "pageInfo": page_info}

    def refusal(self, authorization: str | None) -> tuple[int, dict[str, Any]] | None:
        if self.token is None or authorization == f"Bearer {self.token}":
            return None
        message = "Missing credentials" if authorization is None else "Illegal token"
        return 401, error_body("AuthenticationError", message, 401)


def error_body(name: str, message: str, status: int, url: str = QUERY) -> dict[str, Any]:
    return {
        "error": {"name": name, "message": message},
        "request": {"method": "GET", "url": url},
        "response": {"statusCode": status},
    }


def refresh_state(
    entity: dict[str, Any], errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A row of ``refresh_state`` as the unprocessed-entities module returns it."""
    metadata = entity["metadata"]
    ref = f"{entity['kind']}:{metadata.get('namespace', 'default')}/{metadata['name']}".lower()
    state: dict[str, Any] = {
        "entity_id": str(uuid.uuid4()),
        "entity_ref": ref,
        "unprocessed_entity": entity,
        "unprocessed_hash": uuid.uuid4().hex,
        "next_update_at": "2026-11-29T10:00:00.000Z",
        "last_discovery_at": "2026-11-29T09:58:00.000Z",
    }
    if errors is not None:
        state["errors"] = errors
        state["location_key"] = metadata.get("annotations", {}).get(
            "backstage.io/managed-by-location"
        )
    return state


@contextmanager
def serve_backstage(fake: FakeBackstage) -> Iterator[FakeBackstage]:
    """Run the fake on 127.0.0.1 (random port) for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            authorization = self.headers.get("Authorization")
            fake.requests.append({"path": parts.path, "query": query, "auth": authorization})
            refused = fake.refusal(authorization)
            if refused is not None:
                return self._send(*refused)
            if fake.fail_with:
                status = fake.fail_with
                return self._send(status, error_body("Error", "Internal error", status))
            if parts.path == QUERY:
                return self._send(*fake.page(query))
            reason = parts.path.removeprefix(UNPROCESSED)
            if fake.unprocessed is not None and reason in {"failed", "pending"}:
                entities = fake.unprocessed.get(reason, [])
                return self._send(200, {"type": reason, "entities": entities})
            return self._send(404, None)

        def _send(self, status: int, body: dict[str, Any] | None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if body is not None:
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
