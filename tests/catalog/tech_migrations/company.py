"""A small company written to disk for tests: a three-level group tree (acme -> tribes ->
squads), people, services with real repository files, and a few catalog oddities."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from catalog.sources import CatalogSource, DirectorySource, Origin, ScannedFile
from catalog.sources.base import FileReaderLike
from catalog.sync import SyncReport, sync_catalog

PY312 = '[project]\nname = "x"\nrequires-python = ">=3.12"\n'
PY311 = '[project]\nname = "x"\nrequires-python = ">=3.11"\n'
DOCKER312 = "FROM python:3.12-slim\nCOPY . /app\n"
DOCKER311 = "FROM python:3.11-slim\nCOPY . /app\n"


def group(name: str, type_: str, parent: str | None, members: list[str], **extra: Any) -> dict:
    spec: dict[str, Any] = {"type": type_, "children": [], "members": members}
    if parent:
        spec["parent"] = parent
    spec["profile"] = {"displayName": name.replace("-", " ").title()}
    metadata: dict[str, Any] = {"name": name}
    if extra.get("channel"):
        metadata["annotations"] = {"slack.com/channel": extra["channel"]}
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": metadata,
        "spec": spec,
    }


def user(name: str) -> dict:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "User",
        "metadata": {"name": name},
        "spec": {"profile": {"email": f"{name}@acme.example"}, "memberOf": []},
    }


def component(
    name: str,
    owner: str,
    *,
    type_: str = "service",
    lifecycle: str = "production",
    system: str | None = None,
    tags: list[str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict:
    spec: dict[str, Any] = {"type": type_, "lifecycle": lifecycle, "owner": owner}
    if system:
        spec["system"] = system
    metadata: dict[str, Any] = {"name": name, "tags": tags or ["python"]}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": metadata,
        "spec": spec,
    }


DOCS = {"backstage.io/techdocs-ref": "dir:.", "backstage.io/kubernetes-id": "x"}

#: name -> (entity, files in its folder)
SERVICES: dict[str, tuple[dict, dict[str, str]]] = {
    "payments-api": (
        component("payments-api", "payments-core", system="payments", annotations=DOCS),
        {"pyproject.toml": PY312, "Dockerfile": DOCKER312},
    ),
    "ledger": (
        component("ledger", "payments-core", system="payments"),
        {"pyproject.toml": PY311, "Dockerfile": DOCKER311},
    ),
    "checkout": (
        component("checkout", "checkout-squad", annotations={"backstage.io/techdocs-ref": "dir:."}),
        {"pyproject.toml": PY312, "Dockerfile": DOCKER311},
    ),
    "search": (
        component("search", "search-squad", annotations=DOCS),
        {"pyproject.toml": PY312, "Dockerfile": DOCKER312},
    ),
    "legacy-search": (
        component("legacy-search", "search-squad", lifecycle="deprecated"),
        {"pyproject.toml": PY311},
    ),
    "web": (component("web", "checkout-squad", type_="website", tags=["js"]), {}),
    "toolbox": (component("toolbox", "user:dave"), {"pyproject.toml": PY311}),
    "gateway": (component("gateway", "ghost-team", tags=["go"]), {}),
}

GROUPS = [
    group("acme", "organisation", None, []),
    group("payments-tribe", "tribe", "acme", []),
    group("shopping-tribe", "tribe", "acme", []),
    group("payments-core", "squad", "payments-tribe", ["alice"], channel="C0PAYMENTS"),
    group("checkout-squad", "squad", "shopping-tribe", ["bob"], channel="C0CHECKOUT"),
    group("search-squad", "squad", "shopping-tribe", ["carol", "dave"]),
]
USERS = [user(n) for n in ("alice", "bob", "carol", "dave")]
SYSTEM = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "System",
    "metadata": {"name": "payments"},
    "spec": {"owner": "payments-core"},
}


def write_company(root: Path) -> Path:
    """Write the company under ``root`` (org.yaml + repos/<name>/...); returns ``root``."""
    groups = [dict(g) for g in GROUPS]
    by_name = {g["metadata"]["name"]: g for g in groups}
    for g in groups:
        parent = g["spec"].get("parent")
        if parent:
            by_name[parent]["spec"]["children"].append(g["metadata"]["name"])
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog-info.yaml").write_text(yaml.safe_dump_all([*groups, *USERS, SYSTEM]))
    for name, (entity, files) in SERVICES.items():
        folder = root / "repos" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "catalog-info.yaml").write_text(yaml.safe_dump(entity))
        for file, text in files.items():
            (folder / file).write_text(text)
    return root


def sync_folder(engine: Engine, root: Path, *extra: CatalogSource) -> SyncReport:
    """Sync ``root`` (and extra sources) into the database."""
    return sync_catalog(engine, [DirectorySource("company", root), *extra])


class ApiSource:
    """Entities as a Backstage API would hand them over: no folder on this machine."""

    def __init__(self, name: str, documents: list[dict]) -> None:
        self.name = name
        self.documents = documents

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        for i, document in enumerate(self.documents):
            origin = Origin(self.name, f"https://backstage.example/api/catalog/entities/{i}")
            yield reader.read_document(f"entity-{i}", document, origin=origin)


def definition(checks: list[dict], **fields: Any) -> dict:
    """A migration definition with defaults for the fields a test does not care about."""
    return {
        "id": fields.pop("id", "test-migration"),
        "title": fields.pop("title", "Test migration"),
        "owner": fields.pop("owner", "payments-core"),
        "deadline": fields.pop("deadline", "2027-06-30"),
        "scope": fields.pop("scope", {"types": ["service"]}),
        "checks": checks,
        **fields,
    }
