"""deploy/kubernetes: the example overlay renders with kustomize (kubectl, offline) into objects
the Kubernetes API accepts (each one read by the ``kubernetes`` client's own models), whose
probes, ports, environment and permissions match what greenroom serves, reads and calls."""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from starlette.routing import Mount, Route

from bot.cli.config import environment_variables
from bot.cli.config_reference import setting_variables
from bot.cli.main import main
from bot.cli.slack import serve
from bot.web.app import create_web_app
from catalog.database import create_database_engine
from runtime.process import Runtime
from runtime.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
OVERLAY = REPO / "deploy" / "kubernetes" / "overlays" / "example"
BASE = REPO / "deploy" / "kubernetes" / "base"
READ_VERBS = {"get", "list", "watch"}
#: Variables set for the processes' sake, not greenroom's (git and matplotlib want a home).
PROCESS_VARIABLES = {"HOME"}

Object = dict[str, Any]


def _kustomize(folder: Path) -> list[Object]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        _missing("kubectl is not installed (tests/setup_system.py installs it when root)")
    assert kubectl is not None
    version = subprocess.run(
        [kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True, check=False
    )
    kustomize = json.loads(version.stdout or "{}").get("kustomizeVersion", "v0")
    if int(kustomize.lstrip("v").split(".")[0]) < 4:
        _missing(f"kubectl's kustomize is {kustomize}; the manifests need v4 or newer")
    done = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def rendered() -> list[Object]:
    return _kustomize(OVERLAY)


def one(objects: list[Object], kind: str, name: str) -> Object:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def containers(deployment: Object, *, init: bool = True) -> Iterator[Object]:
    spec = deployment["spec"]["template"]["spec"]
    yield from spec.get("initContainers", []) if init else ()
    yield from spec["containers"]


def model_name(obj: Object) -> str:
    """``apps/v1`` + ``Deployment`` -> ``V1Deployment``, as the client names its models."""
    version = obj["apiVersion"].split("/")[-1]
    return version[0].upper() + version[1:] + obj["kind"]


# -- every object is one the API accepts ----------------------------------------------------
@pytest.mark.parametrize("folder", [BASE, OVERLAY], ids=["base", "example overlay"])
def test_every_object_reads_into_the_clients_model_with_nothing_left_over(folder: Path) -> None:
    api = client.ApiClient()
    try:
        for obj in _kustomize(folder):
            kind = model_name(obj)
            assert hasattr(client, kind), f"{obj['kind']} {obj['apiVersion']} is no API type"
            # The models refuse a missing required field; an unknown field would vanish on the
            # way in, so what goes back out must be exactly what came in.
            model = api.deserialize(json.dumps(obj), kind, "application/json")
            assert api.sanitize_for_serialization(model) == obj, obj["metadata"]["name"]
    finally:
        api.close()


def test_nothing_secret_is_committed(rendered: list[Object]) -> None:
    assert [o["metadata"]["name"] for o in rendered if o["kind"] == "Secret"] == []
    for deployment in (o for o in rendered if o["kind"] == "Deployment"):
        for container in containers(deployment):
            for variable in container.get("env", []):
                if variable["name"] in {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}:
                    assert "value" not in variable, variable
                    assert variable["valueFrom"]["secretKeyRef"] == {
                        "name": "greenroom-secrets",
                        "key": variable["name"],
                    }


# -- the web process: what it serves --------------------------------------------------------
def web_paths(tmp_path: Path) -> set[str]:
    environ = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    settings = load_settings(None, environ=environ, data_dir=str(tmp_path))
    engine = create_database_engine(f"sqlite:///{tmp_path}/web.db")
    try:
        app = create_web_app(Runtime(settings, engine))
        return {route.path for route in app.routes if isinstance(route, Route | Mount)}
    finally:
        engine.dispose()


def test_probes_and_ports_are_what_greenroom_serve_serves(
    rendered: list[Object], tmp_path: Path
) -> None:
    web = one(rendered, "Deployment", "greenroom-web")
    [container] = containers(web, init=False)
    [port] = container["ports"]
    serve_port = next(p.default for p in serve.params if p.name == "port")
    assert (port["name"], port["containerPort"]) == ("http", serve_port)
    assert container["args"] == ["serve"]

    paths = web_paths(tmp_path)
    probes = {name: container[name]["httpGet"] for name in ("readinessProbe", "livenessProbe")}
    assert probes["readinessProbe"] == {"path": "/readyz", "port": "http"}
    assert probes["livenessProbe"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] in paths
    assert {"/readyz", "/healthz", "/slack/events"} <= paths

    service = one(rendered, "Service", "greenroom-web")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    ingress = one(rendered, "Ingress", "greenroom")
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend == {"name": "greenroom-web", "port": {"name": "http"}}
            assert any(p.startswith(path["path"]) for p in paths), path["path"]


def test_service_budget_and_autoscaler_all_point_at_the_web_pods(rendered: list[Object]) -> None:
    web = one(rendered, "Deployment", "greenroom-web")
    labels = web["spec"]["template"]["metadata"]["labels"]
    selects = {
        "Service": one(rendered, "Service", "greenroom-web")["spec"]["selector"],
        "PodDisruptionBudget": one(rendered, "PodDisruptionBudget", "greenroom-web")["spec"][
            "selector"
        ]["matchLabels"],
        "Deployment": web["spec"]["selector"]["matchLabels"],
    }
    for kind, selector in selects.items():
        assert selector.items() <= labels.items(), kind
    worker_labels = one(rendered, "Deployment", "greenroom-worker")["spec"]["template"]["metadata"]
    assert not selects["Service"].items() <= worker_labels["labels"].items()
    hpa = one(rendered, "HorizontalPodAutoscaler", "greenroom-web")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "greenroom-web",
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    # an apply must not fight the autoscaler over the pod count
    assert web["spec"]["replicas"] == hpa["spec"]["minReplicas"]


# -- the configuration and the environment --------------------------------------------------
def configuration(rendered: list[Object], tmp_path: Path) -> Settings:
    [config_map] = [o for o in rendered if o["kind"] == "ConfigMap"]
    path = tmp_path / "greenroom.yaml"
    path.write_text(config_map["data"]["greenroom.yaml"])
    tokens = dict.fromkeys(token_variables(config_map), "t" * 20)
    return load_settings(path, environ=tokens | {"DATABASE_URL": "postgresql://db/greenroom"})


def token_variables(config_map: Object) -> set[str]:
    """The variables greenroom.yaml names with ``token_env`` (anywhere in it)."""
    text = config_map["data"]["greenroom.yaml"]
    return set(re.findall(r"token_env:\s*([A-Za-z_][A-Za-z0-9_]*)", text))


def test_the_config_map_is_valid_greenroom_settings_on_the_mounted_volumes(
    rendered: list[Object], tmp_path: Path
) -> None:
    settings = configuration(rendered, tmp_path)
    assert settings.log_format == "json"
    assert settings.slack.answer_processes is not None  # a pod is not the node: never "per CPU"
    for name in ("greenroom-web", "greenroom-worker"):
        deployment = one(rendered, "Deployment", name)
        *_, main_container = containers(deployment, init=False)
        mounts = {m["mountPath"]: m for m in main_container["volumeMounts"]}
        assert str(settings.data_path) in mounts
        assert mounts[str(settings.techdocs.root)].get("readOnly", False) is (name.endswith("web"))
        env = {v["name"]: v for v in main_container["env"]}
        config = Path(env["GREENROOM_CONFIG"]["value"])
        assert mounts[str(config.parent)]["name"] == "config"
    volumes = {
        v["name"]: v
        for v in one(rendered, "Deployment", "greenroom-web")["spec"]["template"]["spec"]["volumes"]
    }
    assert volumes["techdocs"]["persistentVolumeClaim"]["claimName"] == "greenroom-techdocs"
    claim = one(rendered, "PersistentVolumeClaim", "greenroom-techdocs")
    assert claim["spec"]["accessModes"] == [
        "ReadWriteMany"
    ]  # many web pods read, the worker writes


def test_every_variable_set_is_one_greenroom_reads(rendered: list[Object]) -> None:
    [config_map] = [o for o in rendered if o["kind"] == "ConfigMap"]
    known = (
        {variable.name for variable in environment_variables(main)}
        | set(setting_variables(Settings))
        | token_variables(config_map)
        | PROCESS_VARIABLES
    )
    for deployment in (o for o in rendered if o["kind"] == "Deployment"):
        for container in containers(deployment):
            names = {v["name"] for v in container.get("env", [])}
            assert names <= known, (container["name"], sorted(names - known))
            for source in container.get("envFrom", []):
                assert source == {"secretRef": {"name": "greenroom-tokens", "optional": True}}


def test_the_schema_is_upgraded_before_either_process_starts(rendered: list[Object]) -> None:
    for name in ("greenroom-web", "greenroom-worker"):
        deployment = one(rendered, "Deployment", name)
        [upgrade] = deployment["spec"]["template"]["spec"]["initContainers"]
        [process] = containers(deployment, init=False)
        assert upgrade["args"] == ["db", "upgrade"]
        assert upgrade["image"] == process["image"]
        shared = {"GREENROOM_CONFIG", "DATABASE_URL"}
        assert shared <= {v["name"] for v in upgrade["env"]}
    worker = one(rendered, "Deployment", "greenroom-worker")
    assert [c["args"] for c in containers(worker, init=False)] == [["worker"]]


def test_pods_run_as_the_images_unprivileged_user(rendered: list[Object]) -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    uid = int(re.search(r"useradd .*--uid (\d+)", dockerfile)[1])  # type: ignore[index]
    for deployment in (o for o in rendered if o["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsNonRoot"]) == (
            uid,
            True,
        )
        for container in containers(deployment):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert container["image"] == "registry.globex.example/platform/greenroom:0.1.0"


# -- permissions: exactly what integrations/kubernetes reads --------------------------------
class _Stop(Exception):
    pass


class _Recorder(client.ApiClient):
    """An ApiClient that writes down the request each API method would send, and sends none."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str]] = []

    def param_serialize(self, method: str, resource_path: str, *args: Any, **kwargs: Any) -> Any:
        self.requests.append((method, resource_path))
        raise _Stop


def requests_greenroom_makes() -> list[tuple[str, str]]:
    """Every API request integrations/kubernetes can make: the client methods it calls, on
    the API classes it builds, replayed against a recorder."""
    classes: set[str] = set()
    methods: set[str] = set()
    for path in (REPO / "integrations" / "kubernetes").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and re.fullmatch(r"[A-Z]\w*V\d\w*Api", node.attr):
                classes.add(node.attr)
            if isinstance(node, ast.Attribute) and re.match(r"(list|read|watch)_", node.attr):
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
                function(*["x"] * len(required))
    return recorder.requests


def needed_permission(method: str, path: str) -> tuple[str, str, str]:
    """``GET /apis/apps/v1/namespaces/{namespace}/deployments`` -> (apps, deployments, list)."""
    assert method == "GET", (method, path)
    parts = path.strip("/").split("/")
    group = "" if parts[0] == "api" else parts[1]
    named = parts[-1].startswith("{")
    resource = parts[-2] if named else parts[-1]
    return group, resource, "get" if named else "list"


def test_the_service_account_may_read_everything_greenroom_reads_and_write_nothing(
    rendered: list[Object],
) -> None:
    requests = requests_greenroom_makes()
    assert ("GET", "/apis/apps/v1/namespaces/{namespace}/deployments") in requests
    needed = {needed_permission(method, path) for method, path in requests}

    binding = one(rendered, "ClusterRoleBinding", "greenroom-reader")
    account = one(rendered, "ServiceAccount", "greenroom")
    assert binding["subjects"] == [
        {
            "kind": "ServiceAccount",
            "name": "greenroom",
            "namespace": account["metadata"]["namespace"],
        }
    ]
    role = one(rendered, "ClusterRole", binding["roleRef"]["name"])
    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert needed <= granted, sorted(needed - granted)
    assert {verb for _, _, verb in granted} <= READ_VERBS
    for deployment in (o for o in rendered if o["kind"] == "Deployment"):
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "greenroom"
