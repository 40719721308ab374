"""Boundary: signed Slack requests. A body signed with the signing secret but not shaped like
Slack's payloads (a key missing, a value of the wrong type) gets a clean 4xx or an ack,
never a 500 and never a traceback in the log: over HTTP and over Socket Mode."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine

from bot.loopback.signed_requests import (
    FORM,
    JSON,
    SignedRequest,
    SignedRequests,
)
from bot.loopback.slack import LoopbackSlack
from bot.web.serve import socket_mode_handler
from commands.scaffold.form import SEARCH_ACTION
from commands.scaffold.modal import FORM_CALLBACK
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.fakes.slack_socket_mode import SocketModeEndpoint
from tests.scenarios.workspace import ALICE, Workspace

#: Values of the wrong type put in place of each field (those of the field's own type skipped).
WRONG: tuple[Any, ...] = (None, 7, "x", [], {})


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 3) -> Iterator[tuple[Any, ...]]:
    """Every key path into ``value`` down to ``depth`` (lists through their first item)."""
    if depth == 0:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key), depth - 1)
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from _paths(value[0], (*prefix, 0), depth - 1)


def _changed(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of ``payload`` with ``path`` set to ``value`` (removed for ``...``)."""
    changed = copy.deepcopy(payload)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def mutations(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``payload`` with each field (three levels deep) missing, then of each wrong type."""
    for path in _paths(payload):
        where = ".".join(str(p) for p in path)
        yield f"without {where}", _changed(payload, path, ...)
        node: Any = payload
        for key in path:
            node = node[key]
        for wrong in WRONG:
            if type(wrong) is not type(node):
                yield f"{where}={wrong!r}", _changed(payload, path, wrong)


def _interaction(requests: SignedRequests, payload: dict[str, Any]) -> SignedRequest:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return requests.sign(body, content_type=FORM)


def _json(requests: SignedRequests, payload: dict[str, Any]) -> SignedRequest:
    return requests.sign(json.dumps(payload).encode(), content_type=JSON)


def _payloads(workspace: Workspace) -> dict[str, tuple[dict[str, Any], str]]:
    """One real payload of each kind greenroom handles, and how it is sent (form or json)."""
    requests, slack = workspace.requests, workspace.slack
    reply = workspace.ask("owner payments-api")
    share = next(
        e
        for b in reply["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "greenroom.share"
    )
    view = {"id": "V0FUZZ", "type": "modal", "callback_id": FORM_CALLBACK, "hash": "1.x"}
    view |= {"private_metadata": "{}", "blocks": [], "team_id": slack.team_id}
    mention = {"type": "app_mention", "user": ALICE, "text": "<@U0GREENROOM> owner web"}
    mention |= {"channel": "C0GENERAL", "ts": "1.000001"}
    link = {"type": "link_shared", "channel": "C0GENERAL", "message_ts": "1.000002"}
    link |= {"user": ALICE, "links": [{"url": "https://docs.example/x", "domain": "docs.example"}]}
    return {
        "command": (
            dict(
                requests.slash_command(
                    "owner web", user_id=ALICE, response_url=slack.response_url("fuzz")
                ).payload
            ),
            "json",
        ),
        "block_actions": (
            dict(
                requests.block_actions(
                    [{"action_id": share["action_id"], "block_id": "b", "value": share["value"]}],
                    user_id=ALICE,
                    response_url=slack.response_url("fuzz"),
                    message=reply,
                ).payload
            ),
            "form",
        ),
        "view_submission": (
            dict(
                requests.view_submission(
                    view, user_id=ALICE, values={"b": {"a": {"type": "plain_text_input"}}}
                ).payload
            ),
            "form",
        ),
        "block_suggestion": (
            dict(requests.block_suggestion(SEARCH_ACTION, "pay", user_id=ALICE, view=view).payload),
            "form",
        ),
        "app_mention": (dict(requests.event(mention).payload), "json"),
        "link_shared": (dict(requests.event(link).payload), "json"),
        "url_verification": (dict(requests.url_verification("c").payload), "json"),
    }


@pytest.fixture
def quiet_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()[:200]}"
        for r in caplog.records
        if r.exc_info or r.levelno >= logging.ERROR
    ]


def test_a_signed_view_submission_without_a_view_type_gets_400(
    workspace: Workspace, quiet_log: pytest.LogCaptureFixture
) -> None:
    view = {"id": "V0FUZZ", "callback_id": FORM_CALLBACK, "hash": "1.x", "private_metadata": ""}
    request = workspace.requests.view_submission(view, user_id=ALICE)
    assert "type" not in request.payload["view"]
    response = workspace.post(request)
    assert response.status_code == 400
    assert _tracebacks(quiet_log) == []


def test_signed_payloads_of_every_wrong_shape_get_a_clean_answer(
    workspace: Workspace, quiet_log: pytest.LogCaptureFixture
) -> None:
    refused: list[str] = []
    for kind, (payload, how) in _payloads(workspace).items():
        send = _interaction if how == "form" else _json
        for change, shaped in mutations(payload):
            response = workspace.post(send(workspace.requests, shaped))
            if response.status_code >= 500:
                refused.append(f"{kind} {change}: {response.status_code}")
    # Whatever was acked has been answered (or dropped) by now.
    workspace.ask("whoami")
    assert refused == []
    assert _tracebacks(quiet_log) == []


def test_malformed_payloads_over_socket_mode_are_acked_and_dropped(
    engine: Engine,
    database_url: str,
    slack_api: LoopbackSlack,
    tmp_path: Path,
    acme: None,
    quiet_log: pytest.LogCaptureFixture,
) -> None:
    environ = {"SLACK_BOT_TOKEN": slack_api.bot_token, "SLACK_API_URL": slack_api.api_url}
    environ["SLACK_APP_TOKEN"] = slack_api.app_token
    settings = load_settings(None, environ=environ, database_url=database_url, data_dir=tmp_path)
    requests = SignedRequests("unused", team_id=slack_api.team_id)
    view = {"id": "V0FUZZ", "callback_id": FORM_CALLBACK, "hash": "1.x", "private_metadata": ""}
    malformed = [
        ("interactive", dict(requests.view_submission(view, user_id=ALICE).payload)),
        ("interactive", {"type": "block_actions", "user": {"id": ALICE}, "actions": "x"}),
        ("events_api", {"type": "event_callback", "event": "app_mention"}),
        ("events_api", {"type": "event_callback", "authorizations": "x", "event": {"type": "x"}}),
    ]
    with SocketModeEndpoint(slack_api) as endpoint:
        handler = socket_mode_handler(Runtime(settings, engine))
        handler.connect()  # type: ignore[no-untyped-call]
        endpoint.wait_connected()
        try:
            for kind, payload in malformed:
                envelope = endpoint.send(kind, payload, accepts_response=kind == "interactive")
                endpoint.wait_for_ack(envelope)
        finally:
            handler.close()  # type: ignore[no-untyped-call]
    assert _tracebacks(quiet_log) == []
