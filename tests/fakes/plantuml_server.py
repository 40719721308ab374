"""A loopback fake of a PlantUML server, the kind a repository's ``mkdocs.yml`` may name.

Speaks the real wire format: ``GET /<format>/<encoded>`` where ``encoded`` is the diagram
deflated (raw, no zlib header) and written in PlantUML's base64 alphabet (``0-9A-Za-z-_``),
and ``POST /<format>/`` with the diagram as the text body. It records every request and
answers a ``txt`` "rendering" that repeats the diagram after :data:`MARKER`, so anything a
build sent it would show up in the page, as a real server's text rendering would.
"""

from __future__ import annotations

import base64
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKER = "RENDERED-BY-THE-REPOSITORYS-SERVER"
_PLANTUML = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@dataclass
class PlantUmlRequest:
    """One request the fake received, with the diagram it carried."""

    method: str
    path: str
    diagram: str


@dataclass
class FakePlantUml:
    """What the server saw; ``url`` is set while it runs."""

    requests: list[PlantUmlRequest] = field(default_factory=list)
    url: str = ""


def decode_diagram(encoded: str) -> str:
    """The diagram text of a GET path segment."""
    data = encoded.encode().translate(bytes.maketrans(_PLANTUML, _BASE64))
    data += b"=" * (-len(data) % 4)
    return zlib.decompress(base64.b64decode(data), -15).decode("utf-8", "replace")


@contextmanager
def serve_plantuml() -> Iterator[FakePlantUml]:
    """Run the fake on 127.0.0.1 (random port) for the duration of the block."""
    fake = FakePlantUml()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            encoded = self.path.rstrip("/").rsplit("/", 1)[-1]
            try:
                diagram = decode_diagram(encoded)
            except (ValueError, zlib.error):
                diagram = ""
            self._answer("GET", diagram)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer("POST", self.rfile.read(length).decode("utf-8", "replace"))

        def _answer(self, method: str, diagram: str) -> None:
            fake.requests.append(PlantUmlRequest(method, self.path, diagram))
            body = f"{MARKER}\n{diagram}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
