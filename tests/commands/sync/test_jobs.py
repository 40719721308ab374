"""``catalog.sync`` as a job: syncs the configured (or named) sources and reports changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError, SourceUnavailable
from commands.sync.jobs import run_catalog_sync
from jobs import JobResult
from tests.jobs.conftest import job_context, make_runtime

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
    context = job_context(runtime, "catalog.sync", params)
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


def _many(folder: Path, count: int) -> None:
    for i in range(count):
        (folder / f"extra-{i:02d}").mkdir(parents=True, exist_ok=True)
        (folder / f"extra-{i:02d}" / "catalog-info.yaml").write_text(
            COMPONENT.format(name=f"extra-{i:02d}")
        )


def test_a_scheduled_sync_respects_the_removal_guard_and_says_what_it_held(
    database_url: str, sources: Path
) -> None:
    _many(sources / "one", 20)
    sync(database_url, sources, {})
    for i in range(20):
        shutil.rmtree(sources / "one" / f"extra-{i:02d}")
    result = sync(database_url, sources, {})
    assert result is not None and result["status"] == "held"
    [held] = result["held"]
    assert (held["source"], held["removing"], held["stored"]) == ("one", 20, 21)
    assert result["removed"] == 0 and result["changed"] is False
    allowed = sync(database_url, sources, {"allow_removals": ["one"], "allowed_by": "cli:ops"})
    assert allowed is not None and allowed["removed"] == 20 and allowed["held"] == []


def test_a_source_gone_from_the_configuration_is_reported_in_the_result(
    database_url: str, sources: Path, tmp_path: Path
) -> None:
    sync(database_url, sources, {})
    runtime = make_runtime(
        database_url,
        tmp_path,
        catalog={"sources": [{"name": "one", "type": "directory", "path": "one"}]},
    )
    try:
        report = runtime.sync(trigger="test")
    finally:
        runtime.engine.dispose()
    assert [(n.source, n.stored) for n in report.removed_sources] == [("two", 1)]
    only_review = sync(database_url, sources, {"sources": []})  # "two" is configured again
    assert only_review is not None and only_review["status"] == "ok"
    assert [(n["source"], n["resolution"]) for n in only_review["removed_sources"]] == [
        ("two", "back in the configuration")
    ]
