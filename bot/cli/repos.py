"""``greenroom repos``: where an entity's repository is on disk, and the clone cache."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from rich.table import Table

from bot.cli.context import json_option, out, runtime_of, to_jsonable
from catalog.lookup import find_entity
from integrations.repositories import RepoFolder

__all__ = ["repos"]


@click.group()
def repos() -> None:
    """Entities' repositories: where their files are on disk, and the clone cache."""


@repos.command("folder")
@click.argument("refs", nargs=-1, required=True)
@click.option("--refresh", is_flag=True, help="Fetch now, even if the clone is fresh.")
@json_option
@click.pass_context
def repos_folder(ctx: click.Context, refs: tuple[str, ...], refresh: bool, as_json: bool) -> None:
    """The folder holding each entity's files (its repository is cloned if needed)."""
    runtime = runtime_of(ctx)
    entities = [find_entity(runtime.catalog, ref) for ref in refs]
    results = runtime.repository_cache.folders_for(entities, max_age=0 if refresh else None)
    if as_json:
        out.print_json(data=to_jsonable(list(results.values())))
    for result in [] if as_json else results.values():
        if isinstance(result, RepoFolder):
            warning = f"  ({result.warning})" if result.warning else ""
            out.print(f"{result.ref}  {result.path}{warning}", markup=False)
        else:
            out.print(f"{result.ref}  unavailable: {result.reason}", markup=False)
    sys.exit(0 if all(isinstance(r, RepoFolder) for r in results.values()) else 1)


@repos.command("cache")
@json_option
@click.pass_context
def repos_cache(ctx: click.Context, as_json: bool) -> None:
    """The cached clones, least recently used first."""
    entries = runtime_of(ctx).repository_cache.entries()
    if as_json:
        out.print_json(data=to_jsonable(entries))
        return
    table = Table("repository", "branch", "MB", "last used")
    for entry in entries:
        used = datetime.fromtimestamp(entry.last_used).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            entry.web_url, entry.branch or "(default)", f"{entry.bytes / 2**20:.1f}", used
        )
    out.print(table)
