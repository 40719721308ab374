"""Every capability the Slack app has: each module's ``register(app, deps)``, in the order their
subcommands appear in ``help``. A new capability adds one line here."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from commands import (
    admin,
    docs,
    k8s,
    migrations,
    scaffold,
)
from commands import help as help_command
from commands.lookup import (
    dependencies,
    find,
    home,
    owner,
    team,
    whoami,
)
from commands.migrations import (
    digest,
)
from commands.sync import (
    command as catalog_sync,
)
from slackkit.deps import Deps

__all__ = ["FEATURES", "Feature"]

Feature = Callable[[App, Deps], None]

FEATURES: tuple[Feature, ...] = (
    owner.register,
    dependencies.register,
    team.register,
    find.register,
    docs.register,
    k8s.register,
    migrations.register,
    digest.register,
    whoami.register,
    scaffold.register,
    home.register,
    admin.register,
    catalog_sync.register,
    help_command.register,
)
