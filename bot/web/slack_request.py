"""Slack's request bodies read by their structure, never by what a user typed into them.

Bolt decides how to parse a form body by looking for the substring ``payload`` anywhere in
it, so ``/greenroom owner payload-router`` (``text=owner+payload-router``) was read as an
interaction without a ``payload`` field: an empty body, and "The app did not take that
request". :class:`SlackRequest` is a ``BoltRequest`` whose body is parsed by its content type
and its fields alone: JSON for ``application/json``; otherwise form fields, where an
interaction is the one field named ``payload`` holding JSON. Every way a request enters the
app (the web process, the answer pool, the console, and Bolt's copies for lazy listeners)
builds this class.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltContext, BoltRequest
from slack_bolt.request.internals import build_context

__all__ = ["SlackRequest", "parse_slack_body"]

_JSON = "application/json"


def parse_slack_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """The payload of a Slack request body; ValueError when it is not one Slack would send."""
    if not raw:
        return {}
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == _JSON or (not media and raw.startswith("{")):
        return _object(json.loads(raw))
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in fields:
        return _object(json.loads(fields["payload"]))
    return fields


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"a Slack payload is a JSON object, not {type(value).__name__}")
    return value


class SlackRequest(BoltRequest):
    """A ``BoltRequest`` (HTTP mode) whose body is parsed by :func:`parse_slack_body`."""

    def __init__(
        self,
        *,
        body: str,
        headers: Mapping[str, str | Sequence[str]] | None = None,
        context: Mapping[str, Any] | None = None,
        query: str | Mapping[str, str] | Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        # Bolt's own parser never sees the body: the base class gets an empty one.
        super().__init__(body="", query=query, headers=dict(headers or {}))  # type: ignore[arg-type]
        self.raw_body = body
        self.body = parse_slack_body(body, self.content_type)
        self.context = build_context(BoltContext(dict(context or {})), self.body)

    def to_copyable(self) -> SlackRequest:
        """The copy Bolt hands a lazy listener, parsed the same way."""
        return SlackRequest(
            body=self.raw_body,
            headers=self.headers,
            context=self.context.to_copyable(),
            query=self.query,
        )
