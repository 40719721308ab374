"""Driving greenroom like a Slack workspace does, for scenario tests.

A :class:`Workspace` posts signed requests over real sockets to ``greenroom serve``'s Starlette
app (uvicorn in a thread, port 0) and reads what greenroom sent back to the loopback Slack
Web API. Fixtures in ``tests/scenarios/conftest.py`` build it (``workspace``, ``serve_greenroom``).
Modals: :meth:`Workspace.wait_view` (a view once it shows some text), :meth:`~Workspace.act`
(click or select in it), :meth:`~Workspace.submit` (``view_submission``, answer applied),
:meth:`~Workspace.suggest` (an external select's options).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from bot.block_text import render_text, render_view
from bot.loopback.signed_requests import SignedRequest, SignedRequests
from bot.loopback.slack import Call, LoopbackSlack

#: response_url keys, unique across the workspaces of a test (several may share one greenroom)
_RESPONSE_KEYS = itertools.count(1)

__all__ = ["ALICE", "BOB", "CAROL", "NOBODY", "NO_EMAIL", "Sent", "UvicornThread", "Workspace"]

ALICE, BOB, CAROL, NOBODY, NO_EMAIL = "U0ALICE", "U0BOB", "U0CAROL", "U0NOBODY", "U0NOEMAIL"
SLACK_USERS = {
    ALICE: "alice@acme.example",
    BOB: "bob.b@acme.example",
    CAROL: "carol@acme.example",
    NOBODY: "nobody@elsewhere.example",
    NO_EMAIL: None,
}


class UvicornThread:
    """A Starlette app served by uvicorn on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60  # a loaded machine starts answer pools slowly
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@dataclass
class Sent:
    """A request posted to greenroom, its HTTP response, and where its replies go."""

    request: SignedRequest
    response: httpx.Response
    seconds: float
    response_key: str | None = None


