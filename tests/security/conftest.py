"""The Slack scenario fixtures (``slack_api``, ``write_catalog``, ``acme``, ``serve_greenroom``,
``workspace``) for security tests, which attack the same running greenroom."""

from __future__ import annotations

from tests.scenarios.conftest import (
    acme,
    serve_greenroom,
    slack_api,
    workspace,
    write_catalog,
)

__all__ = ["acme", "serve_greenroom", "slack_api", "workspace", "write_catalog"]
