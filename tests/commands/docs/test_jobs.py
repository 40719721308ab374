"""``docs.build``: real mkdocs builds on the worker's database after every catalog sync, skipped
when nothing changed, failures recorded on the entity rather than failing the job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.capabilities import job_registry
from catalog import parse_ref
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands.docs.jobs import DOCS_BUILD, run_docs_build
from commands.sync.jobs import run_catalog_sync
from integrations.techdocs import docs_overview
from jobs import JobKind, JobRegistry, JobResult, Worker, request_run
from runtime.process import Runtime
from tests.jobs.conftest import eventually, job_context, make_runtime, runs

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: {name}, annotations: {{backstage.io/techdocs-ref: "dir:."}}}}
spec: {{type: service, lifecycle: production, owner: team-a}}
"""


def _repo(root: Path, name: str, index: str) -> None:
    (root / name / "docs").mkdir(parents=True)
    (root / name / "catalog-info.yaml").write_text(CATALOG.format(name=name))
    (root / name / "mkdocs.yml").write_text(f"site_name: {name}\n")
    (root / name / "docs" / "index.md").write_text(index)


def _run(runtime: Runtime, **params: Any) -> dict[str, Any]:
    context = job_context(runtime, DOCS_BUILD, params, trigger="request")
    result: JobResult = run_docs_build(context)
    assert result is not None
    return result


def test_docs_build_builds_what_changed_and_records_failures_on_the_entity(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    repos = tmp_path / "repos"
    _repo(repos, "alpha", "# Alpha\n\nHello.\n")
    _repo(repos, "beta", "# Beta\n\nSee [gone](gone.md).\n")
    runtime = make_runtime(database_url, tmp_path)
    sync_catalog(runtime.engine, [DirectorySource("repos", repos)])

    with caplog.at_level(logging.WARNING):
        first = _run(runtime)
    assert first["built"] == 1 and first["failed"] == ["component:beta"]
    assert "docs of component:beta did not build: page index.md links to missing gone.md" in (
        caplog.text
    )
    again = _run(runtime)  # nothing changed: no mkdocs run, the recorded failure stays
    assert (again["built"], again["unchanged"], again["failed"]) == (0, 2, [])
    beta = runtime.catalog.get(parse_ref("component:beta"))
    assert beta is not None
    assert docs_overview(runtime.catalog, runtime.settings.techdocs, beta).status == "failing"

    (repos / "alpha" / "docs" / "index.md").write_text("# Alpha\n\nHello again.\n")
    assert _run(runtime)["built"] == 1
    assert _run(runtime, force=True)["built"] == 1  # force rebuilds; beta fails again
    runtime.engine.dispose()


def test_the_worker_builds_docs_after_every_catalog_sync(
    start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    real = job_registry()
    [hook] = [h for h in real.after_sync_hooks if h.kind == DOCS_BUILD]
    assert hook.only_if_changed is False  # Markdown changes without any entity changing
    registry = JobRegistry()
    registry.add(JobKind("catalog.sync", run_catalog_sync))
    registry.add(real.get(DOCS_BUILD))
    registry.after_sync(DOCS_BUILD, only_if_changed=hook.only_if_changed, params=hook.params)
    _repo(tmp_path / "repos", "alpha", "# Alpha\n\nHello.\n")
    sources = [{"name": "repos", "type": "directory", "path": "repos"}]
    worker = start_worker(registry, catalog={"sources": sources})

    def docs_runs() -> list[Any]:
        return runs(worker.engine, kind=DOCS_BUILD, status="succeeded")

    request_run(worker.engine, "catalog.sync", {}, requested_by="test")
    [built] = eventually(docs_runs, timeout=60)
    assert built.result["built"] == 1 and built.requested_by.startswith("catalog.sync run #")
    (tmp_path / "repos" / "alpha" / "docs" / "index.md").write_text("# Alpha\n\nChanged.\n")
    request_run(worker.engine, "catalog.sync", {}, requested_by="test")  # no entity changed
    _, rebuilt = eventually(lambda: len(docs_runs()) == 2 and docs_runs(), timeout=60)
    assert rebuilt.result["built"] == 1
    site = worker.runtime.settings.techdocs.root / "default" / "component" / "alpha"
    assert "Changed." in (site / "index.html").read_text()
