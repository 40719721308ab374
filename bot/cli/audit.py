"""``greenroom audit``: the day-2 actions' audit trail (who, what, where, outcome)."""

from __future__ import annotations

import click
from rich.table import Table

from bot.cli.context import json_option, out, runtime_of
from catalog.lookup import find_entity

__all__ = ["audit"]


@click.command("audit")
@click.argument("ref", required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
@click.pass_context
def audit(ctx: click.Context, ref: str | None, limit: int, as_json: bool) -> None:
    """The day-2 actions' audit trail, newest first: of one entity with REF.

    Every request, approval, denial, dry run, action and outcome."""
    from integrations.actions import read_audit

    runtime = runtime_of(ctx)
    entity = find_entity(runtime.catalog, ref).ref if ref else None
    records = read_audit(runtime.engine, entity=entity, limit=limit)
    if as_json:
        out.print_json(data=[r.to_json() for r in records])
        return
    if not records:
        out.print("No actions recorded" + (f" for {entity.short}." if entity else "."))
        return
    table = Table("at (UTC)", "event", "action", "target", "who", "outcome", "message")
    for r in records:
        table.add_row(
            f"{r.at:%Y-%m-%d %H:%M:%S}", r.event, r.action, r.target, r.actor_name,
            r.outcome, r.message,
        )  # fmt: skip
    out.print(table)
