"""The Socket Mode handler ``greenroom serve --socket-mode`` runs: Bolt's, with payloads
checked for Slack's shape first (bot/web/slack_payloads.py), as the web process checks them."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin.client import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.web.slack_payloads import payload_problem

__all__ = ["CheckedSocketModeHandler"]

log = logging.getLogger(__name__)


class CheckedSocketModeHandler(SocketModeHandler):
    """Acks a malformed envelope without dispatching it (Bolt would raise on it)."""

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch ``req`` into the app unless its payload is not a shape Slack sends."""
        problem = payload_problem(req.payload)
        if problem is None:
            super().handle(client, req)
            return
        log.info("malformed Socket Mode %s payload: %s", req.type, problem)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
