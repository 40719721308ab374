"""Capabilities, one folder each; this module says what a capability is.

A capability (``lookup/``: owner, deps, impact, team, find, whoami; ``docs/``; ``k8s/``;
``scaffold/``; ``migrations/`` with its digests; ``sync/``; ``admin/``; ``help/``) keeps its
Slack command, Block Kit, modal flow and job bodies in its folder, and its package exposes one
``register(setup)`` that wires all of them::

    def register(setup: Setup) -> None:
        setup.jobs.add(SWEEP)                      # job kinds: in every process
        setup.routes.append(docs_routes)           # web routes and middleware: the web process
        if setup.slack is not None:                # the Slack app: web process and console
            app, deps = setup.slack.app, setup.slack.deps
            deps.router.add("k8s", answer_k8s, summary=..., usage=...)
            deps.home.add_section("kubernetes health", home_section, order=25)

The shell (``bot/capabilities.py``) lists the capabilities and calls each ``register`` once per
process: the web process and the console with a Slack app, the worker and the CLI without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slack_bolt import App
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from jobs import JobRegistry
from runtime import Runtime
from slackkit.deps import Deps

__all__ = ["Capability", "MiddlewareFactory", "RouteFactory", "Setup", "SlackSetup"]

#: Web routes a capability serves, built once the process's runtime exists.
RouteFactory = Callable[[Runtime], Sequence[BaseRoute]]
#: ASGI middleware a capability puts in front of every route (TechDocs' separate docs host).
MiddlewareFactory = Callable[[Runtime], Sequence[Middleware]]


@dataclass(frozen=True)
class SlackSetup:
    """The Bolt app being built and the shared parts its listeners use."""

    app: App
    deps: Deps


@dataclass(frozen=True)
class Setup:
    """What a capability's ``register`` fills: job kinds always, the Slack app when there is one."""

    jobs: JobRegistry
    slack: SlackSetup | None = None
    routes: list[RouteFactory] = field(default_factory=list)
    middleware: list[MiddlewareFactory] = field(default_factory=list)


Capability = Callable[[Setup], None]
