"""``greenroom migrations ...``: thin wrappers over ``catalog.tech_migrations``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from bot.cli.context import err, json_option, out, runtime_of, to_jsonable
from catalog import EntityNotFound
from catalog.groups import users_with_email
from catalog.tech_migrations import (
    Leaderboard,
    MigrationProgress,
    MigrationSet,
    evaluate_migration,
    leaderboard,
    load_migrations,
    migration_chart,
    migration_progress,
    my_items,
    progress_overview,
)
from runtime.process import Runtime

__all__ = ["load_configured", "migrations"]


def load_configured(runtime: Runtime) -> MigrationSet:
    """The definitions under ``migrations.path``; problems are printed, valid ones kept."""
    settings = runtime.settings
    found = load_migrations(settings.migrations.folder(settings.config_dir))
    for problem in found.problems:
        err.print(
            f"[red]invalid[/red] {escape(str(problem))}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
    return found


@click.group()
def migrations() -> None:
    """Tech migrations: progress, leaderboards, what is left."""


@migrations.command("list")
@json_option
@click.pass_context
def list_migrations(ctx: click.Context, as_json: bool) -> None:
    """Every defined migration with its progress and deadline."""
    runtime = runtime_of(ctx)
    loaded = load_configured(runtime)
    overview = progress_overview(runtime.engine, loaded.migrations)
    if as_json:
        out.print_json(data=to_jsonable([_without_history(p) for p in overview]))
        sys.exit(1 if loaded.problems else 0)
    if not overview:
        out.print("No migrations defined (set migrations.path in greenroom.yaml).")
    table = Table("id", "title", "done", "%", "deadline", "days left", "on track", box=None)
    for p in overview:
        table.add_row(
            p.migration_id,
            p.title,
            f"{p.done}/{p.total}" if p.evaluated else "not evaluated",
            f"{p.percent:.0f}%",
            str(p.deadline or "-"),
            str(p.days_left) if p.days_left is not None else "-",
            _on_track(p),
        )
    out.print(table)
    sys.exit(1 if loaded.problems else 0)


@migrations.command("evaluate")
@click.argument("migration_id", required=False)
@json_option
@click.pass_context
def evaluate(ctx: click.Context, migration_id: str | None, as_json: bool) -> None:
    """Evaluate every entity in scope of one migration (or all) and store the results."""
    runtime = runtime_of(ctx)
    loaded = load_configured(runtime)
    chosen = [loaded.get(migration_id)] if migration_id else list(loaded.migrations)
    settings = runtime.settings.migrations
    reports = [
        evaluate_migration(
            runtime.engine,
            m,
            limits=settings.file_limits,
            now=datetime.now(UTC),
            retention=_days(settings.snapshot_retention_days),
        )
        for m in chosen
    ]
    if as_json:
        out.print_json(data=to_jsonable(reports))
    for r in [] if as_json else reports:
        out.print(
            f"{r.migration_id}: {r.done}/{r.total} done ({r.percent:.0f}%), {r.failing} failing, "
            f"{r.errors} errors, {r.changed} changed, {r.seconds:.2f} s"
        )
    sys.exit(1 if loaded.problems else 0)


@migrations.command("show")
@click.argument("migration_id")
@click.option("--by", "level", default=None, help="Group level: tribe (default), squad, ...")
@json_option
@click.pass_context
def show(ctx: click.Context, migration_id: str, level: str | None, as_json: bool) -> None:
    """Progress and the leaderboard of one migration."""
    runtime = runtime_of(ctx)
    migration = load_configured(runtime).get(migration_id)
    level = level or runtime.settings.migrations.default_level
    progress = migration_progress(runtime.engine, migration)
    board = leaderboard(runtime.engine, runtime.catalog, migration.id, level=level)
    if as_json:
        out.print_json(
            data={
                "progress": to_jsonable(_without_history(progress)),
                "leaderboard": to_jsonable(board),
            }
        )
        return
    out.print(f"[bold]{migration.title}[/bold] ({migration.id}), driven by {migration.owner}")
    out.print(
        f"{progress.done}/{progress.total} done ({progress.percent:.0f}%), "
        f"deadline {migration.deadline or '-'}, on track: {_on_track(progress)}"
    )
    _print_board(board)


@migrations.command("mine")
@click.argument("migration_id")
@click.option("--user", "email", required=True, help="The user's email, as in the catalog.")
@json_option
@click.pass_context
def mine(ctx: click.Context, migration_id: str, email: str, as_json: bool) -> None:
    """What the user's teams still have to do, entity by entity."""
    runtime = runtime_of(ctx)
    migration = load_configured(runtime).get(migration_id)
    people = users_with_email(runtime.catalog, email)
    if not people:
        raise EntityNotFound(email)
    items = my_items(runtime.engine, runtime.catalog, migration, people[0].ref)
    if as_json:
        out.print_json(data=to_jsonable(items))
        return
    if not items.teams:
        out.print(f"Nothing in scope of {migration.id} for {email}'s teams.", markup=False)
    for team in items.teams:
        out.print(
            f"[bold]{team.display_name}[/bold] ({team.owner.short}): "
            f"{team.done}/{team.total} done, {len(team.remaining)} left"
        )
        for item in team.remaining:
            out.print(f"  {item.ref.short} [{item.status}]", markup=False)
            for failure in item.failures:
                out.print(f"    - {failure.check}: {failure.reason}", markup=False)


@migrations.command("chart")
@click.argument("migration_id")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--by", "level", default=None, help="Group level of the bars (default: tribe).")
@click.pass_context
def chart(ctx: click.Context, migration_id: str, output: Path, level: str | None) -> None:
    """Write the burn-up and per-group chart as a PNG file."""
    runtime = runtime_of(ctx)
    migration = load_configured(runtime).get(migration_id)
    level = level or runtime.settings.migrations.default_level
    progress = migration_progress(runtime.engine, migration)
    board = leaderboard(runtime.engine, runtime.catalog, migration.id, level=level)
    output.write_bytes(migration_chart(progress, board))
    out.print(f"Wrote {output}", markup=False)


def _print_board(board: Leaderboard) -> None:
    since = f"since {board.compared_to}" if board.compared_to else "change"
    table = Table("#", board.level, "done", "%", since, box=None)
    for row in board.rows:
        change = f"{row.change:+.1f} pts" if row.change is not None else "-"
        table.add_row(
            str(row.rank),
            row.display_name,
            f"{row.done}/{row.total}",
            f"{row.percent:.0f}%",
            change,
        )
    out.print(table)
    if board.unplaced:
        out.print(
            f"Not counted in any {board.level} ({len(board.unplaced)} of {board.total}):",
            markup=False,
        )
        for item in board.unplaced:
            out.print(f"  {item.ref.short}: {item.reason}", markup=False, highlight=False)


def _on_track(progress: MigrationProgress) -> str:
    if progress.on_track is None:
        return "unknown"
    finish = f" (est. {progress.projected_finish})" if progress.projected_finish else ""
    return ("yes" if progress.on_track else "no") + finish


def _without_history(progress: MigrationProgress) -> dict[str, object]:
    data: dict[str, object] = to_jsonable(progress)
    data["percent"] = round(progress.percent, 1)
    data.pop("history", None)
    return data


def _days(days: int) -> timedelta:
    return timedelta(days=days)
