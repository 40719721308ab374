"""How ``greenroom k8s`` looks in a terminal: the same summary the Slack command shows."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from commands.k8s.blocks import format_age
from integrations.kubernetes import (
    ClusterState,
    HealthStatus,
    KubernetesHealth,
    Severity,
    SweepReport,
)

__all__ = ["print_health", "print_sweep"]

_STATUS_STYLE = {
    HealthStatus.HEALTHY: "green",
    HealthStatus.DEGRADED: "yellow",
    HealthStatus.FAILING: "red",
    HealthStatus.UNKNOWN: "dim",
}
_SEVERITY_STYLE = {Severity.CRITICAL: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_health(out: Console, health: KubernetesHealth) -> None:
    """Clusters, namespaces and workloads, then the findings worst first."""
    style = _STATUS_STYLE[health.status]
    out.print(f"[bold]{health.entity.short}[/bold]  [{style}]{health.status.value}[/{style}]")
    if health.selector is not None:
        where = f" in namespace {health.selector.namespace}" if health.selector.namespace else ""
        out.print(f"selector: {escape(health.selector.label_selector)}{where}", style="dim")
    if health.message:
        out.print(escape(health.message))
    for b in health.batch:  # it runs only CronJobs/Jobs: `greenroom pipeline` shows their runs
        extra = f"  {escape(b.schedule)}" if b.schedule else ""
        extra += "  (suspended)" if b.suspended else ""
        where = escape(f"{b.cluster}/{b.namespace}")
        out.print(f"  {b.kind} {escape(b.name)} in {where}{extra}")
    for cluster in health.clusters:
        if cluster.state is not ClusterState.OK:
            out.print(f"[red]✗[/red] {escape(cluster.name)}: {escape(cluster.reason or '')}")
            continue
        out.print(f"[bold]{escape(cluster.name)}[/bold]")
        for problem in cluster.problems:
            out.print(f"  [yellow]![/yellow] {escape(problem)}")
        for namespace in cluster.namespaces:
            table = Table("kind", "name", "ready", "restarts", "hpa", "image", "age", box=None)
            for w in namespace.workloads:
                hpa = w.autoscaler
                table.add_row(
                    w.kind,
                    escape(w.name),
                    f"{w.ready}/{w.desired}",
                    str(w.restarts),
                    f"{hpa.current if hpa.current is not None else '?'}/{hpa.max}" if hpa else "-",
                    escape(", ".join(w.image_tags)),
                    format_age(w.age_seconds),
                )
            out.print(f"  namespace {escape(namespace.name)}")
            out.print(table)
    if health.findings:
        out.print()
        for f in health.findings:
            s = _SEVERITY_STYLE[f.severity]
            out.print(f"[{s}]{f.severity.value:8}[/{s}] {escape(str(f.object))}: {escape(f.title)}")
            out.print(f"         {escape(f.explanation)}")
            out.print(f"         fix: {escape(f.fix)}", style="dim")
    elif health.status is HealthStatus.HEALTHY:
        out.print("[green]all healthy[/green]")


def print_sweep(out: Console, report: SweepReport) -> None:
    """Counts per status, unreachable clusters, then the notifications to send."""
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.statuses.items())) or "no services"
    out.print(f"Checked in {report.seconds:.1f} s: {counts}")
    for cluster, reason in report.unreachable:
        out.print(f"[red]✗[/red] {escape(cluster)}: {escape(reason)}")
    for ref, reason in report.invalid:
        out.print(f"[yellow]![/yellow] {ref.short}: {escape(reason)}")
    for n in report.notifications:
        mark = "[red]NEW[/red]     " if n.change == "new" else "[green]RESOLVED[/green]"
        channel = n.channel or "(no channel)"
        out.print(f"{mark} {escape(channel)}  {n.entity.short}: {escape(n.finding.title)}")
    if not report.notifications:
        out.print("No new or resolved problems.")
