"""A fake Kubernetes API server on 127.0.0.1 (random port), for the real ``kubernetes`` client.

It serves what greenroom reads, with the API server's real shapes: ``PodList``,
``DeploymentList``, ``StatefulSetList``, ``HorizontalPodAutoscalerList`` (autoscaling/v2),
``EventList``, ``CronJobList`` and ``JobList`` (batch/v1), plus ConfigMaps and Secrets (so
tests can prove they are never asked for);
namespaced and all-namespaces paths; ``labelSelector`` (equality and set-based) and
``fieldSelector`` filtering; bearer-token auth; ``Status`` errors shaped like the real ones.
Faults: ``hang()``, ``slow(seconds)``, ``fail(status)``, ``garbage()`` (invalid JSON),
``refuse()`` (nothing listens any more); each optionally for one resource only. With
``tls=(cert, key)`` it serves HTTPS.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from bot.loopback.kubernetes_writes import OBJECT_PATH as _OBJECT_PATH, object_answer
from bot.loopback.served import Served

__all__ = ["FakeKubernetesApi", "Request", "write_kubeconfig"]

# resource name -> (API prefix, kind of the items)
RESOURCES = {
    "pods": ("/api/v1", "Pod"),
    "events": ("/api/v1", "Event"),
    "configmaps": ("/api/v1", "ConfigMap"),
    "secrets": ("/api/v1", "Secret"),
    "deployments": ("/apis/apps/v1", "Deployment"),
    "statefulsets": ("/apis/apps/v1", "StatefulSet"),
    "replicasets": ("/apis/apps/v1", "ReplicaSet"),
    "horizontalpodautoscalers": ("/apis/autoscaling/v2", "HorizontalPodAutoscaler"),
    "cronjobs": ("/apis/batch/v1", "CronJob"),
    "jobs": ("/apis/batch/v1", "Job"),
}
KIND_TO_RESOURCE = {kind: name for name, (_, kind) in RESOURCES.items()}
_PATH = re.compile(
    r"^(?P<prefix>/api/v1|/apis/[a-z0-9.]+/[a-z0-9]+)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>[a-z]+)$"
)


@dataclass(frozen=True)
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str | None


@dataclass
class _Fault:
    kind: str  # hang, slow, status, garbage
    resource: str | None = None
    seconds: float = 0.0
    status: int = 500


@dataclass
class FakeKubernetesApi(Served):
    """A running fake API server; use as a context manager or call ``start``/``close``."""

    token: str = "fake-token"
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve HTTPS
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _fault: _Fault | None = None
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict[tuple[str, str], tuple[int, bytes, str]] = field(default_factory=dict)
    #: writes (kubernetes_writes.py): how long a rollout or a Job takes, and refused writes
    rollout_seconds: float = 0.3
    write_faults: dict[str, int] = field(default_factory=dict)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    # --- content -------------------------------------------------------------------------

    def add(self, *objects: dict[str, Any]) -> None:
        """Store objects (by their ``kind``), as ``kubectl apply`` would."""
        with self._lock:
            for obj in objects:
                self.objects.setdefault(KIND_TO_RESOURCE[obj["kind"]], []).append(obj)
            self._cache.clear()

    def clear(self) -> None:
        with self._lock:
            self.objects.clear()
            self._cache.clear()

    def paths(self) -> list[str]:
        """Every path asked for so far."""
        return [r.path for r in self.requests]

    # --- faults --------------------------------------------------------------------------

    def hang(self, resource: str | None = None) -> None:
        """Accept, then never answer (until ``heal`` or ``close``)."""
        self._fault = _Fault("hang", resource)

    def slow(self, seconds: float, resource: str | None = None) -> None:
        """Answer correctly, ``seconds`` late."""
        self._fault = _Fault("slow", resource, seconds=seconds)

    def fail(self, status: int, resource: str | None = None) -> None:
        """Answer with the API server's ``Status`` for this HTTP status."""
        self._fault = _Fault("status", resource, status=status)

    def garbage(self, resource: str | None = None) -> None:
        """Answer 200 with a body that is not JSON (a proxy's HTML page)."""
        self._fault = _Fault("garbage", resource)

    def refuse(self) -> None:
        """Stop listening: connections are refused from now on."""
        self.close()

    def heal(self) -> None:
        self._fault = None
        self._release.set()
        self._release = threading.Event()

    def forbid(self, resource: str = "*") -> None:
        """Refuse writes to ``resource`` with 403, as RBAC without the actions Role does."""
        self.write_faults[resource] = 403

    def conflict(self, resource: str = "*") -> None:
        """Answer writes to ``resource`` with 409 Conflict (someone changed it meanwhile)."""
        self.write_faults[resource] = 409

    def allow_writes(self) -> None:
        self.write_faults.clear()

    def get(self, resource: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object (a live reference: what writes changed)."""
        with self._lock:
            for obj in self.objects.get(resource, []):
                meta = obj.get("metadata", {})
                if meta.get("namespace") == namespace and meta.get("name") == name:
                    return obj
        return None

    def writes(self) -> list[Request]:
        """Every request that was not a GET."""
        return [r for r in self.requests if r.method != "GET"]

    def fault_for(self, resource: str) -> _Fault | None:
        fault = self._fault
        if fault is None or (fault.resource is not None and fault.resource != resource):
            return None
        return fault

    def kubeconfig(self, path: Path, *, context: str = "fake", token: str | None = None) -> Path:
        """A kubeconfig file whose only context points at this server."""
        return write_kubeconfig(path, {context: (self.url, token or self.token)})


def write_kubeconfig(path: Path, contexts: dict[str, tuple[str, str]]) -> Path:
    """A kubeconfig with one context per ``name: (server URL, token)``."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": {"server": url}} for n, (url, _) in contexts.items()],
        "users": [{"name": n, "user": {"token": token}} for n, (_, token) in contexts.items()],
        "contexts": [{"name": n, "context": {"cluster": n, "user": n}} for n in contexts],
        "current-context": next(iter(contexts)),
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


