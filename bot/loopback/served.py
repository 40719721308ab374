"""The life of a loopback fake served over HTTP on 127.0.0.1 (a random port): start, stop,
its URL, and the event that releases requests a ``hang()`` fault holds."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

__all__ = ["Served"]


class Served:
    """Mixed into a fake (a dataclass with ``_server`` and ``_release`` fields); ``handler``
    names its request handler class, which reads the fake from its ``api`` attribute."""

    _server: ThreadingHTTPServer | None
    _release: threading.Event
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve HTTPS

    def start(self) -> Self:
        bound: Any = type("Bound", (self.handler(),), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self._server.daemon_threads = True
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving; requests held by a ``hang()`` are let go first."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
