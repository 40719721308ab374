"""``greenroom kpis collect|show|oncall``: thin wrappers over ``integrations.kpis``."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from bot.cli.context import err, json_option, out, runtime_of, to_jsonable
from catalog.lookup import find_entity
from integrations.kpis import (
    KpiEntity,
    collect_kpis,
    kpi_board,
    on_call_for,
    pick_kpi,
)

__all__ = ["kpis"]


@click.group()
def kpis() -> None:
    """Team KPIs: collect them from their sources, show a leaderboard, who is on call."""


@kpis.command("collect")
@click.option("--days", type=click.IntRange(1, 180), default=None, help="Days to (re)read.")
@json_option
@click.pass_context
def collect(ctx: click.Context, days: int | None, as_json: bool) -> None:
    """Read every configured source now (what the worker does daily); exit 1 if one failed."""
    runtime = runtime_of(ctx)
    settings = runtime.settings.kpis
    if not settings.sources:
        err.print("No KPI source is configured (kpis.sources in greenroom.yaml).", markup=False)
        sys.exit(1)
    report = collect_kpis(runtime.engine, runtime.catalog, settings, days=days)
    if as_json:
        out.print_json(data=to_jsonable(report.summary()))
        sys.exit(1 if report.failed else 0)
    table = Table("source", "entities", "values", "gaps", "requests", "result", box=None)
    for source in report.sources:
        table.add_row(
            source.source,
            str(source.asked),
            str(len(source.values)),
            str(len(source.gaps)),
            str(source.requests),
            f"failed: {source.failure}" if source.failure else "ok",
        )
    out.print(table)
    days_text = f"{report.days[0]} to {report.days[-1]}" if report.days else "no days"
    out.print(
        f"{report.stored} values stored for {days_text}; {report.pruned} pruned; "
        f"{report.seconds:.1f} s",
        markup=False,
    )
    sys.exit(1 if report.failed else 0)


@kpis.command("show")
@click.argument("team", required=False)
@click.option("--kpi", "kpi_name", default=None, help="cost, incidents, security, or custom.")
@click.option("--by", "level", default="tribe", show_default=True, help="Group level.")
@json_option
@click.pass_context
def show(
    ctx: click.Context, team: str | None, kpi_name: str | None, level: str, as_json: bool
) -> None:
    """Teams ranked by a KPI, worst first (a team's own teams when TEAM is given)."""
    runtime = runtime_of(ctx)
    settings = runtime.settings.kpis
    spec = pick_kpi(settings, kpi_name)
    parent = find_entity(runtime.catalog, team, kinds=("group",)).ref if team else None
    board = kpi_board(
        runtime.engine,
        runtime.catalog,
        spec,
        parent=parent,
        level=level,
        window_days=settings.window_days,
    )
    if as_json:
        out.print_json(data=to_jsonable(board))
        return
    out.print(
        f"{spec.title}: {board.scope}, last {board.window_days} days to {board.day} "
        f"(all: {spec.format(board.total.current)})",
        markup=False,
    )
    table = Table("#", "team", spec.title, "before", "reporting", "worst", box=None)
    for position, row in enumerate(board.rows, 1):
        table.add_row(
            str(position),
            row.display_name,
            spec.format(row.current),
            spec.format(row.previous),
            f"{row.reporting}/{row.entities}",
            ", ".join(r.ref.name for r in row.worst),
        )
    out.print(table)
    if board.unplaced:
        out.print(f"Not counted in any row ({len(board.unplaced)}):", markup=False)
        for item in board.unplaced:
            out.print(f"  {item.ref.short}: {item.reason}", markup=False, highlight=False)


@kpis.command("oncall")
@click.argument("entity")
@json_option
@click.pass_context
def oncall(ctx: click.Context, entity: str, as_json: bool) -> None:
    """Who is on call now for ENTITY's PagerDuty service."""
    runtime = runtime_of(ctx)
    stored = find_entity(runtime.catalog, entity)
    annotations = {str(k): str(v) for k, v in (stored.entity.metadata.annotations or {}).items()}
    lookup = on_call_for(runtime.settings.kpis, KpiEntity(stored.ref, None, annotations))
    if as_json:
        out.print_json(data=to_jsonable(lookup))
        sys.exit(0 if lookup.answer else 1)
    if lookup.answer is None:
        err.print(f"Nobody could be named: {lookup.problem}", markup=False)
        sys.exit(1)
    for person in lookup.answer.people:
        until = f" until {person.until:%Y-%m-%d %H:%M} UTC" if person.until else ""
        email = f" <{person.email}>" if person.email else ""
        out.print(f"level {person.level}: {person.name}{email}{until}", markup=False)
