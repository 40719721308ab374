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

from catalog.holds import HoldNotice
from catalog.sync import SourceReport, SyncReport

__all__ = ["SyncProgressBar", "held_source_line", "print_sync_report", "removed_source_line"]


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


_STATUS = {
    "ok": "[green]ok[/green]",
    "held": "[yellow]held[/yellow]",
    "unavailable": "[red]unavailable[/red]",
    "failed": "[red]failed[/red]",
}


def print_sync_report(console: Console, report: SyncReport) -> None:
    """The summary table, then every error, warning and conflict with file:line, then what
    waits for an admin (held sources, removed sources)."""
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
        table.add_row(
            s.name,
            _STATUS[s.status],
            str(s.files),
            str(len(s.added)),
            str(len(s.updated) + len(s.adopted)),
            str(len(s.removed)),
            str(s.unchanged),
            str(len(s.errors)),
            str(len(s.warnings)),
            str(len(s.conflicts)),
            f"{s.seconds:.2f}",
        )
    console.print(table)
    for s in report.sources:
        _print_source(console, s)
    _print_dangling(console, report)
    for notice in report.removed_sources:
        console.print("[yellow]removed source[/yellow] ", end="")
        console.print(removed_source_line(notice), markup=False)
    if report.error:
        console.print(f"[red]The sync broke off:[/red] {report.error}")


def _print_source(console: Console, s: SourceReport) -> None:
    if s.error:
        what = "could not be read" if s.status == "unavailable" else "failed in greenroom"
        console.print(f"[red]{s.name}: {what}, its entities were kept:[/red] ", end="")
        console.print(s.error, markup=False)
    for problem in s.problems:
        colour = "red" if problem.level == "error" else "yellow"
        console.print(f"[{colour}]{problem.level}[/{colour}] {s.name}: ", end="")
        console.print(str(problem), markup=False)
    for conflict in s.conflicts:
        console.print(f"[magenta]conflict[/magenta] {s.name}: ", end="")
        console.print(conflict.message, markup=False)
    if s.adopted:
        console.print(
            f"{s.name}: took over {len(s.adopted)} entities of a source removed from "
            "greenroom.yaml (same uids)",
            markup=False,
        )
    if s.hold is not None:
        colour = "yellow" if s.status == "held" else "green"
        label = "held" if s.status == "held" else "hold ended"
        console.print(f"[{colour}]{label}[/{colour}] ", end="")
        console.print(held_source_line(s.hold), markup=False)


def _print_dangling(console: Console, report: SyncReport) -> None:
    if not report.dangling_total:
        return
    console.print(f"[yellow]{report.dangling_total} relations point at missing entities:[/yellow]")
    for d in report.dangling[:20]:
        console.print(f"  {d.declared_by} {d.type} {d.missing} (missing)", markup=False)
    if report.dangling_total > 20:
        console.print(f"  ... and {report.dangling_total - 20} more")


def held_source_line(notice: HoldNotice) -> str:
    """One held source (or the end of its hold), in words, with the command that confirms."""
    if notice.resolution:
        return f"{notice.source}: hold #{notice.hold_id} ended: {notice.resolution}"
    more = ", ..." if notice.removing > len(notice.examples) else ""
    examples = ", ".join(notice.examples) + more
    confirmed = f" Confirmed by {notice.confirmed_by}." if notice.confirmed_by else ""
    return (
        f"{notice.source}: this sync would remove {notice.removing} of its {notice.stored} "
        f"entities ({notice.share:.0%}; e.g. {examples}), so nothing of it changed "
        f"(held since {notice.since}).{confirmed} If these removals are right: "
        f"greenroom sync --allow-removals {notice.source}"
    )


def removed_source_line(notice: HoldNotice) -> str:
    """A source gone from greenroom.yaml: what happens to its entities, and when."""
    if notice.resolution:
        return f"{notice.source} ({notice.stored} entities): {notice.resolution}"
    return (
        f"{notice.source} is no longer in greenroom.yaml; its {notice.stored} entities stay, "
        f"orphaned, until {notice.due} (greenroom sync --allow-removals {notice.source} "
        "removes them now; putting the source back keeps them)"
    )
