"""Scaffolding: ``new`` opens the template picker, the parameter form and the run's progress in
a modal; ``admin scaffolds`` lists recent runs."""

from __future__ import annotations

from commands import Setup
from commands.scaffold import command

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the scaffolding subcommand, its modal flow and its admin action."""
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
