"""``catalog.sync`` as a job: syncs the configured (or named) sources and reports changes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError, SourceUnavailable
from jobs import JobContext, JobResult
from jobs.kinds.catalog_sync import run_catalog_sync
from tests.jobs.conftest import make_runtime

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: group:payments
"""


def sync(database_url: str, tmp_path: Path, params: dict[str, Any]) -> JobResult:
    sources = [
        {"name": "one", "type": "directory", "path": "one"},
        {"name": "two", "type": "directory", "path": "two"},
    ]
    runtime = make_runtime(database_url, tmp_path, catalog={"sources": sources})
    now = datetime.now(UTC)
    context = JobContext(
        runtime=runtime,
        kind="catalog.sync",
        params=params,
        slot=now,
        run_id=7,
        attempt=1,
        trigger="schedule",
        deadline=now + timedelta(minutes=1),
        logger=logging.getLogger("test"),
    )
    try:
        return run_catalog_sync(context)
    finally:
        runtime.engine.dispose()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    for folder, name in (("one", "payments-api"), ("two", "checkout")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "catalog-info.yaml").write_text(COMPONENT.format(name=name))
    return tmp_path


def test_a_sync_reports_what_changed_then_that_nothing_did(
    database_url: str, sources: Path
) -> None:
    first = sync(database_url, sources, {})
    assert first is not None
    assert (first["status"], first["changed"], first["added"]) == ("ok", True, 2)
    again = sync(database_url, sources, {})
    assert again is not None
    assert (again["changed"], again["added"], again["sync_run_id"] > first["sync_run_id"]) == (
        False,
        0,
        True,
    )


def test_a_per_source_run_syncs_only_that_source(database_url: str, sources: Path) -> None:
    result = sync(database_url, sources, {"sources": ["two"]})
    assert result is not None and result["added"] == 1


def test_naming_an_unknown_source_fails_clearly(database_url: str, sources: Path) -> None:
    with pytest.raises(ConfigError, match="no catalog source named three"):
        sync(database_url, sources, {"sources": ["three"]})


def test_when_no_source_can_be_read_the_run_fails_and_may_be_retried(
    database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(SourceUnavailable, match="no catalog source could be read"):
        sync(database_url, tmp_path, {})
