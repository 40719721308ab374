"""Catalog answers: ``owner``, ``deps`` and ``impact``, ``team``, ``find``, ``whoami``, and the
Home tab's own sections (my teams, what we own, problems in it)."""

from __future__ import annotations

from commands import Setup
from commands.lookup import dependencies, find, home, members_job, owner, team, whoami

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the catalog subcommands, the Home tab's built-in sections, and the job that reads
    the workspace's member list for their mentions."""
    members_job.register_jobs(setup.jobs)
    if setup.slack is None:
        return
    for part in (owner, dependencies, team, find, whoami, home):
        part.register(setup.slack.app, setup.slack.deps)
