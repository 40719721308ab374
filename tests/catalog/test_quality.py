"""The catalog-quality report on the example company (and on a sync that went wrong)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from catalog.quality import catalog_quality
from catalog.sources import DirectorySource
from catalog.sync import SyncReport, sync_catalog


def test_quality_of_the_example_company(engine: Engine, globex: SyncReport) -> None:
    quality = catalog_quality(engine)
    assert quality.entities == 123  # with the data pipelines of repos/data-pipelines
    assert quality.without_owner_total == 0
    assert [(str(a), str(b)) for a, b in quality.dangling_owner] == [
        ("component:default/loyalty-service", "group:default/ghost-squad")
    ]
    assert quality.dangling_refs_total == 2
    assert sorted(s.ref.name for s in quality.services_without_docs) == [
        "billing-exporter",
        "cart-service",
        "clickstream-collector",
        "fraud-model-trainer",
        "loyalty-service",
        "payment-gateway-adapter",
        "recommendations-service",
        "shipping-service",
    ]
    last = quality.last_sync
    assert last is not None and (last.status, last.error_count) == ("ok", 2)
    assert last.errors[0] == 'apis/reports-export.yaml:4: "spec.definition" is required'
    short = catalog_quality(engine, limit=3)
    assert len(short.services_without_docs) == 3
    assert short.services_without_docs_total == 8


def test_quality_reports_unreadable_sources_and_unowned_entities(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: t}\n"
        "spec: {type: service, steps: []}\n"
    )
    sync_catalog(
        engine, [DirectorySource("ok", tmp_path), DirectorySource("gone", tmp_path / "nowhere")]
    )
    quality = catalog_quality(engine)
    assert [s.ref.name for s in quality.without_owner] == ["t"]
    assert quality.last_sync is not None
    assert quality.last_sync.status == "partial"
    assert quality.last_sync.unavailable[0].startswith("gone: ")
