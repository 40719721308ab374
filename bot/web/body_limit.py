"""Request bodies bounded before they are read: one ASGI middleware in front of every route.

A body declared larger than the limit (``Content-Length``) is refused with 413 before a byte
of it is read. A body without a length (``Transfer-Encoding: chunked``) is counted as it
arrives and refused the moment it passes the limit, so no client can make the process hold
more than the limit of one request, whatever route it posts to. The 413 closes the
connection, so the rest of the body is never read either.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit"]


class _TooLarge(Exception):
    """Raised into the app when its body passes the limit (it has nothing left to read)."""


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes``, 400 for an unreadable length."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is None:
            await _refuse(send, 400, b"bad content-length")
            return
        if declared > self.max_bytes:
            await _refuse(send, 413, b"too large")
            return
        guard = _Guard(receive, send, self.max_bytes)
        with contextlib.suppress(_TooLarge):
            await self.app(scope, guard.receive, guard.send)
        if guard.exceeded and not guard.started:
            await _refuse(send, 413, b"too large")


class _Guard:
    """Counts what the app reads; past the limit the app's reads fail and its answer, which
    can only be an error about that failure, is replaced by the 413."""

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive, self._send, self._limit = receive, send, limit
        self.read = 0
        self.exceeded = False
        self.started = False

    async def receive(self) -> Message:
        if self.exceeded:
            raise _TooLarge
        message = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self._limit:
                self.exceeded = True
                raise _TooLarge
        return message

    async def send(self, message: Message) -> None:
        if self.exceeded and not self.started:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when none is declared), or None when it is not one number."""
    values = {v for k, v in scope.get("headers", ()) if k.lower() == b"content-length"}
    if not values:
        return 0
    if len(values) > 1:
        return None
    value = values.pop().strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
