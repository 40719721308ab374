"""How ``greenroom sync`` looks in a terminal: a progress bar, then a summary table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from catalog.sync import SourceReport, SyncReport

__all__ = ["SyncProgressBar", "print_sync_report"]


class SyncProgressBar(Progress):
    """Counts files per source while they are read."""

    def __init__(self, console: Console) -> None:
        super().__init__(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} files"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._by_source: dict[str, TaskID] = {}

    def file_read(self, source: str, path: str) -> None:
        if source not in self._by_source:
            self._by_source[source] = self.add_task(source, total=None)
        self.advance(self._by_source[source])

    def source_done(self, report: SourceReport) -> None:
        task = self._by_source.get(report.name)
        if task is not None:
            self.update(task, total=report.files, completed=report.files)


def print_sync_report(console: Console, report: SyncReport) -> None:
    """The summary table, then every error, warning and conflict with file:line."""
    table = Table(title=f"Sync #{report.run_id}: {report.status}", title_justify="left")
    for column in (
        "source",
        "status",
        "files",
        "added",
        "updated",
        "removed",
        "unchanged",
        "errors",
        "warnings",
        "conflicts",
        "seconds",
    ):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for s in report.sources:
        status = "[green]ok[/green]" if s.status == "ok" else "[red]unavailable[/red]"
        table.add_row(
            s.name,
            status,
            str(s.files),
            str(len(s.added)),
            str(len(s.updated)),
            str(len(s.removed)),
            str(s.unchanged),
            str(len(s.errors)),
            str(len(s.warnings)),
            str(len(s.conflicts)),
            f"{s.seconds:.2f}",
        )
    console.print(table)
    for s in report.sources:
        if s.error:
            console.print(
                f"[red]{s.name}: could not be read, its entities were kept:[/red] {s.error}"
            )
        for problem in s.problems:
            colour = "red" if problem.level == "error" else "yellow"
            console.print(f"[{colour}]{problem.level}[/{colour}] {s.name}: ", end="")
            console.print(str(problem), markup=False)
        for conflict in s.conflicts:
            console.print(f"[magenta]conflict[/magenta] {s.name}: ", end="")
            console.print(conflict.message, markup=False)
    if report.dangling_total:
        console.print(
            f"[yellow]{report.dangling_total} relations point at missing entities:[/yellow]"
        )
        for d in report.dangling[:20]:
            console.print(f"  {d.declared_by} {d.type} {d.missing} (missing)", markup=False)
        if report.dangling_total > 20:
            console.print(f"  ... and {report.dangling_total - 20} more")
