"""The digest model: leaderboard since the last digest, what finished since, deadline, chart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import Engine

from catalog import Catalog
from catalog.tech_migrations import evaluate_migration, migration_digest

from .conftest import NO_CUSTOM

DOCKER312 = {"type": "file-matches", "path": "Dockerfile", "pattern": r"^FROM python:3\.12"}


def test_digest_compares_with_the_last_digest(
    engine: Engine, catalog: Catalog, company: Path, make_migration: Any
) -> None:
    migration = make_migration([DOCKER312], deadline="2027-02-01")
    with time_machine.travel(datetime(2027, 1, 4, 8, tzinfo=UTC), tick=False):
        evaluate_migration(engine, migration, custom=NO_CUSTOM)
    (company / "repos" / "checkout" / "Dockerfile").write_text("FROM python:3.12\n")
    (company / "repos" / "ledger" / "Dockerfile").write_text("FROM python:3.12\n")
    with time_machine.travel(datetime(2027, 1, 11, 8, tzinfo=UTC), tick=False):
        evaluate_migration(engine, migration, custom=NO_CUSTOM)
        digest = migration_digest(engine, catalog, migration, since=date(2027, 1, 4))
    assert (digest.title, digest.deadline, digest.progress.days_left) == (
        "Test migration",
        date(2027, 2, 1),
        21,
    )
    assert (digest.progress.done, digest.progress.total) == (4, 7)
    assert digest.board.done_change == 2
    assert digest.board.compared_to == date(2027, 1, 4)
    assert [(r.ref.name, r.change) for r in digest.board.rows] == [
        ("payments-tribe", 50.0),
        ("shopping-tribe", 25.0),
    ]
    assert digest.chart_png.startswith(b"\x89PNG")
    squads = migration_digest(
        engine, catalog, migration, level="squad", today=date(2027, 1, 11), with_chart=False
    )
    assert squads.chart_png == b""
    assert squads.board.done_change == 2
    assert squads.board.compared_to == date(2027, 1, 4)
    assert len(squads.board.rows) == 3
