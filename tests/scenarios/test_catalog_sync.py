"""``admin sync``: an admin syncs the catalog now; a worker does it and the answer says what
changed. Without a live worker the request waits in the queue and the admin is told."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jobs import Worker, load_kinds
from tests.jobs.conftest import make_runtime
from tests.scenarios.workspace import ALICE, CAROL, Workspace

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

NEW_SERVICE = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: brand-new-service
spec: {type: service, lifecycle: experimental, owner: payments}
"""


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, object]:
    # the folder the `acme` fixture writes and syncs as source "test"
    folder = str(tmp_path / "catalog")
    trusted = [{"allow": ["User", "Group"]}]  # it holds the people too
    return {"sources": [{"name": "test", "type": "directory", "path": folder, "rules": trusted}]}


@pytest.fixture
def ws(
    serve_greenroom: Callable[..., Workspace], acme: None, sources: dict[str, object]
) -> Workspace:
    return serve_greenroom(admins=["group:payments"], config={"catalog": sources})


@pytest.fixture
def worker(database_url: str, tmp_path: Path, sources: dict[str, object]) -> Iterator[Worker]:
    runtime = make_runtime(database_url, tmp_path / "worker", catalog=sources)
    instance = Worker(runtime, registry=load_kinds())
    instance.start()
    yield instance
    instance.stop(grace=0)
    instance.engine.dispose()


def test_an_admin_sync_runs_on_the_worker_and_reports_what_changed(
    ws: Workspace, worker: Worker, tmp_path: Path
) -> None:
    catalog_file = tmp_path / "catalog" / "catalog-info.yaml"
    catalog_file.write_text(catalog_file.read_text() + NEW_SERVICE)
    answer = ws.text(ws.ask("admin sync", user=ALICE))
    assert "finished: 1 added, 0 updated, 0 removed, 0 errors" in answer
    assert "Payments" in ws.text(ws.ask("owner brand-new-service", user=ALICE))


def test_without_a_worker_the_request_is_queued_and_the_admin_told(ws: Workspace) -> None:
    answer = ws.text(ws.ask("admin sync test", user=ALICE))
    assert "Sync queued as run #" in answer
    assert "no worker is running" in answer
    assert "greenroom worker" in answer


def test_unknown_sources_and_non_admins_are_refused(ws: Workspace) -> None:
    assert "No catalog source named nope. Sources: test." in ws.text(
        ws.ask("admin sync nope", user=ALICE)
    )
    assert "for greenroom admins only" in ws.text(ws.ask("admin sync", user=CAROL))
