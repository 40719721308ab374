"""Tech migrations: ``migrations`` (progress, leaderboards by tribe and squad, charts, what is
left for me), ``digest add|list|remove`` (scheduled leaderboards and catalog-quality reports),
nudges, and the evaluate, digest and nudge jobs."""

from __future__ import annotations

from commands import Setup
from commands.migrations import command, digest
from commands.migrations.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the migration jobs and, with a Slack app, the migrations and digest subcommands."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
        digest.register(setup.slack.app, setup.slack.deps)
