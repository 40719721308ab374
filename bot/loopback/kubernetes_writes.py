"""Writes for the fake Kubernetes API server (``kubernetes_api.py``), as the API server answers
them: GET of one object and of a Deployment's ``scale`` subresource; PATCH with the three
patch types (``application/json-patch+json``, ``merge-patch+json``,
``strategic-merge-patch+json``, containers merged by name); PATCH of ``/scale``; POST of a Job;
``409 Conflict`` when a patch carries a stale ``metadata.resourceVersion``, ``409
AlreadyExists`` for a Job name taken, and ``403 Forbidden`` (``forbid``) with the RBAC message.

A Deployment whose pod template or replicas change rolls out the way a controller would: a
new ReplicaSet with the next ``deployment.kubernetes.io/revision``, ``observedGeneration``
caught up at once and the replicas updated and ready ``rollout_seconds`` later; a created Job
runs and succeeds after the same time. So a client can watch its change take effect.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.loopback.kubernetes_api import FakeKubernetesApi

__all__ = ["OBJECT_PATH", "REVISION", "object_answer"]

OBJECT_PATH = re.compile(
    r"^(?P<prefix>/api/v1|/apis/[a-z0-9.]+/[a-z0-9]+)/namespaces/(?P<ns>[^/]+)/(?P<res>[a-z]+)"
    r"/(?P<name>[^/]+)(?:/(?P<sub>scale|status))?$"
)
_COLLECTION = re.compile(
    r"^(?P<prefix>/api/v1|/apis/[a-z0-9.]+/[a-z0-9]+)/namespaces/(?P<ns>[^/]+)/(?P<res>[a-z]+)$"
)
REVISION = "deployment.kubernetes.io/revision"
_JSON = "application/json"
_VERBS = {"GET": "get", "PATCH": "patch", "POST": "create", "PUT": "update", "DELETE": "delete"}
Answer = tuple[int, bytes, str]


def object_answer(
    api: FakeKubernetesApi,
    method: str,
    path: str,
    auth: str | None,
    body: bytes | None,
    content_type: str | None,
) -> Answer:
    """The API server's answer to a request about one object (or a POST to a collection)."""
    from bot.loopback.kubernetes_api import RESOURCES

    if auth != f"Bearer {api.token}":
        return _status(401, "Unauthorized", "Unauthorized")
    match = OBJECT_PATH.match(path) or _COLLECTION.match(path)
    if match is None:
        return 404, b"404 page not found\n", "text/plain; charset=utf-8"
    resource, namespace = match["res"], match["ns"]
    name = match.groupdict().get("name")
    sub = match.groupdict().get("sub")
    if resource not in RESOURCES or RESOURCES[resource][0] != match["prefix"]:
        return 404, b"404 page not found\n", "text/plain; charset=utf-8"
    group = match["prefix"].removeprefix("/api/v1").removeprefix("/apis/").split("/")[0]
    qualified = f"{resource}.{group}" if group else resource
    subresource = f"{resource}/{sub}" if sub else resource
    verb = _VERBS.get(method, method.lower())
    fault = api.write_faults.get(resource) or api.write_faults.get("*")
    if fault is not None and method != "GET":
        if fault == 403:
            return _status(
                403,
                "Forbidden",
                f'{qualified} "{name or ""}" is forbidden: User '
                f'"system:serviceaccount:greenroom:greenroom" cannot {verb} resource '
                f'"{subresource}" in API group "{group}" in the namespace "{namespace}"',
                details={"name": name or "", "group": group, "kind": resource},
            )
        if fault == 409:
            return _conflict(qualified, name or "", group, resource)
        return _status(fault, "InternalError", "Internal error occurred")
    with api._lock:
        try:
            if method == "POST" and name is None:
                return _create(api, resource, namespace, body, qualified, group)
            if name is None:
                return _status(405, "MethodNotAllowed", f"{method} is not supported here")
            found = _find(api, resource, namespace, name)
            if found is None:
                return _status(
                    404,
                    "NotFound",
                    f'{qualified} "{name}" not found',
                    details={"name": name, "group": group, "kind": resource},
                )
            if method == "GET":
                shown = _scale(found) if sub == "scale" else _full(found, resource)
                return 200, _dump(shown), _JSON
            if method == "PATCH":
                return _patch(api, resource, found, sub, body, content_type, qualified, group)
            return _status(405, "MethodNotAllowed", f"{method} is not supported here")
        finally:
            api._cache.clear()


def _full(obj: dict[str, Any], resource: str) -> dict[str, Any]:
    from bot.loopback.kubernetes_api import RESOURCES

    prefix, kind = RESOURCES[resource]
    return {"kind": kind, "apiVersion": prefix.removeprefix("/api/").removeprefix("/apis/")} | obj


