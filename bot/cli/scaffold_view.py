"""Printing the scaffolder's answers on a terminal (``greenroom scaffold ...``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from integrations.scaffolder import (
    ScaffoldResult,
    ScaffoldRun,
    ScaffoldStep,
    TemplateForm,
    TemplateIndex,
)

__all__ = ["StepPrinter", "print_form", "print_result", "print_runs", "print_templates"]


class StepPrinter:
    """Shows each step of a run as it starts."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, step: ScaffoldStep, label: str) -> None:
        self.console.print(f"[dim]- {label}[/dim]")


def print_templates(out: Console, index: TemplateIndex) -> None:
    table = Table("template", "title", "trusted", "from", box=None)
    for template in index.templates:
        table.add_row(
            template.id,
            f"{template.icon} {template.title}",
            "yes" if template.trusted else "no",
            template.origin,
        )
    out.print(table)
    for problem in index.problems:
        out.print(f"[yellow]not usable:[/yellow] {problem}", markup=True, highlight=False)


def print_form(out: Console, form: TemplateForm) -> None:
    out.print(f"[bold]{form.icon} {form.title}[/bold] ({form.template_id})")
    if form.description:
        out.print(form.description, markup=False)
    table = Table("--set key", "kind", "required", "default / choices", box=None)
    for field in form.fields:
        if field.options:
            shown = ", ".join(o.value for o in field.options[:8])
            shown += f", ... ({len(field.options)} choices)" if len(field.options) > 8 else ""
        elif field.derived:
            shown = f"(derived) {field.placeholder or ''}"
        else:
            shown = "" if field.default is None else str(field.default)
        table.add_row(field.key, field.kind, "yes" if field.required else "", shown)
    out.print(table)


def print_result(out: Console, result: ScaffoldResult) -> None:
    out.print(f"[green]Created {result.name}[/green] in {result.seconds:.1f} s")
    out.print(f"  repository: {result.repository.web_url}", markup=False)
    out.print(f"  clone:      {result.repository.clone_url}", markup=False)
    out.print(f"  catalog:    {result.entity_ref}", markup=False)
    if result.has_docs:
        out.print("  docs:       yes (TechDocs)")
    for step in result.next_steps:
        out.print(f"  next: {step}", markup=False)
    for warning in result.warnings:
        out.print(f"  [yellow]warning:[/yellow] {warning}", markup=True, highlight=False)


def print_runs(out: Console, runs: list[ScaffoldRun]) -> None:
    if not runs:
        out.print("No scaffold runs yet.")
        return
    table = Table("id", "started", "who", "template", "name", "status", "s", "outcome", box=None)
    for run in runs:
        outcome = run.error if run.status == "failed" else (run.repository_url or run.step)
        seconds = f"{run.seconds:.1f}" if run.seconds is not None else "-"
        table.add_row(
            str(run.id),
            run.started_at.strftime("%Y-%m-%d %H:%M"),
            run.requested_by_email,
            run.template,
            run.name,
            run.status,
            seconds,
            outcome or "",
        )
    out.print(table)
