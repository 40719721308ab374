"""A migration's digest as data, for the worker to render and post on a channel's schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from catalog.store import Catalog
from catalog.tech_migrations.charts import migration_chart
from catalog.tech_migrations.definition import MigrationDefinition
from catalog.tech_migrations.leaderboard import Leaderboard, leaderboard
from catalog.tech_migrations.progress import MigrationProgress, migration_progress

__all__ = ["MigrationDigest", "migration_digest"]


@dataclass(frozen=True, slots=True)
class MigrationDigest:
    """Everything a digest post shows. ``board`` compares with the snapshot of ``since`` (the
    last digest; ``board.done_change`` is the net progress since); ``chart_png`` may be empty."""

    migration_id: str
    title: str
    description: str
    owner: str
    deadline: date | None
    progress: MigrationProgress
    board: Leaderboard
    since: date | None
    chart_png: bytes


def migration_digest(
    engine: Engine,
    catalog: Catalog,
    migration: MigrationDefinition,
    *,
    since: date | None = None,
    level: str = "tribe",
    today: date | None = None,
    with_chart: bool = True,
) -> MigrationDigest:
    """The digest; ``since`` is the day of the previous digest (None: a week ago)."""
    today = today or datetime.now(UTC).date()
    progress = migration_progress(engine, migration, today=today)
    board = leaderboard(engine, catalog, migration.id, level=level, today=today, since=since)
    return MigrationDigest(
        migration_id=migration.id,
        title=migration.title,
        description=migration.description,
        owner=migration.owner,
        deadline=migration.deadline,
        progress=progress,
        board=board,
        since=since,
        chart_png=migration_chart(progress, board) if with_chart else b"",
    )
