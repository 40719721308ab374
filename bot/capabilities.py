"""Every capability greenroom has, in the order their subcommands appear in ``help``, and the
job registry they fill. A new capability adds one line to :data:`CAPABILITIES`."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import timedelta

from catalog import ConfigError
from commands import (
    Capability,
    Setup,
    actions as day2_actions,
    admin,
    delivery as delivery_command,
    docs,
    help as help_command,
    k8s,
    kpis as kpis_command,
    lookup,
    migrations,
    pipelines,
    scaffold,
    sync,
)
from jobs import JobRegistry, PruneRule, register_housekeeping
from runtime import Settings

__all__ = ["CAPABILITIES", "job_registry", "site_capabilities"]

CAPABILITIES: tuple[Capability, ...] = (
    lookup.register,
    docs.register,
    k8s.register,
    delivery_command.register,
    pipelines.register,
    migrations.register,
    kpis_command.register,
    scaffold.register,
    day2_actions.register,
    admin.register,
    sync.register,
    help_command.register,
)


def site_capabilities(settings: Settings) -> list[Capability]:
    """The site's own capabilities (``worker.job_modules``): modules with ``register(setup)``."""
    found: list[Capability] = []
    for name in settings.worker.job_modules:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise ConfigError(f"worker.job_modules: cannot import {name}: {error}") from None
        register = getattr(module, "register", None)
        if not callable(register):
            raise ConfigError(f"worker.job_modules: {name} has no register(setup) function")
        found.append(register)
    return found


def job_registry(
    settings: Settings | None = None, capabilities: Sequence[Capability] = CAPABILITIES
) -> JobRegistry:
    """Every job kind: the engine's housekeeping, then each capability's, then the site's."""
    registry = JobRegistry()
    register_housekeeping(registry)
    # the Slack user cache: re-asked when someone returns after a month
    registry.add_prune_rule(
        PruneRule("slack_users", "slack_users", "checked_at", timedelta(days=30))
    )
    # emails Slack did not know: trusted for slack.user_cache_minutes, kept a month at most
    registry.add_prune_rule(
        PruneRule("slack_email_misses", "slack_email_misses", "checked_at", timedelta(days=30))
    )
    setup = Setup(jobs=registry)
    site = site_capabilities(settings) if settings is not None else []
    for capability in (*capabilities, *site):
        capability(setup)
    return registry
