"""``greenroom worker`` and ``greenroom jobs``: run the worker, check it, list and request jobs."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from bot.cli.context import err, out, runtime_of
from catalog.sync_report import EXIT_FAILED, EXIT_HELD
from jobs import (
    CATALOG_SYNC,
    JobsOverview,
    RunRecord,
    Worker,
    check_health,
    get_run,
    jobs_overview,
    request_run,
    wait_for_run,
)
from runtime.logs import log_as
from runtime.process import Runtime

__all__ = ["jobs_group", "sync_via_worker", "worker_command"]


@click.command("worker")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 0 if a worker reported a heartbeat recently, 1 if not (a readiness probe).",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    help="Overrides the log_level setting (default INFO).",
)
@click.pass_context
def worker_command(ctx: click.Context, check: bool, log_level: str | None) -> None:
    """Run scheduled and requested jobs until SIGTERM (the Procfile's `worker`)."""
    runtime = runtime_of(ctx, create=not check)
    if check:
        sys.exit(_print_health(runtime))
    log_as("worker", runtime.settings, level=log_level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The `greenroom` script imports bot.cli.main; job processes re-run it, so have it preloaded.
    from bot.capabilities import job_registry  # every capability: only when needed

    registry = job_registry(runtime.settings)
    sys.exit(Worker(runtime, registry=registry, preload=["bot.cli.main"]).run_forever())


@click.group("jobs", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def jobs_group(ctx: click.Context, as_json: bool) -> None:
    """List schedules, their next and last runs, active runs and workers."""
    if ctx.invoked_subcommand is not None:
        return
    runtime = runtime_of(ctx)
    from bot.capabilities import job_registry  # every capability: only when needed

    overview = jobs_overview(runtime, job_registry(runtime.settings))
    if as_json:
        out.print_json(data=overview_json(overview))
    else:
        print_overview(out, overview)


@jobs_group.command("run")
@click.argument("kind")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Repeatable; JSON ok.")
@click.option("--wait/--no-wait", default=False, help="Wait for the run to finish.")
@click.option("--timeout", type=click.FloatRange(1), default=900, show_default=True)
@click.pass_context
def jobs_run(
    ctx: click.Context, kind: str, params: tuple[str, ...], wait: bool, timeout: float
) -> None:
    """Ask a worker to run KIND now (picked up within a few seconds)."""
    runtime = runtime_of(ctx)
    from bot.capabilities import job_registry  # every capability: only when needed

    job_registry(runtime.settings).get(kind)
    run_id = request_run(runtime.engine, kind, _params(params), requested_by="cli")
    out.print(f"Requested {kind} as run #{run_id}.")
    if wait:
        record = wait_for_run(runtime.engine, run_id, timeout=timeout)
        print_run(out, record)
        sys.exit(0 if record.status == "succeeded" else 1)


@jobs_group.command("show")
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def jobs_show(ctx: click.Context, run_id: int, as_json: bool) -> None:
    """One run's whole record: status, result, and the error with a dead process's output."""
    record = get_run(runtime_of(ctx).engine, run_id)
    if record is None:
        err.print(f"No run #{run_id}.")
        sys.exit(1)
    if as_json:
        out.print_json(data=_run_json(record))
    else:
        print_run(out, record)


@jobs_group.command("health")
@click.pass_context
def jobs_health(ctx: click.Context) -> None:
    """Exit 0 if a worker reported a heartbeat recently, 1 if not."""
    sys.exit(_print_health(runtime_of(ctx)))


def sync_via_worker(
    ctx: click.Context, timeout: float, *, allow_removals: Sequence[str] = (), by: str = "cli"
) -> int:
    """``greenroom sync --via-worker``: request catalog.sync and wait for its outcome."""
    runtime = runtime_of(ctx)
    params: dict[str, Any] = {}
    if allow_removals:
        params = {"allow_removals": list(allow_removals), "allowed_by": by}
    requested_by = by if allow_removals else "cli"
    run_id = request_run(runtime.engine, CATALOG_SYNC, params, requested_by=requested_by)
    err.print(f"Requested {CATALOG_SYNC} as run #{run_id}; waiting for a worker...")
    record = wait_for_run(runtime.engine, run_id, timeout=timeout)
    print_run(out, record)
    if record.status != "succeeded":
        return EXIT_FAILED
    held = isinstance(record.result, dict) and record.result.get("held")
    return EXIT_HELD if held else 0


def _print_health(runtime: Runtime) -> int:
    health = check_health(runtime.engine, stale_after=runtime.settings.worker.stale_after_seconds)
    (out if health.ok else err).print(f"{'ok' if health.ok else 'unhealthy'}: {health.reason}")
    return 0 if health.ok else 1


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def print_overview(console: Console, overview: JobsOverview) -> None:
    """Worker health, then the schedules table, then active runs and problems."""
    state = "[green]ok[/green]" if overview.health.ok else "[red]not running[/red]"
    console.print(f"Worker: {state} ({overview.health.reason})", markup=True)
    table = Table("schedule", "kind", "when", "next run", "last run", box=None)
    for view in overview.schedules:
        schedule = view.schedule
        when = schedule.spec.expression
        if schedule.zone.key != overview.timezone and schedule.spec.cron is not None:
            when += f" ({schedule.zone.key})"
        upcoming = _when(view.next_run) if view.next_run else "never"
        table.add_row(schedule.id, schedule.kind, when, upcoming, _last(view.last, schedule.zone))
    console.print(f"Schedules (times in {overview.timezone} unless noted):")
    console.print(table if overview.schedules else "  none")
    if overview.active:
        console.print("Active runs:")
        for run in overview.active:
            who = f" by {run.requested_by}" if run.requested_by else ""
            console.print(
                f"  #{run.id} {run.kind} {run.status} ({run.trigger}{who}, attempt {run.attempt})",
                markup=False,
            )
            if run.error:
                console.print(f"      last error: {_first_line(run.error)}", markup=False)
    if overview.failures:
        zone = ZoneInfo(overview.timezone)
        console.print("Recent failures (`greenroom jobs show ID` for the whole record):")
        for run in overview.failures:
            ended = (run.finished_at or run.started_at or run.slot).astimezone(zone)
            console.print(
                f"  #{run.id} {run.kind} {run.status} {_when(ended)}: {_first_line(run.error)}",
                markup=False,
            )
    for problem in overview.problems:
        console.print(f"[yellow]problem[/yellow]: {problem}", markup=True)


def print_run(console: Console, record: RunRecord) -> None:
    """One run's outcome: status, duration, result or error."""
    took = f" in {record.seconds:.1f}s" if record.seconds is not None else ""
    console.print(f"Run #{record.id} {record.kind}: {record.status}{took}", markup=False)
    if record.result:
        console.print(json.dumps(record.result, sort_keys=True), markup=False)
    if record.error:
        console.print(record.error, markup=False)


def _run_json(record: RunRecord) -> dict[str, Any]:
    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": record.id,
        "kind": record.kind,
        "schedule_id": record.schedule_id,
        "slot": stamp(record.slot),
        "trigger": record.trigger,
        "status": record.status,
        "attempt": record.attempt,
        "started_at": stamp(record.started_at),
        "finished_at": stamp(record.finished_at),
        "error": record.error,
        "result": record.result,
    }


def _first_line(error: str | None) -> str:
    lines = (error or "").strip().splitlines()
    return lines[0][:200] if lines else "no reason recorded"


def _when(moment: datetime) -> str:
    seconds = ":%S" if moment.second else ""
    return moment.strftime(f"%a %Y-%m-%d %H:%M{seconds} %Z")


def _last(run: RunRecord | None, zone: ZoneInfo) -> str:
    if run is None:
        return "-"
    when = (run.started_at or run.finished_at or run.slot).astimezone(zone)
    text = f"{run.status} {when:%a %H:%M}"
    if run.trigger == "catch-up":
        text += " (late)"
    if run.seconds is not None and run.status != "skipped":
        text += f" in {run.seconds:.1f}s"
    if run.error and run.status != "succeeded":
        text += ": " + run.error.strip().splitlines()[0][:80]
    return text


def overview_json(overview: JobsOverview) -> dict[str, Any]:
    """The overview as plain JSON values."""

    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    def run(record: RunRecord | None) -> dict[str, Any] | None:
        return None if record is None else _run_json(record)

    return {
        "timezone": overview.timezone,
        "healthy": overview.health.ok,
        "health": overview.health.reason,
        "schedules": [
            {
                "id": v.schedule.id,
                "kind": v.schedule.kind,
                "when": v.schedule.spec.expression,
                "timezone": v.schedule.zone.key,
                "origin": v.schedule.origin,
                "params": dict(v.schedule.params),
                "next_run": stamp(v.next_run),
                "last_run": run(v.last),
            }
            for v in overview.schedules
        ],
        "active": [run(r) for r in overview.active],
        "failures": [run(r) for r in overview.failures],
        "workers": [
            {"id": w.id, "last_seen": stamp(w.last_seen), "current": w.current}
            for w in overview.workers
        ],
        "problems": overview.problems,
        "generated_at": datetime.now(UTC).isoformat(),
    }
