"""The example company's three migrations, evaluated on Globex's catalog and repositories."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import time_machine
from sqlalchemy import Engine

from catalog import Catalog
from catalog.refs import parse_ref
from catalog.sync import SyncReport
from catalog.tech_migrations import (
    evaluate_migration,
    leaderboard,
    load_migrations,
    migration_progress,
    team_items,
)

from .conftest import NO_CUSTOM


def test_the_examples_load_cleanly(examples_dir: Path) -> None:
    loaded = load_migrations(examples_dir / "migrations", custom=NO_CUSTOM).require_valid()
    assert sorted(loaded.ids) == ["kubernetes-id", "python-3-12", "techdocs"]
    assert loaded.get("python-3-12").nudges is not None


def test_python_312_on_globex(
    engine: Engine, globex: SyncReport, catalog: Catalog, examples_dir: Path
) -> None:
    python = load_migrations(examples_dir / "migrations", custom=NO_CUSTOM).get("python-3-12")
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        report = evaluate_migration(engine, python, custom=NO_CUSTOM)
    assert (report.done, report.total, report.errors) == (9, 22, 0)
    payments = team_items(engine, catalog, python.id, parse_ref("group:payments-core"))
    left = {i.ref.name: [f.reason for f in i.failures] for i in payments.remaining}
    assert "ledger-service" not in left and "refunds-worker" not in left
    assert left["payments-api"] == [
        r'pyproject.toml does not match /requires-python\s*=\s*">=3\.12"/',
        r"Dockerfile line 1 matches /^FROM python:3\.(?:[0-9]|1[01])\b/",
    ]
    orders = team_items(engine, catalog, python.id, parse_ref("group:orders-squad"))
    order_service = next(i for i in orders.remaining if i.ref.name == "order-service")
    assert [f.check for f in order_service.failures] == ["Dockerfile uses a python:3.12 base image"]
    board = leaderboard(engine, catalog, python.id, today=date(2026, 12, 1))
    assert [(r.ref.name, r.done, r.total) for r in board.rows] == [
        ("payments-tribe", 4, 9),
        ("shopping-tribe", 4, 9),
        ("platform-tribe", 0, 3),
    ]
    assert board.rows[1].rank == 1


def test_techdocs_and_kubernetes_id_on_globex(
    engine: Engine, globex: SyncReport, examples_dir: Path
) -> None:
    loaded = load_migrations(examples_dir / "migrations", custom=NO_CUSTOM)
    for migration_id, expected in (("techdocs", (15, 24)), ("kubernetes-id", (19, 21))):
        migration = loaded.get(migration_id)
        evaluate_migration(engine, migration, custom=NO_CUSTOM)
        progress = migration_progress(engine, migration)
        assert (progress.done, progress.total) == expected
