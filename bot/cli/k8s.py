"""``greenroom k8s``: a service's Kubernetes health, and the health sweep."""

from __future__ import annotations

import click

from bot.cli.context import err, json_option, out, runtime_of, to_jsonable
from catalog.lookup import find_entity

__all__ = ["k8s"]


class _DefaultToShow(click.Group):
    """``greenroom k8s NAME`` means ``greenroom k8s show NAME``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=_DefaultToShow)
def k8s() -> None:
    """Kubernetes health: `greenroom k8s ENTITY` or `greenroom k8s sweep`."""


@k8s.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def k8s_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """One service's workloads and findings across every cluster."""
    from bot.cli.k8s_view import print_health
    from integrations.kubernetes import check_health

    runtime = runtime_of(ctx)
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
    from bot.cli.k8s_view import print_sweep
    from integrations.kubernetes import sweep_health

    runtime = runtime_of(ctx)
    if post:
        from commands.k8s.sweep import run_health_sweep

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
