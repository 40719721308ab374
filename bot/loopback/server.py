"""The HTTP side of the loopback Slack (``bot/loopback/slack.py``): routes ``/api/<method>``
(form, JSON or query arguments; Bearer or ``token`` auth), ``/response/<key>`` (the
response_url sink) and ``/upload/<file id>`` (files' upload_url), applying injected faults."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from bot.loopback.methods import message_problem, slack_file_problem

if TYPE_CHECKING:
    from bot.loopback.slack import Fault, LoopbackSlack

__all__ = ["Call", "serve_loopback"]


@dataclass(frozen=True)
class Call:
    """One request the loopback received."""

    method: str
    args: dict[str, Any]
    status: int
    error: str | None = None
    key: str | None = None
    token: str | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


def serve_loopback(slack: LoopbackSlack) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 at a free port answering for ``slack`` (not yet serving)."""
    handler = type("_BoundHandler", (_Handler,), {"slack": slack})
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    return server


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections when dozens of answers post at
    # once, and each dropped SYN costs the client a 1 s retransmit: Slack does not do that.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test) closed its end: that is not our error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    slack: LoopbackSlack
    protocol_version = "HTTP/1.1"

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
        route, _, rest = parts.path.lstrip("/").partition("/")
        if route == "api":
            self._api(rest, raw, parts.query)
        elif route == "response":
            self._sink("response_url", rest, raw)
        elif route == "upload":
            self._sink("upload", rest, raw)
        else:
            self._send(404, b"not found", "text/plain")

    def _api(self, method: str, raw: bytes, query: str) -> None:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = self.headers.get("content-type") or ""
        if raw and "json" in content_type:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self._reply(method, args, None, 200, {"ok": False, "error": "invalid_json"})
                return
            args.update(body)
        elif raw:
            args.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        auth = self.headers.get("authorization") or ""
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or (str(args.pop("token")) if args.get("token") else None)
        args.pop("token", None)
        fault = self.slack.take_fault(method)
        if fault is not None and self._faulted(method, args, token, fault):
            return
        self._reply(method, args, token, 200, self.slack.answer(method, args, token))

    def _sink(self, method: str, key: str, raw: bytes) -> None:
        fault = self.slack.take_fault(method)
        if fault is not None and self._faulted(method, {}, None, fault, key=key):
            return
        if method == "upload":
            self.slack.store_upload(key, raw)
            self.slack.record(Call(method, {"bytes": len(raw)}, 200, key=key, at=time.monotonic()))
            self._send(200, f"OK - {len(raw)}".encode(), "text/plain")
            return
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self.slack.record(Call(method, {}, 400, "invalid_payload", key, at=time.monotonic()))
            self._send(400, b"invalid_payload", "text/plain")
            return
        problem = message_problem(payload)
        if problem is None and isinstance(payload.get("blocks"), list):
            with self.slack._changed:
                problem = slack_file_problem(self.slack, payload["blocks"])
        status = 400 if problem else 200
        self.slack.record(Call(method, payload, status, problem, key, at=time.monotonic()))
        self._send(status, (problem or "ok").encode(), "text/plain")

    def _faulted(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        fault: Fault,
        *,
        key: str | None = None,
    ) -> bool:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status == 200 and fault.error is None:
            return False
        body = json.dumps({"ok": False, "error": fault.error}).encode()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
        call = Call(method, args, fault.status, fault.error, key, token, time.monotonic())
        self.slack.record(call)
        self._send(fault.status, body, "application/json", headers)
        return True

    def _reply(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        status: int,
        body: dict[str, Any],
    ) -> None:
        error = None if body.get("ok") else str(body.get("error"))
        self.slack.record(Call(method, args, status, error, None, token, time.monotonic()))
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
