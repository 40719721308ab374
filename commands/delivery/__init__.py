"""Delivery: ``prs``, ``deploys`` and ``pr``, the team page's delivery section, and previews
of pull request and Backstage entity links (docs/delivery.md)."""

from __future__ import annotations

from commands import Setup
from commands.delivery import command
from commands.delivery.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the refresh job and, with a Slack app, the delivery subcommands, team-page section
    and link previews."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
