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
``upload_url`` points back here) + ``files.completeUploadExternal``, ``oauth.v2.access``, and
``apps.connections.open`` (only with :attr:`app_token`; it hands out :attr:`socket_mode_url`).
A trigger opens one view (``exchanged_trigger_id`` after); ``views.update`` with a stale
``hash`` gets ``hash_conflict``, of a closed view ``not_found``; modals are checked against
Slack's rules (titles, ``private_metadata``, input blocks, options) -> ``invalid_arguments``.
Other methods answer ``unknown_method``. Bodies may be form-encoded, JSON or a GET query;
tokens come from ``Authorization: Bearer`` or a ``token`` field; an unknown token gets
``invalid_auth``. Messages and views are checked against Block Kit's limits (``invalid_blocks``);
an image block's ``slack_file`` must name (by ``id``, or ``url``: its ``url_private`` or
``permalink``) a png/jpg/gif upload completed here (:attr:`files`), else ``invalid_blocks``.

The workspace: :meth:`add_user` (``users.info`` / ``users.lookupByEmail`` find them),
:meth:`users`; :meth:`modal_ids`, :meth:`view` (a modal as it is now), :meth:`replace_view` (apply a
``response_action: update``), :meth:`close_view` (the user closed it); :meth:`response_url`
gives a response_url whose posts are recorded (method ``"response_url"``, ``key``);
:meth:`oauth_code` gives a code ``oauth.v2.access`` turns into a new workspace's bot token.

The call log, for assertions (every request, in order, also failed ones):

- :meth:`calls` ``(method=None)`` -> list of :class:`Call` (``method``, ``args``, ``status``,
  ``error``, ``key``: the response_url key or uploaded file id, ``token``, ``at``: monotonic);
- :meth:`replies` -> the accepted messages (response_url posts, chat.post*/update);
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
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from bot.loopback.methods import METHODS
from bot.loopback.server import Call, serve_loopback

__all__ = ["BOT_TOKEN", "Call", "Fault", "LoopbackSlack", "SlackUser"]

BOT_TOKEN = "xoxb-loopback-token"
_REPLY_METHODS = {"response_url", "chat.postMessage", "chat.postEphemeral", "chat.update"}


@dataclass
class SlackUser:
    """A member of the loopback workspace."""

    id: str
    email: str | None = None
    name: str | None = None
    team_id: str = "T0LOOP"
    is_bot: bool = False
    tz: str | None = None
    email_confirmed: bool = True
    deleted: bool = False  # deactivated: still listed by users.list

    def to_api(self) -> dict[str, Any]:
        name = self.name or self.id.lower()
        profile: dict[str, Any] = {"real_name": name, "display_name": name}
        if self.email:
            profile["email"] = self.email
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_email_confirmed": self.email_confirmed,
            "profile": profile,
        }
        if self.tz:
            offset = datetime.now(ZoneInfo(self.tz)).utcoffset() or timedelta(0)
            user |= {"tz": self.tz, "tz_label": self.tz, "tz_offset": int(offset.total_seconds())}
        return user


@dataclass
class Fault:
    """An injected failure: HTTP ``status`` / Slack ``error``, ``retry_after``, ``delay``."""

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
    triggers: set[str] = field(default_factory=set)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)


