"""The ``greenroom`` command: thin wrappers over the plain functions that are also the API.

Each capability's subcommands live in ``bot/<capability>_cli.py``; this module holds the
main group, ``sync``, ``catalog`` and ``db``, and adds the others.
"""

from __future__ import annotations

import getpass
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from bot.cli.audit import audit
from bot.cli.config import config
from bot.cli.context import LazyRuntime, err, json_option, out, runtime_of, to_jsonable
from bot.cli.docs import docs
from bot.cli.jobs import jobs_group, sync_via_worker, worker_command
from bot.cli.k8s import k8s
from bot.cli.migrations import migrations
from bot.cli.repos import repos
from bot.cli.scaffold import scaffold
from bot.cli.slack import ask, demo, manifest, serve
from bot.cli.sync_view import SyncProgressBar, print_sync_report
from catalog import GreenroomError
from catalog.graph import blast_radius, dependencies
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.search import search_entities
from runtime.child_imports import isolate_child_imports

__all__ = ["main", "to_jsonable"]


class GreenroomGroup(click.Group):
    """Shows GreenroomError as ``Name: message`` on stderr and exits 1, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GreenroomError as error:
            err.print(f"[red]{type(error).__name__}[/red]: {error.user_message}", markup=True)
            sys.exit(1)


@click.group(cls=GreenroomGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="GREENROOM_CONFIG",
    help="greenroom.yaml (default: ./greenroom.yaml).",
)
@click.option("--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL of the database.")
@click.version_option(package_name="greenroom")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, database_url: str | None) -> None:
    """greenroom: the developer portal that lives in Slack."""
    isolate_child_imports()  # job, answer and web worker processes import as this one does
    overrides = {"database_url": database_url} if database_url else {}
    ctx.obj = LazyRuntime(config_file, overrides)


@main.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="SPEC",
    help="Ad-hoc source instead of the configured ones: a folder, a Location .yaml, "
    "git+URL or backstage+URL. Repeatable.",
)
@click.option(
    "--allow-kind",
    "allow",
    multiple=True,
    metavar="KIND",
    help="With --source: a kind those sources may define besides catalog.rules (e.g. "
    "--allow-kind User --allow-kind Group for a trusted org chart). Repeatable.",
)
@click.option(
    "--via-worker",
    is_flag=True,
    help="Ask a running worker to sync (catalog.sync, with its after-sync jobs) and wait.",
)
@click.option("--timeout", type=click.FloatRange(1), default=900, help="With --via-worker.")
@click.option(
    "--allow-removals",
    "allow_removals",
    multiple=True,
    metavar="SOURCE",
    help="Let this sync remove what SOURCE no longer emits (a source held by the removal guard, "
    "or one removed from greenroom.yaml), however much it is. Repeatable.",
)
@json_option
@click.pass_context
def sync(
    ctx: click.Context,
    sources: tuple[str, ...],
    allow: tuple[str, ...],
    via_worker: bool,
    timeout: float,
    allow_removals: tuple[str, ...],
    as_json: bool,
) -> None:
    """Read every catalog source into the database and report what changed.

    Exits 1 when no source could be read, 3 when a source is held for an admin (it would
    remove more than catalog.removal_guard allows; nothing of it changed), else 0.
    """
    if allow and not sources:
        raise click.UsageError(
            "--allow-kind applies to --source only; configured sources have rules"
        )
    allowed_by = f"cli:{_os_user()}"
    if via_worker:
        sys.exit(sync_via_worker(ctx, timeout, allow_removals=allow_removals, by=allowed_by))
    runtime = runtime_of(ctx)
    progress = None if as_json else SyncProgressBar(err)
    with progress or nullcontext():
        report = runtime.sync(
            list(sources),
            trigger="cli",
            allow=allow,
            progress=progress,
            allow_removals=allow_removals,
            allowed_by=allowed_by,
        )
    if as_json:
        out.print_json(data=report.to_json())
    else:
        print_sync_report(out, report)
    sys.exit(report.exit_code)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "unknown"


@main.group()
def catalog() -> None:
    """Query the catalog (for scripts, and to try greenroom without Slack)."""


@catalog.command("get")
@click.argument("ref")
@json_option
@click.pass_context
def catalog_get(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one entity (full ref, kind:name or bare name)."""
    cat = runtime_of(ctx).catalog
    stored = find_entity(cat, ref)
    document = cat.as_backstage(stored)
    if as_json:
        out.print_json(data=document)
        return
    out.print(f"[bold]{stored.ref}[/bold]  ({stored.location}:{stored.line or 1})")
    import yaml

    out.print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), markup=False)


