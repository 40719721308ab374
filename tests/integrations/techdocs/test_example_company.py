"""The bundled example company's docs all build with real mkdocs, and answer searches."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import Catalog, parse_ref
from catalog.source_config import LocationSourceConfig, build_source
from catalog.sync import sync_catalog
from integrations.techdocs import build_all_docs, docs_overview, search_docs
from integrations.techdocs.source import has_docs
from integrations.techdocs.storage import SiteStorage

from .docs_world import docs_settings, require_graphviz, sqlite_engine


def test_every_example_service_with_docs_builds(examples_dir: Path, tmp_path: Path) -> None:
    if not (examples_dir / "catalog" / "repos").is_dir():
        pytest.skip("the example company is not in this checkout")
    engine = sqlite_engine(tmp_path / "db.sqlite")
    config = LocationSourceConfig(name="globex", path=Path("catalog/catalog-info.yaml"))
    sync_catalog(engine, [build_source(config, base_dir=examples_dir, cache_dir=tmp_path)])
    catalog = Catalog(engine)
    with_docs = [s.ref for s in catalog.entities() if has_docs(s)]
    settings = docs_settings(tmp_path / "sites", parallel_builds=2)

    report = build_all_docs(catalog, settings)

    problems = [(o.ref.short, o.reason) for o in report.outcomes if o.status != "built"]
    assert problems == []
    assert len(report.having("built")) == len(with_docs) >= 15
    payments = docs_overview(catalog, settings, catalog.get(parse_ref("component:payments-api")))
    assert [link.title for link in payments.nav][:2] == ["Overview", "API usage"]
    hits = search_docs(catalog, settings, "refund")
    assert hits and hits[0].entity_ref.name in {"refunds-worker", "payments-api"}


def test_example_diagram_is_drawn_by_graphviz(examples_dir: Path, tmp_path: Path) -> None:
    if not (examples_dir / "catalog" / "repos").is_dir():
        pytest.skip("the example company is not in this checkout")
    require_graphviz()
    engine = sqlite_engine(tmp_path / "db.sqlite")
    config = LocationSourceConfig(name="globex", path=Path("catalog/catalog-info.yaml"))
    sync_catalog(engine, [build_source(config, base_dir=examples_dir, cache_dir=tmp_path)])
    settings = docs_settings(tmp_path / "sites")
    payments = parse_ref("component:payments-api")

    (outcome,) = build_all_docs(Catalog(engine), settings, [payments]).outcomes

    assert outcome.status == "built", outcome.reason
    site = SiteStorage(settings.root).live(payments)
    assert site is not None
    page = (site / "index.html").read_text()
    assert "<svg" in page and ">fraud&#45;detector</text>" in page
