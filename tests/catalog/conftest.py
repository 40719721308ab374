from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sources import LocationSource
from catalog.sync import SyncReport, sync_catalog


@pytest.fixture
def globex(engine: Engine, examples_dir: Path) -> SyncReport:
    """The example company, synced into the test database."""
    root = examples_dir / "catalog"
    return sync_catalog(engine, [LocationSource("globex", root / "catalog-info.yaml", root=root)])


@pytest.fixture
def globex_catalog(globex: SyncReport, catalog: Catalog) -> Catalog:
    return catalog
