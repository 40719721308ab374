"""A loopback Slack Web API: a real HTTP server on 127.0.0.1 (random port) that answers the
Web API methods greenroom calls, in Slack's request and response shapes.

The local console (``greenroom ask``, ``greenroom demo``) runs the real Bolt app against it,
and every test that talks to Slack uses it. Point a ``slack_sdk.WebClient`` (or
``SLACK_API_URL``) at :attr:`LoopbackSlack.api_url`::

    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example", name="Alice")
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        client.chat_postMessage(channel="C0GENERAL", text="hi")
        slack.calls("chat.postMessage")[0].args["text"]          # "hi"

What it answers: ``auth.test``, ``users.info``, ``users.lookupByEmail``, ``chat.postMessage``,
``chat.postEphemeral``, ``chat.update``, ``chat.delete``, ``chat.unfurl``, ``views.open`` /
``push`` / ``update`` / ``publish``, ``conversations.open``, ``files.getUploadURLExternal`` (its
``upload_url`` points back here) + ``files.completeUploadExternal``, ``oauth.v2.access``.
Other methods answer ``unknown_method``. Bodies may be form-encoded, JSON or a GET query;
tokens come from ``Authorization: Bearer`` or a ``token`` field; an unknown token gets
``invalid_auth``. Messages and views are checked against Block Kit's limits (``invalid_blocks``).

``response_url`` sink: :meth:`response_url` gives a URL that records what is posted to it.

The call log, for assertions (every request, in order, also failed ones):

- :meth:`calls` ``(method=None)`` -> list of :class:`Call` (``method``, ``args``, ``status``,
  ``error``, ``key``: the response_url key or uploaded file id);
- :meth:`wait_for` ``(method, count=1, timeout=10, key=None)`` blocks until that many
  successful calls arrived (listeners answer after the ack, so tests wait);
- :attr:`home_views` (user id -> last published Home view), :attr:`uploads` (file id -> bytes).

Faults, for the next ``times`` calls of a method (``"response_url"`` for the sink, ``"*"`` for
every method; ``times=None``: until :meth:`clear_faults`):

- :meth:`rate_limit` ``(method, retry_after=1)``: HTTP 429 with ``Retry-After``;
- :meth:`fail` ``(method, status=500)`` or ``(method, error="users_not_found")``: an HTTP
  error, or HTTP 200 with ``{"ok": false, "error": ...}`` (``invalid_auth`` included);
- :meth:`slow` ``(method, seconds)``: answer late (client timeouts).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.loopback_methods import METHODS, message_problem

__all__ = ["BOT_TOKEN", "Call", "LoopbackSlack", "SlackUser"]

BOT_TOKEN = "xoxb-loopback-token"  # noqa: S105 - the loopback accepts only this
_REPLY_METHODS = {"response_url", "chat.postMessage", "chat.postEphemeral", "chat.update"}


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


@dataclass
class SlackUser:
    """A member of the loopback workspace."""

    id: str
    email: str | None = None
    name: str | None = None
    team_id: str = "T0LOOP"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        name = self.name or self.id.lower()
        profile: dict[str, Any] = {"real_name": name, "display_name": name}
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "deleted": False,
            "is_bot": self.is_bot,
            "profile": profile,
        }


@dataclass
class _Fault:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int | None = 1


@dataclass
class _State:
    users: dict[str, SlackUser] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)


class LoopbackSlack:
    """The loopback Slack Web API server; use as a context manager (or start/stop)."""

    def __init__(
        self, *, team_id: str = "T0LOOP", bot_token: str = BOT_TOKEN, team_name: str = "Loopback"
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_token = bot_token
        self.bot_user_id = "U0GREENROOM"
        self._state = _State(tokens={bot_token: team_id})
        self._calls: list[Call] = []
        self._ok: dict[tuple[str, str | None], list[Call]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> LoopbackSlack:
        """Listen on 127.0.0.1 at a free port."""
        handler = type("_Handler", (_Handler,), {"slack": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="loopback-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackSlack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None, "LoopbackSlack is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """The Web API base URL (``WebClient(base_url=...)`` / ``SLACK_API_URL``)."""
        return self.url + "/api/"

    # -- workspace -------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        team_id: str | None = None,
        is_bot: bool = False,
    ) -> SlackUser:
        """Add a workspace member (``users.info`` / ``users.lookupByEmail`` find them)."""
        user = SlackUser(user_id, email, name, team_id or self.team_id, is_bot)
        with self._changed:
            self._state.users[user_id] = user
        return user

    def users(self) -> list[SlackUser]:
        """Every member added so far."""
        with self._changed:
            return list(self._state.users.values())

    def response_url(self, key: str | None = None) -> str:
        """A response_url whose posts are recorded under ``key`` (method ``response_url``)."""
        return f"{self.url}/response/{key or next(self._ids)}"

    def oauth_code(self, *, team_id: str, installer: str = "U0INSTALLER") -> str:
        """A code that ``oauth.v2.access`` exchanges for a new bot token of ``team_id``."""
        code = f"code-{next(self._ids)}"
        with self._changed:
            self._state.codes[code] = (team_id, installer)
        return code

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        """User id -> the Home view last published for them."""
        with self._changed:
            return dict(self._state.home_views)

    @property
    def uploads(self) -> dict[str, bytes]:
        """File id -> the bytes uploaded to its upload_url."""
        with self._changed:
            return dict(self._state.uploads)

    # -- faults ----------------------------------------------------------------------------
    def rate_limit(self, method: str, *, retry_after: int = 1, times: int | None = 1) -> None:
        """The next ``times`` calls get HTTP 429 with ``Retry-After``."""
        self._add_fault(method, _Fault(429, "ratelimited", retry_after=retry_after, times=times))

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next ``times`` calls fail: HTTP ``status`` (>= 400), or ok=false ``error``."""
        if status < 400 and error is None:
            raise ValueError("give an HTTP error status or a Slack error code")
        self._add_fault(method, _Fault(status, error or "internal_error", times=times))

    def slow(self, method: str, seconds: float, *, times: int | None = 1) -> None:
        """The next ``times`` calls answer after ``seconds``."""
        self._add_fault(method, _Fault(delay=seconds, times=times))

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        with self._changed:
            self._faults.clear()

    def _add_fault(self, method: str, fault: _Fault) -> None:
        with self._changed:
            self._faults.setdefault(method, deque()).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._changed:
            for key in (method, "*"):
                queue = self._faults.get(key)
                if queue:
                    fault = queue[0]
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            queue.popleft()
                    return fault
        return None

    # -- the log ---------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Every request so far (of ``method``), in arrival order."""
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def replies(self) -> list[Call]:
        """Accepted messages: response_url posts, chat.postMessage/postEphemeral/update."""
        return [c for c in self.calls() if c.method in _REPLY_METHODS and c.ok]

    def wait_for(
        self, method: str, *, count: int = 1, timeout: float = 10.0, key: str | None = None
    ) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` (with ``key``) arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._ok.get((method, key), [])
                if len(found) >= count:
                    return list(found)
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{c.method}:{c.status}" for c in self._calls) or "nothing"
                    raise TimeoutError(
                        f"{len(found)} of {count} {method} calls after {timeout}s; saw {seen}"
                    )
                self._changed.wait(left)

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            if call.ok:
                self._ok.setdefault((call.method, None), []).append(call)
                if call.key is not None:
                    self._ok.setdefault((call.method, call.key), []).append(call)
            self._changed.notify_all()

    # -- the Web API -----------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Slack's answer to one Web API call (without faults)."""
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if token is None:
            return {"ok": False, "error": "not_authed"}
        with self._changed:
            team_id = self._state.tokens.get(token)
        if team_id is None:
            return {"ok": False, "error": "invalid_auth"}
        handler = METHODS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._changed:
            return handler(self, args, team_id)

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            grant = self._state.codes.pop(str(args.get("code")), None)
            if grant is None:
                return {"ok": False, "error": "invalid_code"}
            team_id, installer = grant
            token = f"xoxb-{team_id.lower()}-{next(self._ids)}"
            self._state.tokens[token] = team_id
        return {
            "ok": True,
            "app_id": "A0GREENROOM",
            "authed_user": {"id": installer},
            "scope": "commands,chat:write,users:read,users:read.email",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": f"Workspace {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _next_ts(self) -> str:
        return f"{time.time():.0f}.{next(self._ids):06d}"


class _Server(ThreadingHTTPServer):
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
        fault = self.slack._take_fault(method)
        if fault is not None and self._faulted(method, args, token, fault):
            return
        self._reply(method, args, token, 200, self.slack.answer(method, args, token))

    def _sink(self, method: str, key: str, raw: bytes) -> None:
        fault = self.slack._take_fault(method)
        if fault is not None and self._faulted(method, {}, None, fault, key=key):
            return
        if method == "upload":
            with self.slack._changed:
                self.slack._state.uploads[key] = raw
            self.slack._record(Call(method, {"bytes": len(raw)}, 200, key=key, at=time.monotonic()))
            self._send(200, f"OK - {len(raw)}".encode(), "text/plain")
            return
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self.slack._record(Call(method, {}, 400, "invalid_payload", key, at=time.monotonic()))
            self._send(400, b"invalid_payload", "text/plain")
            return
        problem = message_problem(payload)
        status = 400 if problem else 200
        self.slack._record(Call(method, payload, status, problem, key, at=time.monotonic()))
        self._send(status, (problem or "ok").encode(), "text/plain")

    def _faulted(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        fault: _Fault,
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
        self.slack._record(call)
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
        self.slack._record(Call(method, args, status, error, None, token, time.monotonic()))
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
