"""The local console: ask greenroom a question with no Slack workspace at all.

A question goes through the real Bolt app exactly as from Slack: a request signed with a
one-off signing secret is dispatched into the app, the real listeners answer, and their
replies are captured from a loopback Slack Web API (``bot/loopback/slack.py``) and its
response_url sink. It works on the configured database (the catalog must be synced).

    with Console(runtime) as console:
        answer = console.ask("/greenroom owner payments-api", email="daniel.okafor@globex.example")
        print(answer.text())

Questions: ``/command text`` (a slash command), ``@app text`` (a mention in a channel), or
plain ``text`` (the configured slash command); ``home=True`` opens the caller's Home tab.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from pydantic import SecretStr
from slack_bolt import App

from bot.app import assemble
from bot.block_text import render_text, render_view
from bot.capabilities import CAPABILITIES
from bot.loopback.signed_requests import SignedRequest, SignedRequests
from bot.loopback.slack import Call, LoopbackSlack
from bot.web.slack_request import SlackRequest
from catalog.annotations import SLACK_USER_ID
from catalog.groups import person_of
from commands import Capability
from runtime.process import Runtime
from slackkit.incoming import RECEIVED

__all__ = ["Console", "ConsoleAnswer"]

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
_SHOWN = {
    "response_url",
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.update",
    "views.publish",
}


@dataclass
class ConsoleAnswer:
    """What the app did with one question: its HTTP answer and every reply it sent."""

    question: str
    status: int
    replies: list[Call] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.status == 200 and bool(self.replies)

    def payloads(self) -> list[dict[str, Any]]:
        """The Block Kit payloads, each with the Web API method (or response_url) it used."""
        return [{"via": call.method, "payload": call.args} for call in self.replies]

    def text(self) -> str:
        """The replies as readable text."""
        if self.status != 200:
            return f"The app did not take that request (HTTP {self.status})."
        if not self.replies:
            return "The app acknowledged but sent no reply."
        parts: list[str] = []
        modal_at: int | None = None  # where the open modal is printed: updates replace it
        for call in self.replies:
            args = call.args
            if call.method.startswith("views."):
                view = args.get("view") if isinstance(args.get("view"), dict) else {}
                text = render_view(view or {}, self.names, emphasis=False)
                if call.method == "views.update" and modal_at is not None:
                    parts[modal_at] = text
                    continue
                if call.method == "views.open":
                    modal_at = len(parts)
                parts.append(text)
            else:
                parts.append(render_text(args, self.names, emphasis=False))
        return "\n\n".join(parts)


class _DrainableExecutor(ThreadPoolExecutor):
    """A listener pool that can wait until everything submitted so far has finished."""

    def __init__(self) -> None:
        super().__init__(4, thread_name_prefix="greenroom-console")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                future.exception(timeout=max(deadline - time.monotonic(), 0.01))


class Console:
    """The real Bolt app wired to a loopback Slack, for asking questions from a terminal."""

    def __init__(
        self, runtime: Runtime, *, capabilities: Sequence[Capability] = CAPABILITIES
    ) -> None:
        self.slack = LoopbackSlack()
        self._runtime = runtime
        self.runtime = runtime
        self._capabilities = tuple(capabilities)
        self._secret = secrets.token_hex(16)
        self._executor = _DrainableExecutor()
        self._app: App | None = None
        self._background: ThreadPoolExecutor | None = None
        self._requests = SignedRequests(self._secret, team_id=self.slack.team_id)

    def __enter__(self) -> Console:
        self.slack.start()
        slack_settings = self._runtime.settings.slack.model_copy(
            update={
                "bot_token": SecretStr(self.slack.bot_token),
                "signing_secret": SecretStr(self._secret),
                "client_id": None,
                "client_secret": None,
                "api_url": self.slack.api_url,
                "response_url_origins": (self.slack.url,),
            }
        )
        settings = self._runtime.settings.model_copy(update={"slack": slack_settings})
        self.runtime = Runtime(settings, self._runtime.engine)  # its Slack is the loopback
        self._app, setup = assemble(
            self.runtime,
            executor=self._executor,
            capabilities=self._capabilities,
        )
        assert setup.slack is not None
        self._background = setup.slack.deps.background
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._executor.shutdown(wait=True)
        if self._background is not None:
            self._background.shutdown(wait=True)  # uploads started by answers, e.g. KPI charts
        self.slack.stop()

    def ask(self, question: str, *, email: str | None = None, home: bool = False) -> ConsoleAnswer:
        """Send ``question`` as the Slack user with ``email`` and collect every reply."""
        assert self._app is not None, "use Console as a context manager"
        user_id = self._user(email)
        before = len(self.slack.calls())
        request = self._request(question.strip(), user_id, home=home)
        headers: dict[str, str | Sequence[str]] = dict(request.headers)
        bolt_request = SlackRequest(body=request.body.decode(), headers=headers)
        bolt_request.context[RECEIVED] = time.monotonic()
        response = self._app.dispatch(bolt_request)
        self._executor.drain()
        replies = [c for c in self.slack.calls()[before:] if c.method in _SHOWN and c.ok]
        return ConsoleAnswer(question, response.status, replies, self._names(replies))

    def _names(self, replies: list[Call]) -> dict[str, str]:
        """Display names for the users mentioned: loopback members, else catalog Users whose
        ``slack.com/user_id`` annotation names them."""
        names = {u.id: u.name or u.id for u in self.slack.users()}
        mentioned = set(_MENTION.findall(json.dumps([c.args for c in replies])))
        for user_id in sorted(mentioned - set(names)):
            refs = self._runtime.catalog.with_annotation(SLACK_USER_ID, user_id, kind="user")
            stored = self._runtime.catalog.get(refs[0]) if refs else None
            if stored is not None:
                names[user_id] = person_of(stored).display_name
        return names

    def _user(self, email: str | None) -> str:
        if not email:
            user_id = "U0CONSOLE"
        else:
            digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10].upper()
            user_id = f"U{digest}"
        self.slack.add_user(user_id, email=email, name=email.split("@")[0] if email else "you")
        return user_id

    def _request(self, question: str, user_id: str, *, home: bool) -> SignedRequest:
        if home:
            event = {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"}
            return self._requests.event(event)
        if question.startswith("@"):
            _, _, text = question.partition(" ")
            event = {
                "type": "app_mention",
                "user": user_id,
                "text": f"<@{self.slack.bot_user_id}> {_escape(text)}",
                "channel": "C0GENERAL",
                "ts": f"{time.time():.6f}",
            }
            return self._requests.event(event)
        command = self._runtime.settings.slack.command
        if question.startswith("/"):
            command, _, question = question.partition(" ")
        return self._requests.slash_command(
            _escape(question),
            command=command,
            user_id=user_id,
            response_url=self.slack.response_url(),
        )


def _escape(text: str) -> str:
    # What Slack does to typed text before sending it.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
