"""``greenroom docs``: build, search and show TechDocs sites."""

from __future__ import annotations

import sys
from contextlib import nullcontext

import click

from bot.cli.context import err, json_option, out, runtime_of, to_jsonable
from bot.cli.docs_view import (
    DocsProgressBar,
    print_docs_build,
    print_docs_overview,
    print_docs_search,
)
from catalog.lookup import find_entity
from integrations.techdocs import build_all_docs, docs_overview, search_docs

__all__ = ["docs"]


@click.group()
def docs() -> None:
    """TechDocs: build the mkdocs sites, search them, show one."""


@docs.command("build")
@click.argument("ref", required=False)
@click.option("--force", is_flag=True, help="Rebuild even when the sources did not change.")
@json_option
@click.pass_context
def docs_build(ctx: click.Context, ref: str | None, force: bool, as_json: bool) -> None:
    """Build the docs of every entity with a techdocs-ref (or of REF)."""
    runtime = runtime_of(ctx)
    refs = [find_entity(runtime.catalog, ref).ref] if ref else None
    progress = None if as_json else DocsProgressBar(err)
    with progress or nullcontext():
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
    runtime = runtime_of(ctx)
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
    runtime = runtime_of(ctx)
    view = docs_overview(
        runtime.catalog, runtime.settings.techdocs, find_entity(runtime.catalog, ref)
    )
    if as_json:
        out.print_json(data=to_jsonable(view))
    else:
        print_docs_overview(out, view)
