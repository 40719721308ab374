"""Fixtures: the test company synced into the (SQLite, then PostgreSQL) database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.tech_migrations import CustomChecks, MigrationDefinition

from .company import definition, sync_folder, write_company


@pytest.fixture
def company(engine: Engine, tmp_path: Path) -> Path:
    """The company on disk, synced; returns its folder."""
    root = write_company(tmp_path / "company")
    report = sync_folder(engine, root)
    assert report.status == "ok" and not report.sources[0].errors
    return root


@pytest.fixture
def make_migration() -> Any:
    """Build a definition from checks (and any other fields) through the real model."""

    def make(checks: list[dict[str, Any]], **fields: Any) -> MigrationDefinition:
        return MigrationDefinition.model_validate(definition(checks, **fields))

    return make


NO_CUSTOM = CustomChecks({})


def verdicts(
    catalog: Catalog, migration: MigrationDefinition, **options: Any
) -> dict[str, tuple[str, list[str]]]:
    """entity name -> (status, reasons) for every entity in scope."""
    from catalog.tech_migrations import evaluate_entities

    options.setdefault("custom", NO_CUSTOM)
    return {
        r.ref.name: (r.status, [f.reason for f in r.failures])
        for r in evaluate_entities(catalog, migration, **options)
    }
