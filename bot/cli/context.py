"""What every ``greenroom`` subcommand shares: the consoles, the lazily opened runtime, the
``--json`` option and turning answers into JSON."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

if TYPE_CHECKING:
    from runtime.process import Runtime
    from runtime.settings import Settings

__all__ = [
    "F",
    "LazyRuntime",
    "err",
    "json_option",
    "out",
    "runtime_of",
    "settings_of",
    "to_jsonable",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Answers on stdout (wide when piped, so lines are not cut); problems on stderr.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


class LazyRuntime:
    """Settings and database are opened only by commands that need them."""

    def __init__(self, config_file: Path | None, overrides: dict[str, Any]) -> None:
        self.config_file = config_file
        self.overrides = overrides
        self._runtime: Runtime | None = None

    def settings(self) -> Settings:
        """Settings alone, for commands that need no database."""
        from runtime.settings import load_settings

        return load_settings(self.config_file, **self.overrides)

    def get(self, *, create: bool = False) -> Runtime:
        """The runtime (settings, database with an up-to-date schema, catalog); only commands
        that fill the database (``create``) may start a new one."""
        if self._runtime is None:
            from runtime.process import open_runtime

            self._runtime = open_runtime(self.config_file, create=create, **self.overrides)
        return self._runtime


def _lazy(ctx: click.Context) -> LazyRuntime:
    lazy = ctx.find_object(LazyRuntime)
    if lazy is None:  # pragma: no cover - every command runs under ``main``
        raise RuntimeError("greenroom subcommands run under the main command")
    return lazy


def runtime_of(ctx: click.Context, *, create: bool = False) -> Runtime:
    """The command's runtime, opened on first use; ``create``: this command may start a new
    database (sync, db upgrade, worker, serve), others refuse to query one that is not there."""
    return _lazy(ctx).get(create=create)


def settings_of(ctx: click.Context) -> Settings:
    """The command's settings, without opening the database."""
    return _lazy(ctx).settings()


def json_option(func: F) -> F:
    """``--json``: print JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, refs, dates and paths as plain JSON values."""
    from catalog.refs import EntityRef

    if isinstance(value, EntityRef):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value