class _Handler(BaseHTTPRequestHandler):
    api: FakeKubernetesApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once, as from a real server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        auth = self.headers.get("Authorization")
        self.api.requests.append(Request("GET", url.path, query, auth))
        if _OBJECT_PATH.match(url.path):  # one object (or its scale): see kubernetes_writes.py
            self._send(*object_answer(self.api, "GET", url.path, auth, None, None))
            return
        match = _PATH.match(url.path)
        resource = match["res"] if match else ""
        fault = self.api.fault_for(resource)
        if fault is not None and fault.kind == "hang":
            self.api._release.wait(60)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        key = (self.path, auth or "")
        answer = self.api._cache.get(key) if fault is None else None
        if answer is None:
            answer = self._answer(match, resource, query, auth, fault)
            if fault is None:  # the same question gets the same bytes until objects change
                self.api._cache[key] = answer
        self._send(*answer)

    def _answer(
        self,
        match: re.Match[str] | None,
        resource: str,
        query: dict[str, str],
        auth: str | None,
        fault: _Fault | None,
    ) -> tuple[int, bytes, str]:
        if auth != f"Bearer {self.api.token}":
            return _status(401, "Unauthorized", "Unauthorized")
        if fault is not None and fault.kind == "status":
            return _fault_status(fault.status, resource, match["ns"] if match else None)
        if fault is not None and fault.kind == "garbage":
            return 200, b"<html><body>Sign in to continue</body></html>", _JSON
        if not match or resource not in RESOURCES or RESOURCES[resource][0] != match["prefix"]:
            return 404, b"404 page not found\n", "text/plain; charset=utf-8"
        try:
            items = self._select(resource, match["ns"], query)
        except ValueError as error:
            return _status(400, "BadRequest", str(error))
        kind = RESOURCES[resource][1]
        api_version = RESOURCES[resource][0].removeprefix("/api/").removeprefix("/apis/")
        body = {
            "kind": f"{kind}List",
            "apiVersion": api_version,
            "metadata": {"resourceVersion": "4242"},
            "items": items,
        }
        return 200, json.dumps(body).encode(), _JSON

    def do_POST(self) -> None:
        """Writes (PATCH an object or its scale, POST a Job): bot/loopback/kubernetes_writes.py."""
        url = urlsplit(self.path)
        auth = self.headers.get("Authorization")
        self.api.requests.append(Request(self.command, url.path, {}, auth))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        self._send(*object_answer(self.api, self.command, url.path, auth, body, content_type))

    do_PUT = do_PATCH = do_DELETE = do_POST

    def _select(self, resource: str, namespace: str | None, query: dict[str, str]) -> list[Any]:
        labels = _parse_label_selector(query.get("labelSelector", ""))
        fields = _parse_field_selector(query.get("fieldSelector", ""))
        with self.api._lock:
            stored = list(self.api.objects.get(resource, []))
        found = []
        for obj in stored:
            meta = obj.get("metadata", {})
            if namespace is not None and meta.get("namespace") != namespace:
                continue
            if not all(test(meta.get("labels") or {}) for test in labels):
                continue
            if not all(
                (_field(obj, p) != v) if neg else (_field(obj, p) == v) for p, v, neg in fields
            ):
                continue
            item = {k: v for k, v in obj.items() if k not in {"kind", "apiVersion"}}
            found.append(item)
        limit = int(query["limit"]) if query.get("limit") else None
        return found[:limit] if limit else found

    def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (a deadline test); a real server moves on too


