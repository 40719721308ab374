"""How ``greenroom docs ...`` looks in a terminal: a build progress bar and result tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from integrations.techdocs import BuildOutcome, DocsBuildReport, DocsOverview, DocsSearchHit

__all__ = [
    "DocsProgressBar",
    "print_docs_build",
    "print_docs_overview",
    "print_docs_search",
    "print_docs_summary",
]

_COLOURS = {"built": "green", "unchanged": "dim", "failed": "red", "unavailable": "yellow"}


class DocsProgressBar(Progress):
    """One bar over all sites; the entity being finished is shown beside it."""

    def __init__(self, console: Console) -> None:
        super().__init__(
            TextColumn("[bold]docs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self.add_task("", total=None)

    def __call__(self, done: int, total: int, outcome: BuildOutcome | None) -> None:
        label = f"{outcome.ref.short}: {outcome.status}" if outcome else ""
        self.update(self._task, completed=done, total=total, description=escape(label))


def print_docs_build(console: Console, report: DocsBuildReport) -> None:
    """Every site's outcome, then the reasons of failures."""
    table = Table(title=f"Docs build ({report.seconds:.1f} s)", title_justify="left")
    for column in ("entity", "result", "seconds", "note"):
        table.add_column(column)
    for o in report.outcomes:
        colour = _COLOURS.get(o.status, "white")
        note = o.reason or (f"{len(o.warnings)} warnings" if o.warnings else "")
        table.add_row(
            o.ref.short, f"[{colour}]{o.status}[/{colour}]", f"{o.seconds:.1f}", escape(note)
        )
    console.print(table)
    for ref in report.removed:
        console.print(f"removed the site of {ref.short} (no docs any more)", markup=False)


def print_docs_summary(console: Console, report: DocsBuildReport) -> None:
    """One line of counts (the demo), then the reason of every failure."""
    counts = ", ".join(
        f"{len(report.having(status))} {status}"
        for status in ("built", "unchanged", "failed", "unavailable")
        if report.having(status)
    )
    sites = len(report.outcomes) - len(report.having("no_docs"))
    console.print(
        f"Docs: {sites} sites ({counts or 'none'}) in {report.seconds:.1f} s", markup=False
    )
    for o in report.having("failed") + report.having("unavailable"):
        console.print(f"  {o.ref.short}: {o.reason}", markup=False)


def print_docs_search(console: Console, hits: list[DocsSearchHit]) -> None:
    """Ranked hits with their links and snippets."""
    if not hits:
        console.print("No matches.")
    for hit in hits:
        where = hit.page_title + (f" > {hit.heading}" if hit.heading else "")
        console.print(f"{hit.score:6.2f}  {hit.entity_ref.short}  {where}", markup=False)
        console.print(f"        {hit.url}", markup=False)
        if hit.snippet:
            console.print(f"        {hit.snippet}", markup=False, style="dim")


def print_docs_overview(console: Console, view: DocsOverview) -> None:
    """Docs home, pages, links, owner and build state."""
    console.print(f"[bold]{escape(view.display_name)}[/bold] ({view.ref.short})")
    owner = view.owner_name or (view.owner_ref.short if view.owner_ref else "none")
    console.print(f"owner: {owner}", markup=False)
    if view.home_url:
        console.print(f"docs: {view.home_url}", markup=False)
    state = {
        "ok": "built",
        "failing": "last build failed",
        "no_docs": "no docs yet (no backstage.io/techdocs-ref annotation)",
        "not_built": "not built yet",
        "unavailable": "cannot be built here",
    }[view.status]
    built = f", site built {view.built_at:%Y-%m-%d %H:%M} UTC" if view.built_at else ""
    console.print(f"status: {state}{built}", markup=False)
    if view.reason:
        console.print(f"[red]because:[/red] {escape(view.reason)}")
    for link in view.nav:
        console.print(f"  - {link.title}: {link.url}", markup=False)
    if view.links:
        console.print("links:")
        for link in view.links:
            console.print(f"  - {link.title}: {link.url}", markup=False)
