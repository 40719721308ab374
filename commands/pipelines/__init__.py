"""Data pipelines: ``pipeline <entity>``, ``lineage <entity>``, pipelines sections on the Home
tab and team pages, and the ``pipelines.sweep`` job that tells owning teams (and the teams
downstream of late data) what broke and what recovered."""

from __future__ import annotations

from commands import Setup
from commands.pipelines import command
from commands.pipelines.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the sweep job and, with a Slack app, the subcommands and sections."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
