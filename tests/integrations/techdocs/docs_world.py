"""Docs repositories for tests: written to tmp folders, synced into a real catalog, built with
real mkdocs, served by a real uvicorn."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
import yaml
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import Mount

from catalog import Catalog
from catalog.database import create_database_engine, upgrade_schema
from catalog.sources.directory import DirectorySource
from catalog.sync import SyncOptions, sync_catalog
from integrations.techdocs import TechDocsSettings, create_docs_app

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments-tribe}
spec: {type: tribe, children: [team-pay]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-pay, title: Payments Core}
spec: {type: squad, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-shop, title: Shopping}
spec: {type: squad, children: []}
"""

PAYMENTS_DOCS = {
    "mkdocs.yml": """
site_name: Payments API
site_description: Moves money
nav:
  - Overview: index.md
  - Runbook: runbook.md
  - Refunds guide: guides/refunds.md
""",
    "docs/index.md": "# Payments API\n\nThe payments API authorises card payments.\n\n"
    "## Architecture\n\nIt talks to the acquirer. See the [runbook](runbook.md#restarts).\n",
    "docs/runbook.md": "# Runbook\n\n## Restarts\n\nRestart the pods with kubectl rollout "
    "restart.\n\n## Dead letter queue\n\nRefunds that failed five times land here.\n",
    "docs/guides/refunds.md": "# Refunds guide\n\nA refund reverses a captured payment. "
    "Partial refunds are allowed.\n",
}

CHECKOUT_DOCS = {
    "mkdocs.yml": "site_name: Checkout\ntheme: readthedocs\n",
    "docs/index.md": "# Checkout\n\nTurns a basket into an order.\n\n## Payments\n\n"
    "Checkout calls the payments API to authorise the card.\n",
    "docs/on-call.md": "# On-call\n\nCheckout on call rotation runs weekly.\n",
}

BROKEN_DOCS = {
    "mkdocs.yml": "site_name: Broken\n",
    "docs/index.md": "# Broken\n\nSee [the missing page](missing.md).\n",
}


def component(
    name: str,
    *,
    owner: str,
    annotation: str | None = "dir:.",
    title: str | None = None,
    source_location: str | None = None,
) -> str:
    """A catalog-info.yaml for a component."""
    annotations = {}
    if annotation is not None:
        annotations["backstage.io/techdocs-ref"] = annotation
    if source_location is not None:
        annotations["backstage.io/source-location"] = source_location
    metadata: dict[str, object] = {"name": name, "annotations": annotations}
    if title:
        metadata["title"] = title
    metadata["links"] = [{"url": f"https://grafana.example/d/{name}", "title": "Dashboard"}]
    document = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": metadata,
        "spec": {"type": "service", "lifecycle": "production", "owner": owner},
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (relative path -> text) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")


def make_repo(base: Path, name: str, files: dict[str, str], **entity: object) -> Path:
    """A repository folder with a catalog-info.yaml and ``files``."""
    repo = base / name
    write_files(repo, {"catalog-info.yaml": component(name, **entity), **files})  # type: ignore[arg-type]
    return repo


def sync_folder(engine: Engine, folder: Path) -> Catalog:
    """Sync every catalog-info.yaml under ``folder`` (plus the test org) into ``engine``."""
    write_files(folder, {"org/catalog-info.yaml": ORG})
    report = sync_catalog(engine, [DirectorySource("repos", folder)], SyncOptions(trigger="test"))
    assert report.exit_code == 0, report
    return Catalog(engine)


def sqlite_engine(path: Path) -> Engine:
    """A migrated SQLite database (for tests where the dialect does not matter)."""
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    return engine


def docs_settings(root: Path, **overrides: object) -> TechDocsSettings:
    """Settings storing sites under ``root``; one build at a time keeps tests predictable."""
    options: dict[str, object] = {"parallel_builds": 1, **overrides}
    return TechDocsSettings(storage_dir=root, **options)  # type: ignore[arg-type]


@dataclass
class World:
    """A catalog with several built sites (read-only: tests must not change it)."""

    catalog: Catalog
    settings: TechDocsSettings
    repos: Path


@dataclass
class Server:
    """A real uvicorn serving the docs app mounted at /docs, as bot/web.py mounts it."""

    url: str


def serve(settings: TechDocsSettings) -> Iterator[Server]:
    """Run the docs app on 127.0.0.1 (random port) in a thread until the caller is done."""
    app = Starlette(routes=[Mount("/docs", app=create_docs_app(settings))])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def require_graphviz() -> None:
    """Skip without Graphviz's ``dot`` (a failure with CI=true: setup_system.py installs it)."""
    if shutil.which("dot"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("graphviz is not installed (tests/setup_system.py installs it as root)")
    pytest.skip("graphviz is not installed; run tests/setup_system.py as root to install it")
