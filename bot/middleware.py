"""The one Bolt middleware: every request gets its :class:`~slackkit.incoming.Incoming` (the
delivery claim and the caller, evaluated on first use) before any listener sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from slackkit.deps import Deps
from slackkit.incoming import Incoming, attach

__all__ = ["install_middleware"]


def install_middleware(app: App, deps: Deps) -> None:
    """Attach an ``Incoming`` to every request ``app`` dispatches."""

    def incoming_delivery(
        context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        attach(
            context,
            Incoming(
                body, context, deliveries=deps.deliveries, users=deps.users, metrics=deps.metrics
            ),
        )
        return next()

    app.middleware(incoming_delivery)
