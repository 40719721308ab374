"""``help``: every subcommand, with examples filled from the catalog."""

from __future__ import annotations

from commands import Setup
from commands.help import command

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the ``help`` subcommand."""
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
