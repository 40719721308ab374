"""Day-2 actions from Slack: ``run <action> <entity>``, ``audit <entity>``, buttons on the
``k8s`` answer, the confirmation modal, Approve/Deny in the owning team's channel, and the
``actions.expire`` job (see docs/actions.md)."""

from __future__ import annotations

from commands import Setup
from commands.actions import command
from commands.actions.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the expiry job and, with a Slack app, the subcommands and listeners."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
