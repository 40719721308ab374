"""The scaffolding modal's steps, as Bolt listeners (wired by commands/scaffold.py).

loading modal (opened on the trigger at once) -> template picker -> the template's form ->
submit: field errors (``response_action: errors``, checked within
:data:`ACK_BUDGET_SECONDS`) or the progress view (``response_action: update``) while the run
goes to its own pool (commands/scaffold/runner.py). The wizard's state lives in the view's
``private_metadata`` (commands/scaffold/wizard.py), so any web replica can take any step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from catalog import GreenroomError, NotAuthorized
from commands.scaffold.form import (
    block_id_for,
    field_for_block,
    form_values,
    option_json,
)
from commands.scaffold.modal import (
    BACK_ACTION,
    RETRY_ACTION,
    TITLE,
    failure_view,
    form_view,
    message_view,
    picker_view,
    progress_view,
)
from commands.scaffold.runner import RunRequest, ScaffoldRunner
from commands.scaffold.wizard import WizardState
from integrations.scaffolder import Caller, Scaffolder, TemplateForm
from integrations.techdocs import DocsLinks
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.incoming import RECEIVED, incoming
from slackkit.modals import (
    ModalView,
    loading_view,
    open_view,
    update_view,
)
from slackkit.users import Caller as SlackCaller

__all__ = ["ACK_BUDGET_SECONDS", "ScaffoldModal", "not_opened_text"]

log = logging.getLogger(__name__)

#: How long a submission may be checked before the ack (Slack waits 3 s, the network some).
ACK_BUDGET_SECONDS = 2.0
_STALE = "This form is from an older version of greenroom; open it again."
_BUG = "Something went wrong on our side while checking the form; it has been logged."


@dataclass(frozen=True)
class _Checked:
    form: TemplateForm
    values: dict[str, Any]
    errors: dict[str, str]


class ScaffoldModal:
    """The modal's listeners over one scaffolder (built on first use) and its run pool."""

    def __init__(self, deps: Deps, scaffolder: Callable[[], Scaffolder]) -> None:
        self.deps = deps
        self.scaffolder = scaffolder
        self.command = deps.settings.slack.command
        self.runner = ScaffoldRunner(
            scaffolder,
            caller_of=self.caller_of,
            command=self.command,
            docs=DocsLinks.from_settings(deps.settings.techdocs),
            parallel=deps.settings.scaffolder.parallel_runs,
            metrics=deps.metrics,
        )
        self._checks = ThreadPoolExecutor(4, thread_name_prefix="greenroom-scaffold-check")

    # -- who ---------------------------------------------------------------------------
    def caller(self, who: SlackCaller) -> Caller:
        """The scaffolder's caller for a Slack user mapped to the catalog."""
        if who.person is None:
            raise NotAuthorized(
                "I could not match your Slack account to a user in the catalog, so I cannot "
                f"tell which teams may own a new repository; {self.command} whoami says why."
            )
        return self.scaffolder().caller_for(who.person.ref)

    def caller_of(self, client: WebClient, team_id: str, user_id: str) -> Caller:
        """The caller behind a Slack user id (resolved through the shared user cache)."""
        return self.caller(self.deps.users.resolve(client, team_id, user_id))

    # -- opening -------------------------------------------------------------------------
    def start_view(self, who: SlackCaller, template_id: str | None) -> dict[str, Any]:
        """The picker, or straight the form of ``template_id``; a refusal says why."""
        try:
            caller = self.caller(who)
            if template_id:
                form = self.scaffolder().form(template_id, caller)
                return form_view(form, WizardState(form.template_id))
            return picker_view(self.scaffolder().templates(caller), WizardState())
        except GreenroomError as error:
            return message_view(error.user_message)

    def open_from_button(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The Home tab's (or a message's) button: loading modal first, then the picker."""
        delivery = incoming(context)
        if not delivery.first_time():
            return
        opened = open_view(client, body.get("trigger_id"), loading_view(TITLE))
        if not opened.ok or opened.view_id is None:
            _message(client, delivery.user_id, not_opened_text(opened, self.command))
            return
        who = delivery.caller(client)
        update_view(client, opened.view_id, self.start_view(who, None), hash=opened.hash)

    # -- moving between steps ----------------------------------------------------------------
    def change_view(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Choose (picker -> form), Other template (form -> picker), Edit and try again."""
        delivery = incoming(context)
        if not delivery.first_time():
            return
        view = body.get("view") or {}
        action = (body.get("actions") or [{}])[0]
        wizard = WizardState.decode(view.get("private_metadata"))
        who = delivery.caller(client)
        if action.get("action_id") == BACK_ACTION:
            shown = self.start_view(who, None)
        elif action.get("action_id") == RETRY_ACTION:
            shown = self._retry_view(who, wizard)
        else:
            chosen = action.get("value") or (action.get("selected_option") or {}).get("value")
            shown = self.start_view(who, str(chosen or "") or None)
        done = update_view(client, str(view.get("id")), shown, hash=view.get("hash"))
        if done.error == "hash_conflict":
            log.info("a newer step already changed view %s; this click is dropped", view.get("id"))

    def _retry_view(self, who: SlackCaller, wizard: WizardState) -> dict[str, Any]:
        if not wizard.template_id:
            return message_view(_STALE)
        try:
            form = self.scaffolder().form(wizard.template_id, self.caller(who))
        except GreenroomError as error:
            return message_view(error.user_message)
        return form_view(form, WizardState(form.template_id), values=wizard.values)

    # -- submitting ----------------------------------------------------------------------
    def submit(
        self, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Field errors, or the progress view and the run started; always within 3 s."""
        view = body.get("view") or {}
        wizard = WizardState.decode(view.get("private_metadata"))
        state = (view.get("state") or {}).get("values") or {}
        delivery = incoming(context)
        team_id, user_id = delivery.team_id, delivery.user_id
        template_id = wizard.template_id
        if not template_id:
            ack(response_action="update", view=message_view(_STALE))
            return
        started = context.get(RECEIVED) or time.monotonic()
        pending = self._checks.submit(self._check, client, team_id, user_id, template_id, state)
        checked: _Checked | None = None
        try:
            checked = pending.result(max(started + ACK_BUDGET_SECONDS - time.monotonic(), 0.05))
        except TimeoutError:
            log.info("checking a submission took too long; the run checks it again")
        except GreenroomError as error:
            ack(response_action="update", view=failure_view(error.user_message, wizard))
            return
        except Exception:
            log.exception("checking a scaffold submission failed")
            ack(response_action="update", view=failure_view(_BUG, wizard, nothing_made=True))
            return
        if checked is not None and checked.errors:
            ack(**_errors_response(view, checked, template_id))
            return
        wizard = WizardState(template_id, checked.values if checked else None)
        name = str(checked.values.get("name", "")) if checked else _typed_name(state)
        title = checked.form.title if checked else template_id
        if delivery.first_time():
            run = RunRequest(
                client, team_id, user_id, template_id, str(view.get("id")), state, wizard
            )
            self.runner.start(run)
        ack(response_action="update", view=progress_view(name, title, None, wizard))

    def _check(
        self, client: WebClient, team_id: str, user_id: str, template_id: str, state: dict[str, Any]
    ) -> _Checked:
        form = self.scaffolder().form(template_id, self.caller_of(client, team_id, user_id))
        values = form_values(form, state)
        return _Checked(form, values, self.scaffolder().validate(form, values).errors)

    # -- long lists ----------------------------------------------------------------------
    def suggest(
        self, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Options of an external select: the field's choices matching what was typed."""
        wizard = WizardState.decode((body.get("view") or {}).get("private_metadata"))
        options: list[dict[str, Any]] = []
        try:
            if wizard.template_id:
                delivery = incoming(context)
                caller = self.caller(delivery.caller(client))
                form = self.scaffolder().form(wizard.template_id, caller)
                field = field_for_block(form, str(body.get("block_id") or ""))
                if field is not None:
                    found = form.search_options(field.key, str(body.get("value") or ""))
                    options = [option_json(o) for o in found]
        except GreenroomError as error:
            log.info("no options for a scaffold field: %s", error.user_message)
        ack(options=options)


def not_opened_text(opened: ModalView, command: str) -> str:
    """Telling the user the modal could not open, and what to do."""
    if opened.error in {"expired_trigger_id", "exchanged_trigger_id"}:
        return (
            "Slack gives me 3 seconds to open the form, and they ran out (Slack or I was slow). "
            f"Please try again: {command} new"
        )
    return f"Slack did not open the form ({opened.error}). Please try again: {command} new"


def _errors_response(view: dict[str, Any], checked: _Checked, template_id: str) -> dict[str, Any]:
    """Errors on the input blocks they belong to; when one has no block in the submitted view
    (the template changed meanwhile), the form again with the errors at its top."""
    inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
    errors = {block_id_for(key): message for key, message in checked.errors.items()}
    if set(errors) <= inputs:
        return {"response_action": "errors", "errors": errors}
    shown = form_view(
        checked.form, WizardState(template_id), values=checked.values, errors=checked.errors
    )
    return {"response_action": "update", "view": shown}


def _message(client: WebClient, user_id: str, text: str) -> None:
    try:
        inert = bk.escape(text)
        client.chat_postMessage(channel=user_id, text=inert, blocks=[bk.section(inert)])
    except Exception as error:  # the user can click again; nothing else to do
        log.warning("could not tell %s the form did not open: %s", user_id, type(error).__name__)


def _typed_name(state: dict[str, Any]) -> str:
    element = next(iter((state.get(block_id_for("name")) or {}).values()), None)
    value = element.get("value") if isinstance(element, dict) else None
    return str(value or "your repository")
