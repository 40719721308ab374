"""Tour step: evaluate the example company's tech migrations, show a leaderboard by tribe and
by squad, and write one migration's chart as a PNG the tour names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cli.migrations import load_configured
from bot.tour import Tour
from catalog.tech_migrations import (
    evaluate_migration,
    leaderboard,
    migration_chart,
    migration_progress,
)

__all__ = ["CHARTED", "evaluate_migrations"]

#: The migration whose leaderboards and chart the tour shows.
CHARTED = "python-3-12"


def evaluate_migrations(tour: Tour) -> None:
    """What the worker's migrations.evaluate does after each sync, then the answers."""
    runtime = tour.runtime
    settings = runtime.settings.migrations
    if settings.path is None:
        tour.say("No migrations in greenroom.yaml: the tour skips them.")
        return
    tour.title("greenroom demo: evaluating tech migrations")
    loaded = load_configured(runtime)
    for migration in loaded.migrations:
        report = evaluate_migration(
            runtime.engine,
            migration,
            limits=settings.file_limits,
            now=datetime.now(UTC),
            retention=timedelta(days=settings.snapshot_retention_days),
        )
        tour.say(
            f"{report.migration_id}: {report.done}/{report.total} done ({report.percent:.0f}%), "
            f"{report.failing} failing"
        )
    if not any(m.id == CHARTED for m in loaded.migrations):
        tour.fail("migrations", f"no migration {CHARTED} in {settings.path}")
        return
    tour.ask(f"migrations {CHARTED}")
    tour.ask(f"migrations {CHARTED} --by squad")
    migration = loaded.get(CHARTED)
    board = leaderboard(runtime.engine, runtime.catalog, CHARTED, level="squad")
    chart = tour.output_dir / f"{CHARTED}.png"
    chart.write_bytes(migration_chart(migration_progress(runtime.engine, migration), board))
    tour.written.append(chart)
    tour.say(f"The chart of {CHARTED} (burn-up, one bar per squad) is in {chart}")
