"""Marquez (OpenLineage's reference backend): ``GET /api/v1/lineage?nodeId=...&depth=N``, the
graph around one job or dataset as nodes with in- and out-edges. Node ids are
``job:<namespace>:<name>`` and ``dataset:<namespace>:<name>``; a namespace may itself hold
``:`` (``postgres://db:5432``), so nodes are told apart by their ``data``, not by splitting ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from integrations.pipelines.config import MarquezConfig
from integrations.pipelines.errors import EngineAuthFailed, EngineUnreachable

__all__ = ["LineageEdge", "LineageNode", "MarquezClient", "node_id"]


@dataclass(frozen=True, slots=True)
class LineageNode:
    """A job or dataset as OpenLineage names it."""

    id: str
    type: str  # JOB or DATASET
    namespace: str
    name: str


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """Data flows from ``origin`` to ``destination`` (dataset -> job read, job -> dataset write)."""

    origin: str
    destination: str


def node_id(kind: str, namespace: str, name: str) -> str:
    """Marquez's node id: ``job:ns:name`` or ``dataset:ns:name``."""
    return f"{kind}:{namespace}:{name}"


class MarquezClient:
    """Read-only calls to Marquez; errors raise ``EngineUnreachable`` in words."""

    def __init__(
        self,
        config: MarquezConfig,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.timeout = timeout
        headers = {"Accept": "application/json", "User-Agent": "greenroom"}
        if config.token is not None:
            headers["Authorization"] = f"Bearer {config.token.get_secret_value()}"
        self._http = httpx.Client(
            base_url=config.api_url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def lineage(
        self, node: str, *, depth: int | None = None
    ) -> tuple[list[LineageNode], list[LineageEdge]] | None:
        """The graph around ``node``; None when Marquez does not know it."""
        params: dict[str, str | int] = {"nodeId": node, "depth": depth or self.config.depth}
        try:
            response = self._http.get("/lineage", params=params)
        except httpx.TimeoutException:
            raise EngineUnreachable(f"Marquez did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise EngineUnreachable(
                f"Marquez could not be reached ({type(error).__name__})"
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise EngineAuthFailed(
                f"Marquez refused greenroom ({response.status_code}): check pipelines.marquez."
                "token_env and the token's permissions"
            )
        if response.status_code >= 400:
            raise EngineUnreachable(
                f"Marquez answered {response.status_code}: {_message(response)}"
            )
        try:
            body = response.json()
        except ValueError:
            raise EngineUnreachable("Marquez answered something that is not JSON") from None
        return _graph(body)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    return (
        str(body.get("message") or response.reason_phrase)[:300] if isinstance(body, dict) else ""
    )


def _graph(body: Any) -> tuple[list[LineageNode], list[LineageEdge]]:
    items = body.get("graph") if isinstance(body, dict) else None
    nodes: list[LineageNode] = []
    edges: set[LineageEdge] = set()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        data = item.get("data")
        data = data if isinstance(data, dict) else {}
        ident = data.get("id")
        ident = ident if isinstance(ident, dict) else {}
        namespace = str(ident.get("namespace") or data.get("namespace") or "")
        name = str(ident.get("name") or data.get("name") or "")
        nodes.append(LineageNode(item["id"], str(item.get("type") or ""), namespace, name))
        for key in ("inEdges", "outEdges"):
            for edge in item.get(key) or []:
                if isinstance(edge, dict) and edge.get("origin") and edge.get("destination"):
                    edges.add(LineageEdge(str(edge["origin"]), str(edge["destination"])))
    return nodes, sorted(edges, key=lambda e: (e.origin, e.destination))
