"""Team KPIs: ``kpis`` (teams ranked by cloud cost, incidents, security issues or a custom
KPI), ``oncall``, KPI sections on team pages and the Home tab, the on-call person in
``impact``, threshold messages, the KPI digest, and the ``kpis.collect`` job."""

from __future__ import annotations

from commands import Setup
from commands.kpis import command
from commands.kpis.jobs import register_jobs

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the KPI jobs and, with a Slack app, the kpis and oncall subcommands and sections."""
    register_jobs(setup.jobs)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
