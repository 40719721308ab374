"""A fake Marquez (OpenLineage's reference backend) on 127.0.0.1 (random port).

Serves ``GET /api/v1/lineage?nodeId=<id>&depth=<n>`` as Marquez does: every job and dataset
within ``depth`` hops of the node (both directions), each with ``type`` (``JOB`` or
``DATASET``), ``data`` and ``inEdges``/``outEdges`` of ``{origin, destination}``; an unknown
node is a 404 in Dropwizard's ``{"code", "message"}`` shape. Jobs are added with their inputs
and outputs, as OpenLineage run events would record them. Faults: ``hang()``, ``fail(status)``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.loopback.served import Served

__all__ = ["FakeMarquez"]

_WHEN = "2026-05-04T03:00:00Z"


@dataclass
class FakeMarquez(Served):
    """A running fake Marquez; a context manager, or ``start``/``close``."""

    token: str | None = None
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    _fault: tuple[str, int] | None = None
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def add_job(
        self,
        namespace: str,
        name: str,
        *,
        inputs: tuple[tuple[str, str], ...] = (),
        outputs: tuple[tuple[str, str], ...] = (),
    ) -> str:
        """A job and the datasets it read and wrote (as its run events said); its node id."""
        job = f"job:{namespace}:{name}"
        self.nodes[job] = _job(namespace, name, inputs, outputs)
        for ds_namespace, ds_name in (*inputs, *outputs):
            dataset = f"dataset:{ds_namespace}:{ds_name}"
            self.nodes.setdefault(dataset, _dataset(ds_namespace, ds_name))
        self.edges |= {(f"dataset:{ns}:{n}", job) for ns, n in inputs}
        self.edges |= {(job, f"dataset:{ns}:{n}") for ns, n in outputs}
        return job

    def hang(self) -> None:
        self._fault = ("hang", 0)

    def fail(self, status: int) -> None:
        self._fault = ("status", status)

    def heal(self) -> None:
        self._fault = None
        self._release.set()
        self._release = threading.Event()

    def lineage(self, start: str, depth: int) -> list[dict[str, Any]]:
        ins: dict[str, list[str]] = defaultdict(list)
        outs: dict[str, list[str]] = defaultdict(list)
        for origin, destination in sorted(self.edges):
            outs[origin].append(destination)
            ins[destination].append(origin)
        seen = {start}
        frontier = [start]
        for _ in range(depth):
            following = []
            for node in frontier:
                for near in (*ins[node], *outs[node]):
                    if near not in seen:
                        seen.add(near)
                        following.append(near)
            frontier = following
        return [
            {
                "id": node,
                "type": "JOB" if node.startswith("job:") else "DATASET",
                "data": self.nodes[node],
                "inEdges": [{"origin": o, "destination": node} for o in ins[node]],
                "outEdges": [{"origin": node, "destination": d} for d in outs[node]],
            }
            for node in sorted(seen)
        ]


def _job(
    namespace: str,
    name: str,
    inputs: tuple[tuple[str, str], ...],
    outputs: tuple[tuple[str, str], ...],
) -> dict[str, Any]:
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "BATCH",
        "name": name,
        "simpleName": name.rsplit(".", 1)[-1],
        "parentJobName": None,
        "namespace": namespace,
        "inputs": [{"namespace": ns, "name": n} for ns, n in inputs],
        "outputs": [{"namespace": ns, "name": n} for ns, n in outputs],
        "location": None,
        "createdAt": _WHEN,
        "updatedAt": _WHEN,
    }


def _dataset(namespace: str, name: str) -> dict[str, Any]:
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "DB_TABLE",
        "name": name,
        "physicalName": name,
        "namespace": namespace,
        "sourceName": namespace,
        "fields": [],
        "tags": [],
        "createdAt": _WHEN,
        "updatedAt": _WHEN,
        "lastModifiedAt": _WHEN,
    }


class _Handler(BaseHTTPRequestHandler):
    api: FakeMarquez
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.api.requests.append(self.path)
        fault = self.api._fault
        if fault is not None and fault[0] == "hang":
            self.api._release.wait(60)
            self.close_connection = True
            return None
        if self.api.token and self.headers.get("Authorization") != f"Bearer {self.api.token}":
            return self._send(401, {"code": 401, "message": "HTTP 401 Unauthorized"})
        if fault is not None:
            return self._send(fault[1], {"code": fault[1], "message": "Server Error"})
        if url.path != "/api/v1/lineage":
            return self._send(404, {"code": 404, "message": "HTTP 404 Not Found"})
        query = parse_qs(url.query)
        start = (query.get("nodeId") or [""])[0]
        if start not in self.api.nodes:
            kind = start.split(":", 1)[0]
            return self._send(404, {"code": 404, "message": f"Node '{start}' not found ({kind})."})
        depth = int((query.get("depth") or ["20"])[0])
        self._send(200, {"graph": self.api.lineage(start, depth)})
        return None

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
