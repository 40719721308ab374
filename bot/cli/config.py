"""``greenroom config``: check a configuration, show what greenroom sees, and print the
configuration reference (docs/configuration.md) from the settings models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
from pydantic import BaseModel

from bot.cli.config_reference import EnvVariable
from bot.cli.context import LazyRuntime, out, settings_of

__all__ = ["config", "environment_variables"]

#: Read outside the settings (by bot/web/serve.py, before anything imports prometheus_client).
_METRICS_DIR = EnvVariable(
    "PROMETHEUS_MULTIPROC_DIR",
    "`greenroom serve`",
    "folder where every process of one server keeps its metrics for /metrics "
    "(default: <data_dir>/metrics-<port>, emptied at start)",
)


@click.group()
def config() -> None:
    """The configuration: greenroom.yaml and the environment."""


@config.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Exit 0 if greenroom.yaml and the environment make valid settings, 1 with the reasons."""
    settings = settings_of(ctx)
    lazy = ctx.find_object(LazyRuntime)
    given = lazy.config_file if lazy is not None else None
    found = Path("greenroom.yaml") if Path("greenroom.yaml").is_file() else None
    where = given or found
    origin = str(where) if where else "no greenroom.yaml: defaults and the environment"
    counts = (
        f"{len(settings.catalog.sources)} catalog source(s), "
        f"{len(settings.kubernetes.clusters)} cluster(s), slack mode {settings.slack.mode}"
    )
    out.print(f"ok: {origin} ({counts})", markup=False)


@config.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the settings greenroom would run with, as JSON, secrets masked."""
    settings = settings_of(ctx)
    click.echo(json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True))


@config.command("reference")
@click.pass_context
def config_reference(ctx: click.Context) -> None:
    """Print docs/configuration.md: every greenroom.yaml key and environment variable."""
    from bot.cli.config_reference import reference_markdown
    from runtime.settings import Settings

    root = ctx.find_root().command
    click.echo(reference_markdown(Settings, variables=environment_variables(root)), nl=False)


def environment_variables(root: click.Command) -> list[EnvVariable]:
    """Every variable read besides ``GREENROOM_<KEY>``: the CLI's options that take one, the
    conventional ones of runtime/settings.py and the Slack ones, and the few read elsewhere."""
    from runtime.settings import WELL_KNOWN_ENV, Settings
    from runtime.slack_settings import SLACK_ENV, SlackSettings

    found: dict[str, EnvVariable] = {}
    for name, path in WELL_KNOWN_ENV.items():
        description = _description(Settings, path)
        found[name] = EnvVariable(name, f"`{'.'.join(path)}`", description)
    for name, field in SLACK_ENV.items():
        description = SlackSettings.model_fields[field].description or ""
        found[name] = EnvVariable(name, f"`slack.{field}`", description)
    for command_path, option in _options(root, "greenroom"):
        for name in _envvars(option):
            if name in found:
                continue
            flag = max(option.opts, key=len)
            found[name] = EnvVariable(name, f"`{command_path} {flag}`", option.help or "")
    found[_METRICS_DIR.name] = _METRICS_DIR
    return sorted(found.values(), key=lambda v: v.name)


def _options(command: click.Command, path: str) -> Iterator[tuple[str, click.Option]]:
    for param in command.params:
        if isinstance(param, click.Option):
            yield path, param
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in sorted(command.list_commands(ctx)):  # lazy subcommands load here
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _options(sub, f"{path} {name}")


def _envvars(option: click.Option) -> list[str]:
    value = option.envvar
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _description(model: type[BaseModel], path: tuple[str, ...]) -> str:
    info = model.model_fields[path[0]]
    if len(path) == 1 or not isinstance(info.annotation, type):
        return info.description or ""
    return _description(info.annotation, path[1:])