def _fault_status(status: int, resource: str, namespace: str | None) -> tuple[int, bytes, str]:
    if status == 401:
        return _status(401, "Unauthorized", "Unauthorized")
    if status == 403:
        where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        return _status(
            403,
            "Forbidden",
            f'{resource} is forbidden: User "system:serviceaccount:greenroom:greenroom" '
            f'cannot list resource "{resource}" in API group "" {where}',
            details={"kind": resource},
        )
    if status == 404:
        return _status(404, "NotFound", "the server could not find the requested resource")
    if status == 429:
        return _status(429, "TooManyRequests", "too many requests, please try again later")
    return _status(
        status,
        "InternalError",
        "Internal error occurred: etcdserver: request timed out",
        details={"causes": [{"message": "etcdserver: request timed out"}]},
    )


def _status(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> tuple[int, bytes, str]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return code, json.dumps(body).encode(), _JSON


def _field(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _parse_field_selector(text: str) -> list[tuple[str, str, bool]]:
    """``a.b=x,c!=y`` -> [(path, value, negated)]."""
    parsed = []
    for term in filter(None, (t.strip() for t in text.split(","))):
        negated = "!=" in term
        path, _, value = term.partition("!=" if negated else "=")
        parsed.append((path.strip(), value.lstrip("=").strip(), negated))
    return parsed


_JSON = "application/json"
_SET = re.compile(r"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$")


def _parse_label_selector(text: str) -> list[Any]:
    """Kubernetes label selector syntax -> tests on a labels dict; ValueError when invalid."""
    terms, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += ch
    terms.append(current)
    tests: list[Callable[..., bool]] = []
    for raw in filter(None, (t.strip() for t in terms)):
        if m := _SET.match(raw):
            key, op, values = m[1], m[2], {v.strip() for v in m[3].split(",")}
            if op == "in":
                tests.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif "!=" in raw:
            key, value = (p.strip() for p in raw.split("!=", 1))
            tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
        elif "=" in raw:
            key, value = (p.strip() for p in raw.replace("==", "=").split("=", 1))
            tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif raw.startswith("!"):
            tests.append(lambda labels, k=raw[1:].strip(): k not in labels)
        elif re.fullmatch(r"[\w./-]+", raw):
            tests.append(lambda labels, k=raw: k in labels)
        else:
            raise ValueError(f'unable to parse requirement: found "{raw}", expected: identifier')
    return tests
