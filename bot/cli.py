"""The ``greenroom`` command: thin wrappers over the plain functions that are also the API."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from bot.docs_view import (
    DocsProgressBar,
    print_docs_build,
    print_docs_overview,
    print_docs_search,
)
from bot.jobs_cli import jobs_group, sync_via_worker, worker_command
from bot.migrations_cli import migrations
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings, load_settings
from bot.sync_view import SyncProgressBar, print_sync_report
from catalog import EntityRef, GreenroomError
from catalog.graph import blast_radius, dependencies
from catalog.lookup import find_entity
from catalog.ownership import owner_of
from catalog.search import search_entities
from integrations.repositories import RepoFolder
from integrations.techdocs import build_all_docs, docs_overview, search_docs

F = TypeVar("F", bound=Callable[..., Any])

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


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
    overrides = {"database_url": database_url} if database_url else {}
    ctx.obj = _LazyRuntime(config_file, overrides)


class _LazyRuntime:
    """Settings and database are opened only by commands that need them."""

    def __init__(self, config_file: Path | None, overrides: dict[str, Any]) -> None:
        self.config_file = config_file
        self.overrides = overrides
        self._runtime: Runtime | None = None

    def settings(self) -> Settings:
        """Settings alone, for commands that need no database."""
        return load_settings(self.config_file, **self.overrides)

    def get(self) -> Runtime:
        if self._runtime is None:
            self._runtime = open_runtime(self.config_file, **self.overrides)
        return self._runtime


def _runtime(ctx: click.Context) -> Runtime:
    lazy = ctx.find_object(_LazyRuntime)
    assert lazy is not None
    return lazy.get()


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


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
    "--via-worker",
    is_flag=True,
    help="Ask a running worker to sync (catalog.sync, with its after-sync jobs) and wait.",
)
@click.option("--timeout", type=click.FloatRange(1), default=900, help="With --via-worker.")
@json_option
@click.pass_context
def sync(
    ctx: click.Context,
    sources: tuple[str, ...],
    via_worker: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Read every catalog source into the database and report what changed."""
    if via_worker:
        sys.exit(sync_via_worker(ctx, timeout))
    runtime = _runtime(ctx)
    progress = None if as_json else SyncProgressBar(err)
    with progress or _nullcontext():
        report = runtime.sync(list(sources), trigger="cli", progress=progress)
    if as_json:
        out.print_json(data=report.to_json())
    else:
        print_sync_report(out, report)
    sys.exit(report.exit_code)


@main.group()
def catalog() -> None:
    """Query the catalog (for scripts, and to try greenroom without Slack)."""


