"""Requests as Slack sends them, signed with a signing secret: slash commands, button clicks
(``block_actions``), modal submissions, options requests and Events API callbacks.

The local console dispatches them into the Bolt app; tests and the benchmark post them to
``greenroom serve``. Bodies are byte-for-byte what Slack sends (form-encoded commands,
``payload=<json>`` interactions, JSON events), so they exercise the real signature check.

    requests = SignedRequests("signing-secret", team_id="T0LOOP")
    req = requests.slash_command("owner payments-api", user_id="U0ALICE",
                                 response_url=slack.response_url("c1"))
    httpx.post(url + "/slack/events", content=req.body, headers=req.headers)
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = ["FORM", "JSON", "SignedRequest", "SignedRequests"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SignedRequest:
    """A request body and the headers Slack would send with it."""

    body: bytes
    headers: dict[str, str]
    payload: Mapping[str, Any]

    @property
    def trigger_id(self) -> str | None:
        value = self.payload.get("trigger_id")
        return str(value) if value else None


class SignedRequests:
    """Builds Slack's requests for one workspace, signed like Slack signs them."""

    def __init__(
        self,
        signing_secret: str,
        *,
        team_id: str = "T0LOOP",
        api_app_id: str = "A0GREENROOM",
        clock: Callable[[], float] = time.time,
        enterprise_id: str | None = None,
    ) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.team_id = team_id
        #: the Enterprise Grid organisation the workspace belongs to (Slack then adds its id to
        #: every request, where each request type carries it)
        self.enterprise_id = enterprise_id
        self.api_app_id = api_app_id
        self.clock = clock
        self._ids = itertools.count(1)

    def sign(
        self,
        body: bytes,
        *,
        content_type: str,
        payload: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SignedRequest:
        """Sign ``body`` as sent at ``timestamp`` (default: now)."""
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        signature = self.verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        all_headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature,
            **(headers or {}),
        }
        return SignedRequest(body, all_headers, dict(payload or {}))

    def slash_command(
        self,
        text: str,
        *,
        user_id: str,
        response_url: str,
        command: str = "/greenroom",
        channel_id: str = "C0GENERAL",
        user_name: str | None = None,
        trigger_id: str | None = None,
        team_id: str | None = None,
    ) -> SignedRequest:
        """A slash command, form-encoded."""
        fields = {
            "token": "deprecated-verification-token",
            "team_id": team_id or self.team_id,
            "team_domain": "loopback",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        if self.enterprise_id:
            fields |= {"enterprise_id": self.enterprise_id, "enterprise_name": "Loopback Org"}
        return self.sign(urlencode(fields).encode(), content_type=FORM, payload=fields)

    def block_actions(
        self,
        actions: list[dict[str, Any]],
        *,
        user_id: str,
        response_url: str | None = None,
        channel_id: str = "C0GENERAL",
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        team_id: str | None = None,
    ) -> SignedRequest:
        """A click on message (or modal / Home tab) elements: ``actions`` as Slack lists them."""
        now = f"{self.clock():.6f}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "team_id": team_id or self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "trigger_id": self.new_trigger_id(),
            "team": {"id": team_id or self.team_id, "domain": "loopback"},
            "is_enterprise_install": False,
            "actions": [{"action_ts": now, "type": "button", **a} for a in actions],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0")}
            payload["view"] = view
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": now,
                "channel_id": channel_id,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel_id, "name": "general"}
            payload["message"] = message or {}
        if response_url:
            payload["response_url"] = response_url
        return self._interaction(payload)

    def view_submission(
        self,
        view: dict[str, Any],
        *,
        user_id: str,
        values: dict[str, dict[str, Any]] | None = None,
        team_id: str | None = None,
    ) -> SignedRequest:
        """A modal submitted with ``values`` (``{block_id: {action_id: {...}}}``)."""
        submitted = {
            "id": "V0LOOP",
            "hash": "1.loopback",
            **view,
            "state": {"values": values or {}},
        }
        payload = {
            "type": "view_submission",
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "team_id": team_id or self.team_id,
            },
            "team": {"id": team_id or self.team_id, "domain": "loopback"},
            "api_app_id": self.api_app_id,
            "trigger_id": self.new_trigger_id(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return self._interaction(payload)

    def block_suggestion(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str,
        block_id: str = "b",
        view: dict[str, Any] | None = None,
    ) -> SignedRequest:
        """An options request for an ``external_select`` (what the user typed so far), from a
        modal's ``view`` when given (Slack sends the whole view, ``private_metadata`` too)."""
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "user": {"id": user_id, "team_id": self.team_id},
            "team": {"id": self.team_id, "domain": "loopback"},
            "api_app_id": self.api_app_id,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "container": {"type": "view", "view_id": (view or {}).get("id", "V0LOOP")},
        }
        if view is not None:
            payload["view"] = view
        return self._interaction(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        ext_shared: bool = False,
    ) -> SignedRequest:
        """An Events API callback; ``retry_num`` makes it one of Slack's retries,
        ``ext_shared`` one from a channel shared with another organisation (Slack Connect)."""
        team = team_id or self.team_id
        envelope = {
            "token": "deprecated-verification-token",
            "team_id": team,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{self.clock():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}{secrets.token_hex(3).upper()}",
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "team_id": team,
                    "user_id": "U0GREENROOM",
                    "is_bot": True,
                    "is_enterprise_install": False,
                    "enterprise_id": self.enterprise_id,
                }
            ],
            "is_ext_shared_channel": ext_shared,
        }
        if self.enterprise_id:
            envelope["enterprise_id"] = self.enterprise_id
        headers = {}
        if retry_num is not None:
            headers = {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": retry_reason}
        body = json.dumps(envelope).encode()
        return self.sign(body, content_type=JSON, payload=envelope, headers=headers)

    def url_verification(self, challenge: str) -> SignedRequest:
        """Slack's check that an events URL belongs to the app."""
        payload = {"token": "deprecated", "challenge": challenge, "type": "url_verification"}
        return self.sign(json.dumps(payload).encode(), content_type=JSON, payload=payload)

    def new_trigger_id(self) -> str:
        """A fresh trigger id, in Slack's shape."""
        return f"{next(self._ids)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"

    def _interaction(self, payload: dict[str, Any]) -> SignedRequest:
        enterprise = {"id": self.enterprise_id, "name": "Loopback Org"}
        payload = {**payload, "enterprise": enterprise if self.enterprise_id else None}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.sign(body, content_type=FORM, payload=payload)