class Workspace:
    """A Slack workspace talking to one running greenroom."""

    def __init__(
        self,
        url: str,
        slack: LoopbackSlack,
        requests: SignedRequests,
        command: str,
        *,
        stop: Callable[[], None] = lambda: None,
    ) -> None:
        self.url = url
        self.stop_greenroom = stop
        self.slack = slack
        self.requests = requests
        self.command_name = command
        self.http = httpx.Client(base_url=url, trust_env=False, timeout=30)

    def close(self) -> None:
        self.http.close()

    # -- sending -------------------------------------------------------------------------
    def post(self, request: SignedRequest, *, path: str = "/slack/events") -> httpx.Response:
        """Post a signed request as Slack would."""
        return self.http.post(path, content=request.body, headers=request.headers)

    def command(
        self,
        text: str,
        *,
        user: str = ALICE,
        command: str | None = None,
        channel: str = "C0GENERAL",
    ) -> Sent:
        """Type ``/greenroom <text>`` (Slack escapes ``&``, ``<``, ``>`` first)."""
        key = f"cmd-{next(_RESPONSE_KEYS)}"
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        request = self.requests.slash_command(
            escaped,
            user_id=user,
            command=command or self.command_name,
            channel_id=channel,
            response_url=self.slack.response_url(key),
        )
        return self._send(request, key)

    def click(self, message: dict[str, Any], button: str, *, user: str = ALICE) -> Sent:
        """Click the button labelled ``button`` on a message greenroom sent."""
        element, block_id = _find_button(message, button)
        key = f"click-{next(_RESPONSE_KEYS)}"
        action = {
            "action_id": element["action_id"],
            "block_id": block_id,
            "text": element["text"],
            "value": element.get("value", ""),
        }
        request = self.requests.block_actions(
            [action], user_id=user, response_url=self.slack.response_url(key), message=message
        )
        return self._send(request, key)

    def mention(
        self,
        text: str,
        *,
        user: str = ALICE,
        channel: str = "C0GENERAL",
        thread_ts: str | None = None,
    ) -> Sent:
        """``@greenroom <text>`` in a channel."""
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{self.slack.bot_user_id}> {text}",
            "channel": channel,
            "ts": f"{time.time():.6f}",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self._send(self.requests.event(event), None)

    def open_home(self, user: str = ALICE) -> dict[str, Any]:
        """Open the app's Home tab and wait for the view greenroom publishes."""
        before = len(self.slack.calls("views.publish"))
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        sent = self._send(self.requests.event(event), None)
        assert sent.response.status_code == 200, sent.response.text
        calls = self.slack.wait_for("views.publish", count=before + 1)
        return dict(calls[before].args["view"])

    # -- modals --------------------------------------------------------------------------
    def wait_view(
        self, view_id: str, shows: str | tuple[str, ...], *, timeout: float = 30
    ) -> dict[str, Any]:
        """The modal ``view_id`` once its text contains ``shows`` (or one of them)."""
        deadline = time.monotonic() + timeout
        wanted = (shows,) if isinstance(shows, str) else shows
        while True:
            try:
                view = self.slack.view(view_id)
            except KeyError:
                view = {}
            if any(text in render_view(view) for text in wanted):
                return view
            if time.monotonic() > deadline:
                raise TimeoutError(f"view {view_id} never showed {shows!r}:\n{render_view(view)}")
            time.sleep(0.02)

    def act(self, view_id: str, action_id: str, *, value: str = "", user: str = ALICE) -> Sent:
        """Click a button (or pick ``value`` in a select) with ``action_id`` in an open modal."""
        view = self.slack.view(view_id)
        for block in view.get("blocks", []):
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                if element.get("action_id") != action_id:
                    continue
                if element["type"] == "button" and value and element.get("value") != value:
                    continue
                action: dict[str, Any] = {
                    "action_id": action_id,
                    "block_id": block.get("block_id", ""),
                    "type": element["type"],
                }
                if element["type"] == "button":
                    action |= {"text": element["text"], "value": element.get("value", "")}
                else:
                    action["selected_option"] = {
                        "text": {"type": "plain_text", "text": value},
                        "value": value,
                    }
                return self._send(
                    self.requests.block_actions([action], user_id=user, view=view), None
                )
        raise AssertionError(f"no {action_id!r} ({value!r}) in view {view_id}")

    def submit(
        self, view_id: str, values: dict[str, dict[str, Any]], *, user: str = ALICE
    ) -> dict[str, Any]:
        """Submit an open modal with ``values`` (``{block_id: {action_id: state}}``) and
        return greenroom's answer; a ``response_action: update`` is applied as Slack would."""
        sent = self._send(
            self.requests.view_submission(self.slack.view(view_id), user_id=user, values=values),
            None,
        )
        assert sent.response.status_code == 200, sent.response.text
        answer: dict[str, Any] = sent.response.json() if sent.response.content else {}
        if answer.get("response_action") == "update":
            self.slack.replace_view(view_id, answer["view"])
        return answer

    def suggest(
        self, view_id: str, block_id: str, action_id: str, typed: str, *, user: str = ALICE
    ) -> list[dict[str, Any]]:
        """What an external select in an open modal offers for ``typed``."""
        request = self.requests.block_suggestion(
            action_id, typed, user_id=user, block_id=block_id, view=self.slack.view(view_id)
        )
        response = self.post(request)
        assert response.status_code == 200, response.text
        return list(response.json()["options"])

    def _send(self, request: SignedRequest, key: str | None) -> Sent:
        started = time.monotonic()
        response = self.post(request)
        return Sent(request, response, time.monotonic() - started, key)

    # -- reading -------------------------------------------------------------------------
    def reply(self, sent: Sent, *, count: int = 1, timeout: float = 15) -> dict[str, Any]:
        """The ``count``-th message greenroom posted to the request's response_url."""
        assert sent.response.status_code == 200, (sent.response.status_code, sent.response.text)
        assert sent.response_key is not None
        calls = self.slack.wait_for(
            "response_url", count=count, key=sent.response_key, timeout=timeout
        )
        return dict(calls[count - 1].args)

    def ask(self, text: str, *, user: str = ALICE) -> dict[str, Any]:
        """``/greenroom <text>`` and its reply."""
        return self.reply(self.command(text, user=user))

    def replies_to(self, sent: Sent) -> list[Call]:
        """Everything posted to the request's response_url so far."""
        return [c for c in self.slack.calls("response_url") if c.key == sent.response_key]

    def metric(self, name: str, **labels: str) -> float:
        """One sample from ``/metrics`` (0 when absent)."""
        page = self.http.get("/metrics").text
        for family in text_string_to_metric_families(page):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    return float(sample.value)
        return 0.0

    def wait_metric(self, name: str, value: float, *, timeout: float = 10, **labels: str) -> None:
        """Wait until a metric reaches ``value`` (work after the ack is asynchronous)."""
        deadline = time.monotonic() + timeout
        while self.metric(name, **labels) < value:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}{labels} stayed at {self.metric(name, **labels)}")
            time.sleep(0.02)

    @staticmethod
    def text(payload: dict[str, Any]) -> str:
        """A message as the text a person would read."""
        return render_text(payload)

    @staticmethod
    def view_text(view: dict[str, Any]) -> str:
        return render_view(view)

    @staticmethod
    def buttons(payload: dict[str, Any]) -> list[str]:
        """The labels of every button in a message."""
        return [
            e["text"]["text"]
            for block in payload.get("blocks", [])
            for e in [*block.get("elements", []), block.get("accessory") or {}]
            if e.get("type") == "button"
        ]


def _find_button(message: dict[str, Any], label: str) -> tuple[dict[str, Any], str]:
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element, block.get("block_id", "")
    raise AssertionError(f"no button {label!r} in {Workspace.buttons(message)}")