class LoopbackSlack:
    """The loopback Slack Web API server; use as a context manager (or start/stop)."""

    def __init__(
        self, *, team_id: str = "T0LOOP", bot_token: str = BOT_TOKEN, team_name: str = "Loopback"
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_token = bot_token
        self.bot_user_id = "U0GREENROOM"
        #: The app-level token ``apps.connections.open`` accepts, and the WebSocket URL it
        #: hands out (set by whoever runs a Socket Mode endpoint; None: Socket Mode is off).
        self.app_token = f"xapp-1-{team_id.lower()}-loopback"
        self.socket_mode_url: str | None = None
        self._state = _State(tokens={bot_token: team_id})
        self._calls: list[Call] = []
        self._ok: dict[tuple[str, str | None], list[Call]] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        # One condition per (method, key) waited for: waking every waiter on every call made
        # fifty waiting senders spend more CPU than the server they measure.
        self._arrivals: dict[tuple[str, str | None], threading.Condition] = {}
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> LoopbackSlack:
        """Listen on 127.0.0.1 at a free port."""
        self._server = serve_loopback(self)
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
        tz: str | None = None,
        email_confirmed: bool = True,
        deleted: bool = False,
    ) -> SlackUser:
        """Add a workspace member (``users.info`` / ``users.lookupByEmail`` find them);
        ``tz`` is the IANA zone ``users.info`` reports (Slack's ``tz``), absent when None;
        ``email_confirmed`` is Slack's ``is_email_confirmed``; ``deleted``, a deactivated
        account (``users.list`` still lists it)."""
        team = team_id or self.team_id
        user = SlackUser(user_id, email, name, team, is_bot, tz, email_confirmed, deleted)
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

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """File id -> the file object of each upload ``files.completeUploadExternal`` completed
        (image blocks may name these in ``slack_file``)."""
        with self._changed:
            return dict(self._state.files)

    def delete_file(self, file_id: str) -> None:
        """Someone deleted the file in Slack: image blocks naming it are refused from now on."""
        with self._changed:
            self._state.files.pop(file_id, None)

    def modal_ids(self) -> list[str]:
        """The ids of the modals open now, oldest first."""
        with self._changed:
            return [i for i, v in self._state.views.items() if v.get("type") == "modal"]

    def view(self, view_id: str) -> dict[str, Any]:
        """The view as it is now (KeyError if it was never opened or was closed)."""
        with self._changed:
            return dict(self._state.views[view_id])

    def replace_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """What Slack does with a ``response_action: update`` answer: the open view becomes
        ``view`` (with a new hash)."""
        with self._changed:
            stored = {
                **view,
                "id": view_id,
                "hash": f"{time.time():.0f}.{next(self._ids)}",
                "team_id": self._state.views[view_id].get("team_id", self.team_id),
            }
            self._state.views[view_id] = stored
            self._changed.notify_all()
            return dict(stored)

    def close_view(self, view_id: str) -> None:
        """The user closed the modal: ``views.update`` of it now fails with ``not_found``."""
        with self._changed:
            self._state.views.pop(view_id, None)

    def store_upload(self, file_id: str, content: bytes) -> None:
        """Keep bytes posted to an upload_url (used by the HTTP handler)."""
        with self._changed:
            self._state.uploads[file_id] = content

    # -- faults ----------------------------------------------------------------------------
    def rate_limit(self, method: str, *, retry_after: int = 1, times: int | None = 1) -> None:
        """The next ``times`` calls get HTTP 429 with ``Retry-After``."""
        self._add_fault(method, Fault(429, "ratelimited", retry_after=retry_after, times=times))

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
        self._add_fault(method, Fault(status, error or "internal_error", times=times))

    def slow(self, method: str, seconds: float, *, times: int | None = 1) -> None:
        """The next ``times`` calls answer after ``seconds``."""
        self._add_fault(method, Fault(delay=seconds, times=times))

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        with self._changed:
            self._faults.clear()

    def _add_fault(self, method: str, fault: Fault) -> None:
        with self._changed:
            self._faults.setdefault(method, deque()).append(fault)

    def take_fault(self, method: str) -> Fault | None:
        """The fault the next call of ``method`` suffers, if any (used by the HTTP handler)."""
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
            arrival = self._arrivals.setdefault((method, key), threading.Condition(self._lock))
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
                arrival.wait(left)

    def record(self, call: Call) -> None:
        """Log a call and wake whoever waits for it (used by the HTTP handler)."""
        with self._changed:
            self._calls.append(call)
            if not call.ok:
                return
            for key in {None, call.key}:
                self._ok.setdefault((call.method, key), []).append(call)
                if (arrival := self._arrivals.get((call.method, key))) is not None:
                    arrival.notify_all()

    # -- the Web API -----------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Slack's answer to one Web API call (without faults)."""
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if token is None:
            return {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open" or token == self.app_token:
            return self._connections_open(method, token)
        with self._changed:
            team_id = self._state.tokens.get(token)
        if team_id is None:
            return {"ok": False, "error": "invalid_auth"}
        handler = METHODS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._changed:
            return handler(self, args, team_id)

    def _connections_open(self, method: str, token: str) -> dict[str, Any]:
        # Only an app-level token opens a Socket Mode connection, and it can do nothing else.
        if token != self.app_token:
            return {"ok": False, "error": "not_allowed_token_type"}
        if method != "apps.connections.open":
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode_url is None:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket_mode_url}

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