def _find(api: FakeKubernetesApi, resource: str, ns: str, name: str) -> dict[str, Any] | None:
    for obj in api.objects.get(resource, []):
        meta = obj.get("metadata", {})
        if meta.get("namespace") == ns and meta.get("name") == name:
            return obj
    return None


def _scale(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    labels = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
        "status": {
            "replicas": obj.get("status", {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        },
    }


def _patch(
    api: FakeKubernetesApi,
    resource: str,
    obj: dict[str, Any],
    sub: str | None,
    body: bytes | None,
    content_type: str | None,
    qualified: str,
    group: str,
) -> Answer:
    try:
        patch = json.loads(body or b"null")
    except ValueError as error:
        return _status(400, "BadRequest", f"error decoding patch: {error}")
    kind = (content_type or "").split(";")[0].strip()
    before = copy.deepcopy(obj)
    if sub == "scale":
        spec = patch.get("spec") if isinstance(patch, dict) else None
        replicas = spec.get("replicas") if isinstance(spec, dict) else None
        if not isinstance(replicas, int) or replicas < 0:
            return _status(
                422,
                "Invalid",
                f'Scale.autoscaling "{obj["metadata"]["name"]}" is invalid: spec.replicas: '
                "Invalid value: must be greater than or equal to 0",
            )
        obj.setdefault("spec", {})["replicas"] = replicas
    else:
        try:
            if kind == "application/json-patch+json":
                changed = _json_patch(obj, patch)
            elif kind == "application/merge-patch+json":
                changed = _merge(obj, patch, strategic=False)
            elif kind == "application/strategic-merge-patch+json":
                changed = _merge(obj, patch, strategic=True)
            else:
                return _status(
                    415,
                    "UnsupportedMediaType",
                    f"the body of the request was in an unknown "
                    f"format - accepted media types include: application/json-patch+json, "
                    f"application/merge-patch+json, application/apply-patch+yaml ({kind})",
                )
        except (KeyError, IndexError, TypeError, ValueError) as error:
            return _status(422, "Invalid", f"the patch could not be applied: {error}")
        wanted = (
            (patch if isinstance(patch, dict) else {}).get("metadata", {}).get("resourceVersion")
        )
        if wanted is not None and wanted != before["metadata"].get("resourceVersion"):
            obj.clear()
            obj.update(before)
            return _conflict(qualified, obj["metadata"]["name"], group, resource)
        obj.clear()
        obj.update(changed)
    meta = obj["metadata"]
    meta["resourceVersion"] = str(int(meta.get("resourceVersion") or "0") + 1)
    if resource in {"deployments", "statefulsets"}:
        _roll_out(api, resource, before, obj)
    answer = _scale(obj) if sub == "scale" else _full(obj, resource)
    return 200, _dump(answer), _JSON


def _roll_out(
    api: FakeKubernetesApi, resource: str, before: dict[str, Any], obj: dict[str, Any]
) -> None:
    spec, status = obj.setdefault("spec", {}), obj.setdefault("status", {})
    new_template = spec.get("template") != before.get("spec", {}).get("template")
    resized = spec.get("replicas") != before.get("spec", {}).get("replicas")
    if not (new_template or resized):
        return
    meta = obj["metadata"]
    replicas = int(spec.get("replicas", 1))
    if new_template:
        meta["generation"] = int(meta.get("generation") or 1) + 1
        status["updatedReplicas"] = 0
        if resource == "deployments":
            _new_replica_set(api, obj)
    status["observedGeneration"] = meta.get("generation")
    status["replicas"] = replicas

    def finish() -> None:
        with api._lock:
            status.update(
                updatedReplicas=replicas,
                readyReplicas=replicas,
                availableReplicas=replicas,
                replicas=replicas,
            )
            status.pop("unavailableReplicas", None)
            api._cache.clear()

    timer = threading.Timer(api.rollout_seconds, finish)
    timer.daemon = True
    timer.start()


def _new_replica_set(api: FakeKubernetesApi, deployment: dict[str, Any]) -> None:
    meta = deployment["metadata"]
    annotations = meta.setdefault("annotations", {})
    owned = [
        rs
        for rs in api.objects.get("replicasets", [])
        if any(o.get("uid") == meta.get("uid") for o in rs["metadata"].get("ownerReferences", []))
    ]
    revisions = [int(rs["metadata"].get("annotations", {}).get(REVISION, "0")) for rs in owned]
    revision = max([int(annotations.get(REVISION, "0")), *revisions]) + 1
    annotations[REVISION] = str(revision)
    for rs in owned:
        rs["spec"]["replicas"] = 0
        rs.setdefault("status", {})["replicas"] = 0
    api.objects.setdefault("replicasets", []).append(
        replica_set(deployment, revision, template=deployment["spec"]["template"])
    )


def replica_set(
    deployment: dict[str, Any], revision: int, *, template: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ReplicaSet of ``deployment`` at ``revision`` (its template, or ``template``)."""
    meta = deployment["metadata"]
    template = copy.deepcopy(template or deployment["spec"]["template"])
    template_hash = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
    template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = (
        template_hash
    )
    name = f"{meta['name']}-{template_hash}"
    labels = dict(template["metadata"]["labels"])
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": meta["namespace"],
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{meta['namespace']}/{name}/{revision}")),
            "resourceVersion": "1",
            "creationTimestamp": _now(),
            "labels": labels,
            "annotations": {REVISION: str(revision)},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": meta["name"],
                    "uid": meta.get("uid"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "replicas": deployment["spec"].get("replicas", 1),
            "selector": {"matchLabels": labels},
            "template": template,
        },
        "status": {"replicas": deployment["spec"].get("replicas", 1)},
    }


def _create(
    api: FakeKubernetesApi,
    resource: str,
    namespace: str,
    body: bytes | None,
    qualified: str,
    group: str,
) -> Answer:
    if resource != "jobs":
        return _status(405, "MethodNotAllowed", f"the fake creates jobs only, not {resource}")
    try:
        job = json.loads(body or b"{}")
    except ValueError as error:
        return _status(400, "BadRequest", f"error decoding body: {error}")
    meta = job.setdefault("metadata", {})
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
    name = meta.get("name")
    if not name:
        return _status(422, "Invalid", "Job.batch is invalid: metadata.name: Required value")
    if _find(api, resource, namespace, name) is not None:
        return _status(
            409,
            "AlreadyExists",
            f'{qualified} "{name}" already exists',
            details={"name": name, "group": group, "kind": resource},
        )
    if (job.get("spec") or {}).get("selector"):
        return _status(
            422,
            "Invalid",
            f'Job.batch "{name}" is invalid: spec.selector: Invalid value: '
            "`selector` not auto-generated",
        )
    meta.update(
        namespace=namespace,
        uid=str(uuid.uuid4()),
        resourceVersion="1",
        creationTimestamp=_now(),
    )
    job.pop("kind", None)
    job.pop("apiVersion", None)
    job["status"] = {"active": 1, "startTime": _now()}
    api.objects.setdefault("jobs", []).append(job)

    def finish() -> None:
        with api._lock:
            job["status"] = {
                "succeeded": 1,
                "startTime": job["status"]["startTime"],
                "completionTime": _now(),
                "conditions": [{"type": "Complete", "status": "True"}],
            }
            api._cache.clear()

    timer = threading.Timer(api.rollout_seconds, finish)
    timer.daemon = True
    timer.start()
    return 201, _dump(_full(job, resource)), _JSON


def _json_patch(obj: dict[str, Any], ops: Any) -> dict[str, Any]:
    """RFC 6902 (add, replace, remove, test) on a copy."""
    if not isinstance(ops, list):
        raise ValueError("a JSON patch is a list of operations")
    doc = copy.deepcopy(obj)
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent: Any = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last = parts[-1]
        key: Any = int(last) if isinstance(parent, list) and last != "-" else last
        if op["op"] in {"add", "replace"}:
            if op["op"] == "replace" and isinstance(parent, dict) and key not in parent:
                raise KeyError(f"replace operation does not apply: missing path {op['path']}")
            if isinstance(parent, list) and op["op"] == "add":
                parent.insert(len(parent) if last == "-" else key, op["value"])
            else:
                parent[key] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del parent[key]
        elif op["op"] == "test":
            if parent[key] != op["value"]:
                raise ValueError(f"testing value {op['path']} failed")
        else:
            raise ValueError(f"unsupported operation {op['op']}")
    return doc


def _merge(target: Any, patch: Any, *, strategic: bool) -> Any:
    """RFC 7386 merge patch; ``strategic`` merges lists of named items (containers) by name."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif (
            strategic
            and isinstance(value, list)
            and isinstance(result.get(key), list)
            and all(isinstance(v, dict) and "name" in v for v in value + result[key])
        ):
            merged = {item["name"]: item for item in copy.deepcopy(result[key])}
            for item in value:
                merged[item["name"]] = _merge(merged.get(item["name"], {}), item, strategic=True)
            result[key] = list(merged.values())
        else:
            result[key] = _merge(result.get(key), value, strategic=strategic)
    return result


def _conflict(qualified: str, name: str, group: str, resource: str) -> Answer:
    return _status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        details={"name": name, "group": group, "kind": resource},
    )


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> Answer:
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
    return code, _dump(body), _JSON


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
