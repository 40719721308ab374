"""Driving the scaffolding modal like a person in Slack: open it, choose a template, fill the
form (state built the way Slack builds it from what the inputs show), submit, wait."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from tests.scenarios.workspace import ALICE, Workspace

TEMPLATES = Path(__file__).resolve().parent.parent / "integrations/scaffolder/fixtures/templates"
#: The fixture templates of the scaffolder's own tests: trusted ones whose hooks fail or hang,
#: untrusted ones (one uses an undefined variable), next to the shipped ones.
TEMPLATE_DIRS = [
    {"path": str(TEMPLATES / "trusted"), "trusted": True},
    {"path": str(TEMPLATES / "untrusted"), "trusted": False},
]


def open_modal(ws: Workspace, *, user: str = ALICE, text: str = "new") -> str:
    """``/greenroom new``: the id of the modal it opened (once it shows more than loading)."""
    before = set(ws.slack.modal_ids())
    sent = ws.command(text, user=user)
    assert sent.response.status_code == 200
    deadline = time.monotonic() + 15
    while not (new := [i for i in ws.slack.modal_ids() if i not in before]):
        assert time.monotonic() < deadline, "no modal was opened"
        time.sleep(0.02)
    return new[0]


def open_form(ws: Workspace, template: str, *, user: str = ALICE) -> str:
    """``/greenroom new``, then Choose ``template``: the id of the modal showing its form."""
    view_id = open_modal(ws, user=user)
    ws.wait_view(view_id, "Pick a template")
    ws.act(view_id, "scaffold.choose", value=template, user=user)
    ws.wait_view(view_id, "Name:")
    return view_id


def state(view: dict[str, Any], **values: Any) -> dict[str, dict[str, Any]]:
    """What Slack submits for ``view``: every input as it shows (its initial value), with
    ``values`` (by field key) typed, chosen or ticked instead."""
    result: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        key = block["block_id"].removeprefix("field:")
        element = block["element"]
        kind, action = element["type"], element["action_id"]
        given = values.get(key, _Unset)
        if kind == "plain_text_input":
            typed = element.get("initial_value") if given is _Unset else given
            result[block["block_id"]] = {action: {"type": kind, "value": typed}}
        elif kind == "checkboxes":
            ticked = bool(element.get("initial_options")) if given is _Unset else given
            chosen = element["options"][:1] if ticked else []
            result[block["block_id"]] = {action: {"type": kind, "selected_options": chosen}}
        else:
            option = element.get("initial_option")
            if given is not _Unset:
                option = None if given is None else _option(element, str(given))
            result[block["block_id"]] = {action: {"type": kind, "selected_option": option}}
    unknown = set(values) - {k.removeprefix("field:") for k in result}
    assert not unknown, f"the form has no inputs {unknown}"
    return result


class _Unset:
    pass


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options", []):
        if option["value"] == value:
            return dict(option)
    # an external select, or a value the form does not offer (a crafted request)
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def rejecting_repository(path: Path) -> None:
    """A bare repository whose pre-receive hook refuses every push."""
    git("init", "-q", "--bare", str(path))
    hook = path / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'policy: repositories need an approved owner' >&2\nexit 1\n")
    hook.chmod(0o755)
