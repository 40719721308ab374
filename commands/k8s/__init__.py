"""Kubernetes health: ``k8s <entity>``, health badges on the Home tab and team pages, and the
``kubernetes.sweep`` job that tells owning teams what broke and what recovered."""

from __future__ import annotations

from commands import Setup
from commands.k8s import command
from commands.k8s.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the sweep job and, with a Slack app, the k8s subcommand and health sections."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
