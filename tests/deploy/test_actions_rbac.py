"""deploy/kubernetes/actions: the actions' Role grants exactly what integrations/actions calls,
and only an overlay that asks for the component gets it (the base stays read-only)."""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import os
import re
from pathlib import Path

from kubernetes import client

from tests.deploy.test_kubernetes import BASE, REPO, _kustomize, _Recorder, _Stop, one

ACTIONS = REPO / "deploy" / "kubernetes" / "actions"
_VERBS = {"PATCH": "patch", "POST": "create", "PUT": "update", "DELETE": "delete"}


def requests_actions_make() -> set[tuple[str, str]]:
    """Every request integrations/actions can send: its client methods, replayed."""
    classes: set[str] = set()
    methods: set[str] = set()
    for path in (REPO / "integrations" / "actions").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and re.fullmatch(r"[A-Z]\w*V\d\w*Api", node.attr):
                classes.add(node.attr)
            if isinstance(node, ast.Attribute) and re.match(
                r"(list|read|patch|create|replace|delete)_", node.attr
            ):
                methods.add(node.attr)
    recorder = _Recorder()
    for class_name in sorted(classes):
        api = getattr(client, class_name)(recorder)
        for method in sorted(m for m in methods if hasattr(api, m)):
            function = getattr(api, method)
            required = [
                p
                for p in inspect.signature(function).parameters.values()
                if p.default is p.empty and p.kind is not p.VAR_KEYWORD
            ]
            with contextlib.suppress(_Stop):
                function(*[{} if p.name == "body" else "x" for p in required])
    return set(recorder.requests)


def permission(method: str, path: str) -> tuple[str, str, str]:
    """``PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale`` ->
    (apps, deployments/scale, patch)."""
    parts = path.strip("/").split("/")
    group = "" if parts[0] == "api" else parts[1]
    if parts[-1] == "scale":
        return group, f"{parts[-3]}/scale", _VERBS[method]
    named = parts[-1].startswith("{")
    resource = parts[-2] if named else parts[-1]
    if method == "GET":
        return group, resource, "get" if named else "list"
    return group, resource, _VERBS[method]


def test_the_actions_role_grants_exactly_what_actions_call(tmp_path: Path) -> None:
    needed = {permission(m, p) for m, p in requests_actions_make()}
    assert ("apps", "deployments/scale", "patch") in needed
    assert ("batch", "jobs", "create") in needed
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [{os.path.relpath(BASE, overlay)}]\n"
        f"components: [{os.path.relpath(ACTIONS, overlay)}]\n"
    )
    rendered = _kustomize(overlay)
    binding = one(rendered, "ClusterRoleBinding", "greenroom-actions")
    assert binding["subjects"][0]["name"] == "greenroom"
    role = one(rendered, "ClusterRole", binding["roleRef"]["name"])
    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert granted == needed, (sorted(needed - granted), sorted(granted - needed))
    api = client.ApiClient()
    for obj in (o for o in rendered if o["metadata"]["name"] == "greenroom-actions"):
        kind = obj["apiVersion"].split("/")[-1].capitalize() + obj["kind"]
        model = api.deserialize(json.dumps(obj), kind, "application/json")
        assert api.sanitize_for_serialization(model) == obj


def test_the_base_has_no_actions_role() -> None:
    names = {o["metadata"]["name"] for o in _kustomize(BASE)}
    assert "greenroom-actions" not in names