@catalog.command("owner")
@click.argument("ref")
@json_option
@click.pass_context
def catalog_owner(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Who owns an entity: team or user, members, parents, system and domain."""
    cat = runtime_of(ctx).catalog
    answer = owner_of(cat, find_entity(cat, ref))
    if as_json:
        out.print_json(data=to_jsonable(answer) | {"entity": str(answer.entity.ref)})
        return
    out.print(f"[bold]{answer.entity.ref.short}[/bold]  lifecycle: {answer.lifecycle or '-'}")
    if answer.team is not None:
        team = answer.team
        state = "" if team.exists else "  [red](not in the catalog)[/red]"
        out.print(f"owner: {team.display_name} ({team.ref.short}){state}")
        for person in team.members:
            out.print(f"  - {person.display_name} <{person.email or 'no email'}>", markup=False)
        if team.parents:
            out.print("part of: " + ", ".join(p.ref.short for p in team.parents))
    elif answer.person is not None:
        out.print(f"owner: {answer.person.display_name} ({answer.person.ref.short})")
    else:
        out.print("owner: [red]none[/red]")
    if answer.system:
        out.print(f"system: {answer.system.ref.short}")
    if answer.domain:
        out.print(f"domain: {answer.domain.ref.short}")


@catalog.command("deps")
@click.argument("ref")
@click.option("--reverse", is_flag=True, help="What depends on it, instead of what it needs.")
@click.option("--depth", type=click.IntRange(1, 50), default=1, show_default=True)
@json_option
@click.pass_context
def catalog_deps(ctx: click.Context, ref: str, reverse: bool, depth: int, as_json: bool) -> None:
    """What an entity depends on (or, --reverse, what depends on it), transitively."""
    cat = runtime_of(ctx).catalog
    stored = find_entity(cat, ref)
    nodes = dependencies(cat, stored.ref, reverse=reverse, depth=depth)
    if as_json:
        out.print_json(
            data={
                "root": str(stored.ref),
                "reverse": reverse,
                "depth": depth,
                "nodes": to_jsonable(nodes),
            }
        )
        return
    table = Table("depth", "entity", "via", "owner", "", box=None)
    for node in nodes:
        missing = "[red]missing[/red]" if not node.summary.exists else ""
        table.add_row(
            str(node.depth),
            node.summary.ref.short,
            node.relation,
            node.owner.short if node.owner else "-",
            missing,
        )
    title = "needed by" if reverse else "depends on"
    out.print(f"[bold]{stored.ref.short}[/bold] {title} {len(nodes)} entities")
    out.print(table)


@catalog.command("impact")
@click.argument("ref")
@json_option
@click.pass_context
def catalog_impact(ctx: click.Context, ref: str, as_json: bool) -> None:
    """The blast radius: everything that breaks with it, and whom to tell."""
    cat = runtime_of(ctx).catalog
    stored = find_entity(cat, ref)
    radius = blast_radius(cat, stored.ref)
    if as_json:
        out.print_json(data=to_jsonable(radius))
        return
    out.print(f"[bold]{stored.ref.short}[/bold]: {len(radius.dependents)} dependents")
    for owner, refs in radius.owners:
        out.print(
            f"  tell {owner.display_name} ({owner.ref.short}): " + ", ".join(r.short for r in refs),
            markup=False,
        )
    if radius.unowned:
        out.print("  no owner: " + ", ".join(r.short for r in radius.unowned), markup=False)


@catalog.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@json_option
@click.pass_context
def catalog_search(ctx: click.Context, text: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search names, titles, descriptions and tags (with fuzzy "did you mean")."""
    hits = search_entities(runtime_of(ctx).catalog, " ".join(text), limit=limit)
    if as_json:
        out.print_json(data=to_jsonable(hits))
        return
    if not hits:
        out.print("No matches.")
    for hit in hits:
        out.print(
            f"{hit.score:5.1f}  {hit.summary.ref.short}  {hit.summary.description or ''}",
            markup=False,
        )


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the schema to the newest version."""
    runtime = runtime_of(ctx)
    runtime.upgrade()
    out.print(f"Schema is up to date on {runtime.engine.url.render_as_string(hide_password=True)}")


for _command in (
    config,
    docs,
    repos,
    k8s,
    scaffold,
    demo,
    ask,
    serve,
    manifest,
    worker_command,
    jobs_group,
    migrations,
    audit,
):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
