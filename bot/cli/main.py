"""The ``greenroom`` command: thin wrappers over the plain functions that are also the API.

Subcommands live in their own modules (``bot/cli/<name>.py``) and are imported only when they
run, so ``greenroom --version`` or ``--help`` imports click and nothing heavy, and each command
imports only what it uses (tests/bot/cli/test_imports.py holds every command to that).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["COMMANDS", "main"]

#: Every subcommand: its name -> (``module:attribute``, the one line ``greenroom --help``
#: shows, which a test keeps equal to the command's own). One line per command.
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": (
        "bot.cli.slack:ask",
        'Ask the Slack app without Slack: "/greenroom owner payments-api", "@greenroom team".',
    ),
    "audit": (
        "bot.cli.audit:audit",
        "The day-2 actions' audit trail, newest first: of one entity with REF.",
    ),
    "catalog": (
        "bot.cli.catalog:catalog",
        "Query the catalog (for scripts, and to try greenroom without Slack).",
    ),
    "config": ("bot.cli.config:config", "The configuration: greenroom.yaml and the environment."),
    "db": ("bot.cli.catalog:db", "The database schema."),
    "demo": (
        "bot.cli.slack:demo",
        "Load the bundled example company into SQLite and ask the real app a few questions.",
    ),
    "docs": ("bot.cli.docs:docs", "TechDocs: build the mkdocs sites, search them, show one."),
    "jobs": (
        "bot.cli.jobs:jobs_group",
        "List schedules, their next and last runs, active runs and workers.",
    ),
    "k8s": (
        "bot.cli.k8s:k8s",
        "Kubernetes health: `greenroom k8s ENTITY` or `greenroom k8s sweep`.",
    ),
    "kpis": (
        "bot.cli.kpis:kpis",
        "Team KPIs: collect them from their sources, show a leaderboard, who is on call.",
    ),
    "manifest": ("bot.cli.slack:manifest", "Print the Slack app manifest to create the app from."),
    "migrations": (
        "bot.cli.migrations:migrations",
        "Tech migrations: progress, leaderboards, what is left.",
    ),
    "repos": (
        "bot.cli.repos:repos",
        "Entities' repositories: where their files are on disk, and the clone cache.",
    ),
    "scaffold": (
        "bot.cli.scaffold:scaffold",
        "Create repositories from templates: `greenroom scaffold TEMPLATE --set name=x ...`.",
    ),
    "serve": (
        "bot.cli.slack:serve",
        "Run the Slack app: the web process (HTTP) or a Socket Mode client.",
    ),
    "sync": (
        "bot.cli.catalog:sync",
        "Read every catalog source into the database and report what changed.",
    ),
    "worker": (
        "bot.cli.jobs:worker_command",
        "Run scheduled and requested jobs until SIGTERM (the Procfile's `worker`).",
    ),
}


class GreenroomGroup(click.Group):
    """Imports a subcommand only when it runs, and shows GreenroomError as ``Name: message``
    on stderr with exit code 1, without a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        from importlib import import_module

        module, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command = getattr(import_module(module), attribute)
        assert isinstance(command, click.Command)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from COMMANDS: ``--help`` imports none of them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        if name in COMMANDS and name not in self.commands:
            return click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)
        return self.commands[name].get_short_help_str(limit)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SystemExit as stop:
            errors = sys.modules.get("catalog.errors")
            if errors is not None and isinstance(stop, errors.Interrupted):
                from bot.cli.context import err

                err.print(f"Stopped: {stop.reason}", markup=False, highlight=False)
            raise
        except Exception as error:
            errors = sys.modules.get("catalog.errors")  # loaded by whatever raised one
            if errors is None or not isinstance(error, errors.GreenroomError):
                raise
            from bot.cli.context import err

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
    from bot.cli.context import LazyRuntime
    from runtime.child_imports import isolate_child_imports

    isolate_child_imports()  # job, answer and web worker processes import as this one does
    overrides = {"database_url": database_url} if database_url else {}
    ctx.obj = LazyRuntime(config_file, overrides)


if __name__ == "__main__":  # pragma: no cover
    main()
