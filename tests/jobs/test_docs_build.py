"""The worker's docs build: real mkdocs builds on the worker's database, skipped when nothing
changed, failures recorded on the entity rather than failing the job."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import load_settings
from catalog import parse_ref
from catalog.database import create_database_engine
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from integrations.techdocs import docs_overview
from jobs.docs_build import rebuild_docs

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


def test_rebuild_builds_changed_sites_only_and_records_failures(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    repos = tmp_path / "repos"
    _repo(repos, "alpha", "# Alpha\n\nHello.\n")
    _repo(repos, "beta", "# Beta\n\nSee [gone](gone.md).\n")
    settings = load_settings(None, environ={}, database_url=database_url, data_dir=tmp_path)
    runtime = Runtime(settings, create_database_engine(database_url))
    sync_catalog(runtime.engine, [DirectorySource("repos", repos)])

    with caplog.at_level(logging.WARNING):
        first = rebuild_docs(runtime)
    assert first["built"] == 1 and first["failed"] == ["component:beta"]
    assert "docs of component:beta did not build: page index.md links to missing gone.md" in (
        caplog.text
    )
    again = rebuild_docs(runtime)  # nothing changed: no mkdocs run, the failure is kept
    assert again["built"] == 0 and again["unchanged"] == 2 and again["failed"] == []
    beta = runtime.catalog.get(parse_ref("component:beta"))
    assert beta is not None
    assert docs_overview(runtime.catalog, settings.techdocs, beta).status == "failing"

    (repos / "alpha" / "docs" / "index.md").write_text("# Alpha\n\nHello again.\n")
    assert rebuild_docs(runtime)["built"] == 1
    alpha = runtime.catalog.get(parse_ref("component:alpha"))
    assert alpha is not None
    assert docs_overview(runtime.catalog, settings.techdocs, alpha).status == "ok"
    runtime.engine.dispose()
