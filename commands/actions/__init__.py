"""Day-2 actions from Slack: ``run <action> <entity>``, ``audit <entity>``, buttons on the
``k8s`` answer, the confirmation modal, Approve/Deny in the owning team's channel, and the
``actions.expire`` job (see docs/actions.md)."""

from __future__ import annotations

from datetime import timedelta

from commands import Setup
from commands.actions import command
from commands.actions.jobs import register_jobs
from jobs import PruneRule

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the expiry job and, with a Slack app, the subcommands and listeners."""
    register_jobs(setup.jobs)
    # requests are kept 90 days (the audit trail keeps everything); a lapsed claim a day
    setup.jobs.add_prune_rule(
        PruneRule("action_requests", "action_requests", "created_at", timedelta(days=90))
    )
    setup.jobs.add_prune_rule(
        PruneRule("action_claims", "action_claims", "expires_at", timedelta(days=1))
    )
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
