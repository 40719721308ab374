"""Catalog sync: the ``catalog.sync`` job (per source interval) and ``admin sync``."""

from __future__ import annotations

from datetime import timedelta

from commands import Setup
from commands.sync import command
from commands.sync.jobs import register_jobs
from jobs import PruneRule

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the sync job, the pruning of old sync reports and the ``admin sync`` action."""
    register_jobs(setup.jobs)
    setup.jobs.add_prune_rule(PruneRule("sync_runs", "sync_runs", "started_at", timedelta(days=30)))
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