@catalog.command("get")
@click.argument("ref")
@json_option
@click.pass_context
def catalog_get(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one entity (full ref, kind:name or bare name)."""
    cat = _runtime(ctx).catalog
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
    cat = _runtime(ctx).catalog
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
    cat = _runtime(ctx).catalog
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
    cat = _runtime(ctx).catalog
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
    hits = search_entities(_runtime(ctx).catalog, " ".join(text), limit=limit)
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
def docs() -> None:
    """TechDocs: build the mkdocs sites, search them, show one."""


@docs.command("build")
@click.argument("ref", required=False)
@click.option("--force", is_flag=True, help="Rebuild even when the sources did not change.")
@json_option
@click.pass_context
def docs_build(ctx: click.Context, ref: str | None, force: bool, as_json: bool) -> None:
    """Build the docs of every entity with a techdocs-ref (or of REF)."""
    runtime = _runtime(ctx)
    refs = [find_entity(runtime.catalog, ref).ref] if ref else None
    progress = None if as_json else DocsProgressBar(err)
    with progress or _nullcontext():
        report = build_all_docs(
            runtime.catalog,
            runtime.settings.techdocs,
            refs,
            progress,
            force=force,
            repositories=runtime.repository_cache,
        )
    if as_json:
        out.print_json(data=to_jsonable(report))
    else:
        print_docs_build(out, report)
    sys.exit(report.exit_code)


@docs.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--owner", help="Only docs of what this team (or person) owns.")
@click.option("--entity", help="Only the docs of this entity.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@json_option
@click.pass_context
def docs_search(
    ctx: click.Context,
    words: tuple[str, ...],
    owner: str | None,
    entity: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search every built docs site; best pages first, with links to the heading."""
    runtime = _runtime(ctx)
    cat = runtime.catalog
    hits = search_docs(
        cat,
        runtime.settings.techdocs,
        " ".join(words),
        owner=find_entity(cat, owner).ref if owner else None,
        entity=find_entity(cat, entity).ref if entity else None,
        limit=limit,
    )
    if as_json:
        out.print_json(data=to_jsonable(hits))
    else:
        print_docs_search(out, hits)


@docs.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def docs_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """An entity's docs: home, pages, links, owner, last build or why it failed."""
    runtime = _runtime(ctx)
    view = docs_overview(
        runtime.catalog, runtime.settings.techdocs, find_entity(runtime.catalog, ref)
    )
    if as_json:
        out.print_json(data=to_jsonable(view))
    else:
        print_docs_overview(out, view)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the schema to the newest version."""
    runtime = _runtime(ctx)
    runtime.upgrade()
    out.print(f"Schema is up to date on {runtime.engine.url.render_as_string(hide_password=True)}")


@main.group()
def repos() -> None:
    """Entities' repositories: where their files are on disk, and the clone cache."""


@repos.command("folder")
@click.argument("refs", nargs=-1, required=True)
@click.option("--refresh", is_flag=True, help="Fetch now, even if the clone is fresh.")
@json_option
@click.pass_context
def repos_folder(ctx: click.Context, refs: tuple[str, ...], refresh: bool, as_json: bool) -> None:
    """The folder holding each entity's files (its repository is cloned if needed)."""
    runtime = _runtime(ctx)
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
    entries = _runtime(ctx).repository_cache.entries()
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


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Load the bundled example company into SQLite and ask the real app a few questions."""
    from bot.demo import run_demo

    sys.exit(run_demo(out, err))


class _DefaultToShow(click.Group):
    """``greenroom k8s NAME`` means ``greenroom k8s show NAME``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


@main.group(cls=_DefaultToShow)
def k8s() -> None:
    """Kubernetes health: `greenroom k8s ENTITY` or `greenroom k8s sweep`."""


@k8s.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def k8s_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """One service's workloads and findings across every cluster."""
    from bot.k8s_view import print_health
    from integrations.kubernetes import check_health

    runtime = _runtime(ctx)
    health = check_health(runtime.clusters, find_entity(runtime.catalog, ref).entity)
    if as_json:
        out.print_json(data=to_jsonable(health))
    else:
        print_health(out, health)


@k8s.command("sweep")
@json_option
@click.option("--post", is_flag=True, help="Post to the team channels, as the worker does.")
@click.pass_context
def k8s_sweep(ctx: click.Context, as_json: bool, post: bool) -> None:
    """Check every annotated service now; print (or --post) what the team channels are told.

    Either way the problems count as told: a later sweep does not announce them again."""
    from bot.k8s_view import print_sweep
    from integrations.kubernetes import sweep_health

    runtime = _runtime(ctx)
    if post:
        from bot.health_sweep import run_health_sweep

        outcome = run_health_sweep(runtime)
        report = outcome.report
    else:
        report = sweep_health(runtime.catalog, runtime.clusters)
    if as_json:
        out.print_json(data=to_jsonable(report))
    else:
        print_sweep(out, report)
    if post:  # on stderr, so --json stays one document
        err.print(f"Posted {outcome.posted} of {len(report.notifications)} notifications.")
        for notification, reason in outcome.failed:
            err.print(f"Not posted ({notification.entity.short}): {reason}", markup=False)


class _ScaffoldGroup(click.Group):
    """``greenroom scaffold TEMPLATE ...`` runs a template; other words are subcommands."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


@main.group(cls=_ScaffoldGroup)
def scaffold() -> None:
    """Create repositories from templates: `greenroom scaffold TEMPLATE --set name=x ...`."""


def _as_option(func: F) -> F:
    return click.option(
        "--as",
        "email",
        metavar="EMAIL",
        help="Act as this catalog user (default: your `git config user.email`).",
    )(func)


def _caller_email(email: str | None) -> str:
    if email:
        return email
    import subprocess

    found = subprocess.run(
        ["git", "config", "--get", "user.email"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not found:
        raise click.UsageError("Pass --as EMAIL: the email of a user in the catalog.")
    return found


@scaffold.command("list")
@json_option
@click.pass_context
def scaffold_list(ctx: click.Context, as_json: bool) -> None:
    """The templates on offer (configured folders, then the shipped ones)."""
    from bot.scaffold_view import print_templates

    index = _runtime(ctx).scaffolder.index()
    if as_json:
        out.print_json(data=to_jsonable(index))
        return
    print_templates(out, index)


@scaffold.command("show")
@click.argument("template")
@_as_option
@json_option
@click.pass_context
def scaffold_show(ctx: click.Context, template: str, email: str | None, as_json: bool) -> None:
    """A template's form: the keys --set accepts, defaults and choices."""
    from bot.scaffold_view import print_form

    scaffolder = _runtime(ctx).scaffolder
    form = scaffolder.form(template, scaffolder.caller(_caller_email(email)))
    if as_json:
        out.print_json(data=to_jsonable(form))
        return
    print_form(out, form)


@scaffold.command("run")
@click.argument("template")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE", help="A field's value.")
@_as_option
@json_option
@click.pass_context
def scaffold_run(
    ctx: click.Context, template: str, pairs: tuple[str, ...], email: str | None, as_json: bool
) -> None:
    """Render TEMPLATE, publish the repository and register it in the catalog."""
    from bot.scaffold_view import StepPrinter, print_result
    from integrations.errors import SubmissionInvalid

    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--set")
        values[key.strip()] = value
    scaffolder = _runtime(ctx).scaffolder
    caller = scaffolder.caller(_caller_email(email))
    try:
        result = scaffolder.run(
            template, values, caller, trigger="cli", progress=None if as_json else StepPrinter(err)
        )
    except SubmissionInvalid as error:
        for key, message in error.errors.items():
            err.print(f"[red]{key}[/red]: {message}", markup=True, highlight=False)
        sys.exit(1)
    if as_json:
        out.print_json(data=to_jsonable(result))
        return
    print_result(out, result)


@scaffold.command("runs")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@json_option
@click.pass_context
def scaffold_runs(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Recent scaffold runs: who, what, status, outcome."""
    from bot.scaffold_view import print_runs

    runs = _runtime(ctx).scaffolder.runs(limit=limit)
    if as_json:
        out.print_json(data=to_jsonable(runs))
        return
    print_runs(out, runs)


@main.command()
@click.argument("question", required=False, default="")
@click.option("--user", "email", metavar="EMAIL", help="Ask as the Slack user with this email.")
@click.option("--home", is_flag=True, help="Open the Home tab instead of asking a question.")
@json_option
@click.pass_context
def ask(ctx: click.Context, question: str, email: str | None, home: bool, as_json: bool) -> None:
    """Ask the Slack app without Slack: "/greenroom owner payments-api", "@greenroom team"."""
    from bot.console import Console

    if not question and not home:
        raise click.UsageError('Give a question, e.g. "/greenroom help", or --home.')
    with Console(_runtime(ctx)) as console:
        answer = console.ask(question, email=email, home=home)
    if as_json:
        out.print_json(data={"status": answer.status, "replies": answer.payloads()})
    else:
        out.print(answer.text(), markup=False)
    sys.exit(0 if answer.answered else 1)


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True, envvar="HOST")  # noqa: S104
@click.option(
    "--port", type=click.IntRange(1, 65535), default=3000, show_default=True, envvar="PORT"
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--socket-mode", is_flag=True, help="Connect out to Slack (needs SLACK_APP_TOKEN).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, socket_mode: bool) -> None:
    """Run the Slack app: the web process (HTTP) or a Socket Mode client."""
    from bot.serve import serve_http, serve_socket_mode

    runtime = _runtime(ctx)
    if socket_mode:
        serve_socket_mode(runtime)
        return
    lazy = ctx.find_object(_LazyRuntime)
    assert lazy is not None
    serve_http(
        runtime,
        host=host,
        port=port,
        workers=workers,
        config_file=lazy.config_file,
        database_url=lazy.overrides.get("database_url"),
    )


@main.command()
@click.option("--url", help="The public https:// address of `greenroom serve`.")
@click.option("--socket-mode", is_flag=True, help="A Socket Mode app (no public URL).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
@click.pass_context
def manifest(ctx: click.Context, url: str | None, socket_mode: bool, fmt: str) -> None:
    """Print the Slack app manifest to create the app from."""
    import json

    import yaml

    from bot.manifest import build_manifest

    lazy = ctx.find_object(_LazyRuntime)
    assert lazy is not None
    settings = lazy.settings()
    docs = (settings.techdocs.base_url, settings.techdocs.external_base_url)
    data = build_manifest(settings.slack, url=url, socket_mode=socket_mode, docs_urls=docs)
    text = (
        json.dumps(data, indent=2)
        if fmt == "json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    click.echo(text.rstrip())


main.add_command(worker_command)
main.add_command(jobs_group)
main.add_command(migrations)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, refs and datetimes as plain JSON values."""
    if isinstance(value, EntityRef):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


if __name__ == "__main__":  # pragma: no cover
    main()
