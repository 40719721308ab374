from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sync import SyncReport
from tests.example_company import sync_example_company


@pytest.fixture
def globex(engine: Engine, examples_dir: Path) -> SyncReport:
    """The example company, synced into the test database as examples/greenroom.yaml says."""
    return sync_example_company(engine, examples_dir)


@pytest.fixture
def globex_catalog(globex: SyncReport, catalog: Catalog) -> Catalog:
    return catalog
