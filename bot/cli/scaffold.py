"""``greenroom scaffold``: templates, runs, and creating a repository from the terminal."""

from __future__ import annotations

import sys

import click

from bot.cli.context import F, err, json_option, out, runtime_of, to_jsonable

__all__ = ["scaffold"]


class _ScaffoldGroup(click.Group):
    """``greenroom scaffold TEMPLATE ...`` runs a template; other words are subcommands."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=_ScaffoldGroup)
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
    from bot.cli.scaffold_view import print_templates

    index = runtime_of(ctx).scaffolder.index()
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
    from bot.cli.scaffold_view import print_form

    scaffolder = runtime_of(ctx).scaffolder
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
    from bot.cli.scaffold_view import StepPrinter, print_result
    from integrations.errors import SubmissionInvalid

    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--set")
        values[key.strip()] = value
    scaffolder = runtime_of(ctx).scaffolder
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
    from bot.cli.scaffold_view import print_runs

    runs = runtime_of(ctx).scaffolder.runs(limit=limit)
    if as_json:
        out.print_json(data=to_jsonable(runs))
        return
    print_runs(out, runs)
