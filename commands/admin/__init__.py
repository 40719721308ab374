"""``admin <action>``: the gate to actions only greenroom admins may run."""

from __future__ import annotations

from commands import Setup
from commands.admin import command

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the ``admin`` subcommand (capabilities add actions to ``deps.admin``)."""
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
