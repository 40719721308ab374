"""The listeners of actions: a k8s button's preview, the form, the confirmation (act or
request, decided at the click), Approve / Deny, and what is posted afterwards.

Long work (a rollout's verification can take minutes) runs on the actions' own threads, so the
threads that answer everyone else never wait for a cluster."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import GreenroomError, parse_ref
from commands.actions.blocks import (
    TARGET_BLOCK,
    TARGET_INPUT,
    confirm_view,
    decided_message,
    form_view,
    message_view,
    outcome_text,
    request_message,
)
from slackkit import blocks as bk
from slackkit.deps import Deps
from slackkit.grammar import UsageError
from slackkit.incoming import incoming
from slackkit.modals import loading_view, open_view, update_view
from slackkit.users import Caller

if TYPE_CHECKING:
    from integrations.actions import ActionRequest, ActionService, Actor, SlackIds, Target

__all__ = ["TITLE", "ActionFlow"]

log = logging.getLogger(__name__)
TITLE = "Run an action"
_ACK_BUDGET = 2.0  # seconds a preview may take inside a view_submission's ack
_RUNS = 8  # actions (and their verifications) running at once per process
_STALE = "That button is from an older version of greenroom; ask again."


class ActionFlow:
    """The modal and approval listeners, over one action service."""

    def __init__(self, deps: Deps, service: Callable[[], ActionService]) -> None:
        self.deps = deps
        self.service = service
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="greenroom-actions-preview")
        self._runs = ThreadPoolExecutor(_RUNS, thread_name_prefix="greenroom-actions-run")

    def actor(self, caller: Caller) -> Actor:
        from integrations.actions import Actor

        person = caller.person
        return Actor(
            caller.user_id,
            person=person.ref if person else None,
            name=person.display_name if person else caller.user_id,
            team_id=caller.team_id,
            is_admin=self.deps.is_admin(caller),
        )

    # -- opening ----------------------------------------------------------------------------
    def show_start(
        self,
        client: WebClient,
        view_id: str,
        caller: Caller,
        action_name: str,
        entity: str,
        target: Target | None,
        params: Mapping[str, str],
    ) -> None:
        """Straight to the preview when the target and fields are known, else the form."""
        from integrations.actions import get_action

        try:
            action = get_action(action_name)
            ref = parse_ref(entity)
            if target is None:
                targets = self.service().targets(action.name, ref)
                targets = [t for t in targets if _matches(t, params)]
                if not targets:
                    raise UsageError(
                        f"{ref.short} has no workload {action.title.lower()} can "
                        "change in the configured clusters."
                    )
                if len(targets) == 1 and not _missing(action.fields, params):
                    target = targets[0]
                else:
                    update_view(client, view_id, form_view(action, entity, targets, params))
                    return
            if _missing(action.fields, params):
                update_view(client, view_id, form_view(action, entity, [target], params))
                return
            preview = self.service().preview(self.actor(caller), action.name, ref, target, params)
            view = confirm_view(preview, entity)
        except GreenroomError as error:
            view = message_view(TITLE, f":no_entry_sign: {bk.escape(error.user_message)}")
        update_view(client, view_id, view)

    def open_from_button(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """A button on the k8s answer: the loading modal at once, then the preview."""
        delivery = incoming(context)
        if not delivery.first_time():
            return
        opened = open_view(client, body.get("trigger_id"), loading_view(TITLE, "Checking…"))
        if not opened.ok or opened.view_id is None:
            return
        try:
            state = _decode((body.get("actions") or [{}])[0].get("value"))
        except UsageError as error:
            update_view(client, opened.view_id, message_view(TITLE, bk.escape(error.user_message)))
            return
        self.show_start(
            client,
            opened.view_id,
            delivery.caller(client),
            state["a"],
            state["e"],
            state.get("target"),
            state.get("p") or {},
        )

    # -- modals ----------------------------------------------------------------------------
    def ack_working(self, ack: Ack) -> None:
        ack(response_action="update", view=loading_view(TITLE, "Working…"))

    def submit_form(
        self, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The form's Preview: the confirmation view, answered in the ack (within 2 s)."""
        from integrations.actions import Target

        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        try:
            state = _decode(view.get("private_metadata"))
            chosen = (values.get(TARGET_BLOCK) or {}).get(TARGET_INPUT) or {}
            target = Target.from_json(json.loads(chosen["selected_option"]["value"]))
        except (UsageError, KeyError, TypeError, ValueError):
            ack(response_action="update", view=message_view(TITLE, _STALE))
            return
        params = dict(state.get("p") or {})
        for block_id, inputs in values.items():
            for action_id, field in inputs.items():
                if block_id == action_id and block_id != TARGET_BLOCK:
                    params[action_id] = str(field.get("value") or "")
        delivery = incoming(context)

        def preview() -> dict[str, Any]:
            actor = self.actor(delivery.caller(client))
            shown = self.service().preview(actor, state["a"], parse_ref(state["e"]), target, params)
            return confirm_view(shown, state["e"])

        try:
            shown = self._pool.submit(preview).result(timeout=_ACK_BUDGET)
        except TimeoutError:
            shown = message_view(TITLE, "The cluster took too long to answer; try again.")
        except GreenroomError as error:
            shown = message_view(TITLE, f":no_entry_sign: {bk.escape(error.user_message)}")
        ack(response_action="update", view=shown)

    def confirm(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Confirmed: act (owners, admins) or request (others), decided now."""
        from integrations.actions import SlackIds

        delivery = incoming(context)
        if not delivery.first_time():
            return
        view = body.get("view") or {}
        try:
            state = _decode(view.get("private_metadata"))
            target = state["target"]
        except (UsageError, KeyError):
            update_view(client, view["id"], message_view(TITLE, _STALE))
            return
        actor = self.actor(delivery.caller(client))
        slack = SlackIds(view_id=view.get("id"))
        self._background(self._act_or_ask, client, view["id"], actor, state, target, slack)

    def _act_or_ask(
        self,
        client: WebClient,
        view_id: str,
        actor: Actor,
        state: dict[str, Any],
        target: Target,
        slack: SlackIds,
    ) -> None:
        ref, params, service = parse_ref(state["e"]), state.get("p") or {}, self.service()
        try:
            decision = service.decision(actor, ref, state["a"])
            if decision.may_act:
                outcome = service.run(actor, state["a"], ref, target, params, slack=slack)
                title = _title(state["a"])
                text = outcome_text(f"{title} {target.name}", outcome)
                update_view(client, view_id, message_view(title, text))
                self.tell(client, actor.slack_user_id, text)
                self.post_audit(client, ref, f"{bk.mention(actor.slack_user_id)}: {text}")
                return
            if service.channel_for(ref) is None:
                raise UsageError(
                    "The owning team has no Slack channel (slack.com/channel) and "
                    "actions.default_channel is not set, so nobody could approve a request; "
                    "ask the owners directly."
                )
            request = service.ask(actor, state["a"], ref, target, params, slack=slack)
            where = self.post_request(client, request)
            owner = bk.code(request.owner.short if request.owner else "none")
            text = (
                f":raised_hand: Requested. The owners ({owner}) were asked in {where}; "
                "you will hear the outcome in a direct message."
            )
            update_view(client, view_id, message_view("Requested", text))
            self.tell(client, actor.slack_user_id, text)
        except GreenroomError as error:
            text = f":no_entry_sign: {bk.escape(error.user_message)}"
            update_view(client, view_id, message_view(TITLE, text))
            self.tell(client, actor.slack_user_id, text)

    # -- approvals ---------------------------------------------------------------------------
    def approve(
        self, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        self._decide(body, client, context, respond, approve=True)

    def deny(
        self, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        self._decide(body, client, context, respond, approve=False)

    def _background(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work`` on the actions' own threads: a rollout may take minutes, and the
        listener threads that answer everyone must not wait for it."""

        def run() -> None:
            try:
                work(*args)
            except Exception:
                log.exception("an action's work failed unexpectedly")

        self._runs.submit(run)

    def _decide(
        self,
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
        *,
        approve: bool,
    ) -> None:
        from integrations.actions import SlackIds

        delivery = incoming(context)
        if not delivery.first_time():
            return
        request_id = str((body.get("actions") or [{}])[0].get("value") or "")
        channel = (body.get("channel") or {}).get("id")
        slack = SlackIds(channel=channel, message_ts=(body.get("message") or {}).get("ts"))
        actor = self.actor(delivery.caller(client))
        self._background(self._decided, client, respond, actor, request_id, slack, approve)

    def _decided(
        self,
        client: WebClient,
        respond: Respond,
        actor: Actor,
        request_id: str,
        slack: SlackIds,
        approve: bool,
    ) -> None:
        service = self.service()
        by = bk.mention(actor.slack_user_id)

        def running(request: ActionRequest) -> None:  # other owners see it is taken
            title = _title(request.action)
            line = f":hourglass_flowing_sand: Approved by {by}; running…"
            respond(replace_original=True, **decided_message(request, title, line))

        try:
            decided = (
                service.approve(actor, request_id, slack=slack, started=running)
                if approve
                else service.deny(actor, request_id, slack=slack)
            )
        except GreenroomError as error:
            respond(
                text=error.user_message,
                blocks=[bk.section(f":no_entry_sign: {bk.escape(error.user_message)}")],
                response_type="ephemeral",
                replace_original=False,
            )
            return
        request, title = decided.request, _title(decided.request.action)
        if decided.outcome is None:
            line = f":no_entry_sign: Denied by {by}."
        else:
            line = f"Approved by {by}. " + outcome_text(
                f"{title} {request.target.name}", decided.outcome
            )
        respond(replace_original=True, **decided_message(request, title, line))
        self.tell_requester(client, request, title, line)

    # -- posting ---------------------------------------------------------------------------
    def post_request(self, client: WebClient, request: ActionRequest) -> str:
        channel = self.service().channel_for(request.entity)
        if channel is None:
            raise UsageError("The owning team's channel is gone; ask the owners directly.")
        posted = client.chat_postMessage(
            channel=channel.lstrip("#"), **request_message(request, _title(request.action))
        )
        self.service().note_posted(
            request.id, str(posted.get("channel") or channel), str(posted.get("ts") or "")
        )
        return f"<#{channel.lstrip('#')}>" if channel.startswith("C") else bk.escape(channel)

    def post_audit(self, client: WebClient, ref: Any, text: str) -> None:
        channel = self.service().channel_for(ref)
        if channel is None:
            return
        try:
            client.chat_postMessage(
                channel=channel.lstrip("#"),
                text=text,
                blocks=[bk.section(text)],
                unfurl_links=False,
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("the audit post to %s failed: %s", channel, type(error).__name__)

    def tell(self, client: WebClient, user_id: str, text: str) -> None:
        """A direct message (the modal may be closed by now)."""
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=[bk.section(text)])
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("a direct message failed: %s", type(error).__name__)

    def tell_requester(
        self, client: WebClient, request: ActionRequest, title: str, line: str
    ) -> None:
        text = (
            f"Your request to {title.lower()} {bk.code(request.target.name)} "
            f"of {bk.code(request.entity.short)}: {line}"
        )
        try:
            client.chat_postMessage(
                channel=request.requester.slack_user_id, text=text, blocks=[bk.section(text)]
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("telling the requester failed: %s", type(error).__name__)


def _title(action: str) -> str:
    from integrations.actions import get_action

    return get_action(action).title


def _missing(fields: Any, params: Mapping[str, str]) -> bool:
    """Whether the form must be shown: a required field is empty, or the action has fields
    and none was given (a submitted form names every field, even left empty)."""
    if any(f.required and not params.get(f.name) for f in fields):
        return True
    return bool(fields) and not any(f.name in params for f in fields)


def _matches(target: Target, params: Mapping[str, str]) -> bool:
    return all(
        params.get(key) in (None, "", value)
        for key, value in (
            ("cluster", target.cluster),
            ("namespace", target.namespace),
            ("workload", target.name),
            ("kind", target.kind),
        )
    )


def _decode(value: object) -> dict[str, Any]:
    from integrations.actions import Target

    try:
        data = json.loads(str(value or ""))
        state: dict[str, Any] = {
            "a": str(data["a"]),
            "e": str(data["e"]),
            "p": dict(data.get("p") or {}),
        }
        if data.get("t"):
            state["target"] = Target.from_json(data["t"])
    except (ValueError, TypeError, KeyError):
        raise UsageError(_STALE) from None
    return state
