"""A small loopback JSON API server for the KPI fakes (PagerDuty, OpenCost, Prometheus): routes
by method and path regex, a log of every call, bearer/token auth, and injected faults (any
status, body and headers, e.g. 429 with ``Retry-After``; or a delay longer than the client's
timeout), each for the next N matching requests."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

__all__ = ["ApiCall", "ApiReply", "JsonApiServer"]


@dataclass(frozen=True)
class ApiCall:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class ApiReply:
    """What a route answers: a JSON body (or bytes/str as is) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    reply: ApiReply
    times: int
    delay: float


Route = Callable[[re.Match[str], ApiCall], ApiReply]


class JsonApiServer:
    """The server; subclasses add routes in ``__init__`` and say how auth fails."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        handler = type("_Bound", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 256
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle --------------------------------------------------------------------------
    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # for subclasses and tests --------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Route) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and ``path`` (a regex) with
        this status, body and headers, after ``delay`` seconds."""
        reply = ApiReply(status, body, dict(headers or {}))
        self._faults.append(_Fault(method, re.compile(f"^{path}$"), reply, times, delay))

    def authorized(self, call: ApiCall) -> bool:
        return True

    def unauthorized(self) -> ApiReply:
        return ApiReply(401, {"message": "Unauthorized"})

    def paths(self) -> list[str]:
        return [c.path for c in self.calls]

    # handling ---------------------------------------------------------------------------
    def respond(self, call: ApiCall) -> tuple[ApiReply, float]:
        with self._lock:
            self.calls.append(call)
            for fault in self._faults:
                if fault.times > 0 and fault.method == call.method and fault.path.match(call.path):
                    fault.times -= 1
                    return fault.reply, fault.delay
        if not self.authorized(call):
            return self.unauthorized(), 0.0
        for method, pattern, handler in self._routes:
            match = pattern.match(call.path)
            if match and method == call.method:
                return handler(match, call), 0.0
        return ApiReply(404, {"message": "Not Found"}), 0.0


class _Handler(BaseHTTPRequestHandler):
    api: JsonApiServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body in two writes: no delayed-ACK wait

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if raw and "form" in (self.headers.get("content-type") or ""):
            query.update(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply, delay = self.api.respond(ApiCall(self.command, parts.path, query, headers))
        if delay:
            time.sleep(delay)
        body = reply.body
        if isinstance(body, bytes):
            data, kind = body, "application/octet-stream"
        elif isinstance(body, str):
            data, kind = body.encode(), "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(body).encode(), "application/json"
        headers = dict(reply.headers)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", headers.pop("Content-Type", kind))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return
