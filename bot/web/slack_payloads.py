"""The shapes Slack's payloads have, checked before Bolt or a listener reads one.

A signature proves who sent a body, not that it has the fields Bolt indexes into:
``body["view"]["type"]``, ``body["actions"][0]``, ``body["event"]["type"]``. A signed
``view_submission`` without ``view.type`` made Bolt raise KeyError, which became a 500 and a
traceback. :func:`payload_problem` checks the fields Bolt and greenroom's listeners use
against the types Slack documents for them (fields it does not know are left alone; event
fields as in the events the manifest subscribes to), so a malformed payload gets a 400 from
the web process (before it is queued for the answer pool or dispatched) and a bare ack over
Socket Mode, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["payload_problem"]

Check = Callable[[Any, str], str | None]


def _is(*types: type) -> Check:
    names = " or ".join("object" if t is dict else t.__name__ for t in types)

    def check(value: Any, where: str) -> str | None:
        # bool is an int in Python, never in JSON
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
            return None
        return f"{where} must be {names}, not {type(value).__name__}"

    return check


def _fields(shape: Mapping[str, Check], *, required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} must be an object, not {type(value).__name__}"
        for key in required:
            if key not in value:
                return f"{where}.{key} is missing"
        for key, rule in shape.items():
            if key in value and (problem := rule(value[key], f"{where}.{key}")):
                return problem
        return None

    return check


def _list_of(item: Check, *, min_items: int = 0) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where} must be a list, not {type(value).__name__}"
        if len(value) < min_items:
            return f"{where} must not be empty"
        for index, element in enumerate(value):
            if problem := item(element, f"{where}[{index}]"):
                return problem
        return None

    return check


def _values_of(item: Check) -> Check:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} must be an object, not {type(value).__name__}"
        for key, element in value.items():
            if problem := item(element, f"{where}.{key}"):
                return problem
        return None

    return check


def _one_of(*checks: Check) -> Check:
    def check(value: Any, where: str) -> str | None:
        problems = [c(value, where) for c in checks]
        return None if None in problems else problems[0]

    return check


_TEXT = _is(str)
#: Ids Slack leaves null for organisation-wide (Enterprise Grid) installs.
_MAYBE_TEXT = _is(str, type(None))
_FLAG = _is(bool, str)
_ID_OBJECT = _fields(
    {
        "id": _TEXT,
        "team_id": _MAYBE_TEXT,
        "enterprise_id": _MAYBE_TEXT,
        "name": _TEXT,
        "domain": _TEXT,
    }
)
_ACTION = _fields(
    {
        "action_id": _TEXT,
        "block_id": _TEXT,
        "type": _TEXT,
        "value": _TEXT,
        "action_ts": _TEXT,
        "selected_option": _fields({"value": _TEXT}),
    },
    required=("action_id",),
)
_VIEW = _fields(
    {
        "id": _TEXT,
        "type": _TEXT,
        "callback_id": _TEXT,
        "hash": _TEXT,
        "team_id": _MAYBE_TEXT,
        "app_installed_team_id": _MAYBE_TEXT,
        "private_metadata": _TEXT,
        "external_id": _TEXT,
        "blocks": _list_of(_is(dict)),
        "state": _fields({"values": _values_of(_values_of(_is(dict)))}),
    },
    required=("id", "type", "callback_id"),
)
_EVENT = _fields(
    {
        "type": _TEXT,
        "subtype": _TEXT,
        "user": _TEXT,
        "bot_id": _TEXT,
        "channel": _TEXT,
        "channel_type": _TEXT,
        "tab": _TEXT,
        "text": _TEXT,
        "ts": _TEXT,
        "thread_ts": _TEXT,
        "event_ts": _TEXT,
        "message_ts": _TEXT,
        "unfurl_id": _TEXT,
        "source": _TEXT,
        "message": _is(dict),
        "previous_message": _is(dict),
    },
    required=("type",),
)
#: Top-level fields, whatever the payload's type.
_COMMON = _fields(
    {
        "type": _TEXT,
        "token": _TEXT,
        "command": _TEXT,
        "text": _TEXT,
        "user_id": _TEXT,
        "team_id": _TEXT,
        "channel_id": _TEXT,
        "enterprise_id": _MAYBE_TEXT,
        "api_app_id": _TEXT,
        "response_url": _TEXT,
        "trigger_id": _TEXT,
        "callback_id": _TEXT,
        "action_id": _TEXT,
        "block_id": _TEXT,
        "value": _TEXT,
        "challenge": _TEXT,
        "event_id": _TEXT,
        "is_enterprise_install": _FLAG,
        "is_ext_shared_channel": _FLAG,
        "user": _ID_OBJECT,
        "team": _one_of(_ID_OBJECT, _is(str, type(None))),
        "enterprise": _one_of(_ID_OBJECT, _is(str, type(None))),
        "channel": _ID_OBJECT,
        "container": _is(dict),
        "message": _is(dict),
        "previous_message": _is(dict),
        "item": _is(dict),
        "assistant_thread": _is(dict),
        "function_data": _is(dict),
        "workflow_step": _is(dict),
        "view": _VIEW,
        "actions": _list_of(_ACTION, min_items=1),
        "event": _EVENT,
        "authorizations": _list_of(
            _fields({"team_id": _MAYBE_TEXT, "user_id": _TEXT, "enterprise_id": _MAYBE_TEXT})
        ),
        "response_urls": _list_of(_fields({"response_url": _TEXT}, required=("response_url",))),
    }
)
#: Fields each type of payload cannot do without.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "block_actions": ("user", "actions"),
    "view_submission": ("user", "view"),
    "view_closed": ("user", "view"),
    "block_suggestion": ("user", "action_id", "value"),
    "shortcut": ("user", "callback_id"),
    "message_action": ("user", "callback_id"),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}


def payload_problem(payload: Any) -> str | None:
    """Why ``payload`` is not a shape Slack sends, or None when it is one."""
    if problem := _COMMON(payload, "payload"):
        return problem
    kind = "command" if "command" in payload else payload.get("type")
    for key in _REQUIRED.get(str(kind), ()):
        if key not in payload:
            return f"a {kind} payload needs {key}"
    return None
