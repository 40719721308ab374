"""TechDocs in Slack: ``docs <entity>``, ``docs search``, coverage sections, link previews, the
built sites served under ``/docs/...``, and the ``docs.build`` job."""

from __future__ import annotations

from commands import Setup
from commands.docs import command
from commands.docs.jobs import register_jobs
from commands.docs.web import docs_middleware, docs_routes

__all__ = ["register"]


def register(setup: Setup) -> None:
    """Add the docs job, the docs routes and, with a Slack app, the docs subcommand."""
    register_jobs(setup.jobs)
    setup.routes.append(docs_routes)
    setup.middleware.append(docs_middleware)
    if setup.slack is not None:
        command.register(setup.slack.app, setup.slack.deps)
