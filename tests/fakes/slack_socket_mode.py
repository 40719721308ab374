"""Slack's Socket Mode endpoint on loopback: a real WebSocket server (``websockets``) that
greets a client with ``hello``, sends it envelopes (slash commands, events, interactions) in
Slack's wire format, and records the acks the client sends back with each ``envelope_id``.

    with SocketModeEndpoint(slack) as endpoint:          # slack: a started LoopbackSlack
        ...  # a Socket Mode client opens apps.connections.open and connects
        envelope = endpoint.send("slash_commands", payload)
        endpoint.wait_for_ack(envelope)                  # (seconds, response payload)
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from types import TracebackType
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.loopback.slack import LoopbackSlack

__all__ = ["SocketModeEndpoint"]


class SocketModeEndpoint:
    """One app's Socket Mode link; registers its URL with the loopback Web API."""

    def __init__(self, slack: LoopbackSlack, *, app_id: str = "A0GREENROOM") -> None:
        self.slack = slack
        self.app_id = app_id
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._sent: dict[str, float] = {}
        self._acks: dict[str, tuple[float, dict[str, Any]]] = {}
        self.received: list[dict[str, Any]] = []
        self._server: Server | None = None

    def __enter__(self) -> SocketModeEndpoint:
        self._server = serve(self._serve_client, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True).start()
        port = self._server.socket.getsockname()[1]
        self.slack.socket_mode_url = f"ws://127.0.0.1:{port}/link/?ticket=loopback"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.slack.socket_mode_url = None
        if self._server is not None:
            self._server.shutdown()

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a client is connected (and greeted)."""
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._connections), timeout):
                raise TimeoutError("no Socket Mode client connected")

    def send(self, type_: str, payload: dict[str, Any], *, accepts_response: bool = False) -> str:
        """Send one envelope to the newest connection; returns its ``envelope_id``."""
        envelope_id = f"env-{next(self._ids)}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": accepts_response,
        }
        if type_ == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        with self._changed:
            connection = self._connections[-1]
            self._sent[envelope_id] = time.monotonic()
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> tuple[float, dict[str, Any]]:
        """Seconds from sending to the client's ack, and the ack's ``payload`` (or {})."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"envelope {envelope_id} was not acknowledged")
            at, payload = self._acks[envelope_id]
            return at - self._sent[envelope_id], payload

    def _serve_client(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "loopback", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        connection.send(json.dumps(hello))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for message in connection:
                data = json.loads(message)
                with self._changed:
                    self.received.append(data)
                    envelope_id = data.get("envelope_id")
                    if isinstance(envelope_id, str):
                        self._acks[envelope_id] = (time.monotonic(), data.get("payload") or {})
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._connections.remove(connection)
