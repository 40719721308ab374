"""How actions read in Slack: the form, the confirmation modal (exactly what will change), the
request with Approve/Deny, outcomes, audit lines and the buttons on the ``k8s`` answer.

Everything from the catalog, a cluster or a CI host is escaped before it reaches mrkdwn."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.modals import modal

if TYPE_CHECKING:
    from integrations.actions import (
        Action,
        ActionRequest,
        AuditRecord,
        Outcome,
        Preview,
        Target,
    )
    from integrations.kubernetes import KubernetesHealth

__all__ = [
    "APPROVE_ACTION",
    "CONFIRM_CALLBACK",
    "DENY_ACTION",
    "FORM_CALLBACK",
    "OPEN_ACTION",
    "audit_line",
    "confirm_view",
    "decided_message",
    "finding_buttons",
    "form_view",
    "message_view",
    "outcome_text",
    "request_message",
    "waiting_blocks",
]

OPEN_ACTION = "greenroom.actions.open"
APPROVE_ACTION = "greenroom.actions.approve"
DENY_ACTION = "greenroom.actions.deny"
FORM_CALLBACK = "greenroom.actions.form"
CONFIRM_CALLBACK = "greenroom.actions.confirm"
TARGET_BLOCK, TARGET_INPUT = "target", "target"
_OUTCOME_MARK = {
    "ok": ":white_check_mark:",
    "failed": ":x:",
    "refused": ":no_entry_sign:",
    "pending": ":hourglass_flowing_sand:",
}


def state_value(action: str, entity: str, target: Target | None, params: Mapping[str, str]) -> str:
    """What a button or a modal carries: action, entity ref, target, form values."""
    data: dict[str, Any] = {"a": action, "e": entity, "p": dict(params)}
    if target is not None:
        data["t"] = target.to_json()
    return json.dumps(data, separators=(",", ":"))


def target_text(target: Target) -> str:
    if target.cluster is None:
        return f"{target.kind.lower()} {bk.code(target.name)}"
    return (
        f"{target.kind.lower()} {bk.code(target.name)} in "
        f"{bk.code(f'{target.cluster}/{target.namespace}')}"
    )


def message_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something."""
    return modal(title, [bk.section(text)], callback_id="greenroom.actions.message")


def form_view(
    action: Action, entity: str, targets: Sequence[Target], params: Mapping[str, str]
) -> dict[str, Any]:
    """Choose the workload and fill the action's fields; submit previews."""
    blocks: list[Block] = [
        bk.section(
            f"*{bk.escape(action.title)}* · {bk.escape(action.description)}\nfor {bk.code(entity)}"
        ),
    ]
    options = [
        {
            "text": bk.plain(
                f"{t.kind} {t.name}" + (f" · {t.cluster}/{t.namespace}" if t.cluster else ""), 75
            ),
            "value": json.dumps(t.to_json(), separators=(",", ":")),
        }
        for t in targets[:100]
    ]
    blocks.append(
        {
            "type": "input",
            "block_id": TARGET_BLOCK,
            "label": bk.plain("Where"),
            "element": {
                "type": "static_select",
                "action_id": TARGET_INPUT,
                "options": options,
                "initial_option": options[0],
            },
        }
    )
    for spec in action.fields:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": spec.name}
        initial = params.get(spec.name) or spec.default
        if initial:
            element["initial_value"] = str(initial)[:150]
        block: dict[str, Any] = {
            "type": "input",
            "block_id": spec.name,
            "label": bk.plain(spec.label),
            "element": element,
            "optional": not spec.required,
        }
        if spec.hint:
            block["hint"] = bk.plain(spec.hint)
        blocks.append(block)
    return modal(
        action.title,
        blocks,
        callback_id=FORM_CALLBACK,
        submit="Preview",
        close="Cancel",
        private_metadata=state_value(action.name, entity, None, params),
    )


def confirm_view(preview: Preview, entity: str) -> dict[str, Any]:
    """The dry run: exactly what will change, and whether this acts or asks the owners."""
    plan = preview.plan
    lines = [f"*{bk.escape(plan.summary)}*", "", "*What will change*"]
    lines += [f"• {bk.escape(c)}" for c in plan.changes]
    blocks: list[Block] = [bk.section("\n".join(lines))]
    for warning in plan.warnings:
        blocks.append(bk.section(f":warning: {bk.escape(warning)}"))
    if preview.decision.may_act:
        who = f"You may do this directly: {bk.escape(preview.decision.reason)}."
        submit = preview.action.title
    else:
        owner = preview.decision.owner.short if preview.decision.owner else "its owners"
        who = (
            f"You may not do this directly ({bk.escape(preview.decision.reason)}): confirming "
            f"asks {bk.code(owner)} to approve it in their channel."
        )
        submit = "Request approval"
    blocks.append(bk.context(who + " Checked again when you confirm; recorded in the audit trail."))
    return modal(
        preview.action.title,
        blocks,
        callback_id=CONFIRM_CALLBACK,
        submit=submit,
        close="Cancel",
        private_metadata=state_value(plan.action, entity, plan.target, plan.params),
    )


def outcome_text(title: str, outcome: Outcome) -> str:
    mark = ":white_check_mark:" if outcome.ok else ":x:"
    text = f"{mark} *{bk.escape(title)}*: {bk.escape(outcome.message)}"
    if outcome.link and outcome.link.startswith(("https://", "http://")):
        text += f"\n<{outcome.link.replace('|', '%7C').replace('>', '%3E')}|Open the run>"
    return text


def request_message(request: ActionRequest, title: str) -> dict[str, Any]:
    """Posted in the owning team's channel: who asks what, with Approve / Deny."""
    text = (
        f":raised_hand: {bk.mention(request.requester.slack_user_id)} asks to "
        f"*{bk.escape(title.lower())}* {target_text(request.target)} of "
        f"{bk.code(request.entity.short)}:\n{bk.escape(request.summary)}"
    )
    buttons = [
        bk.button("Approve", APPROVE_ACTION, request.id, style="primary"),
        bk.button("Deny", DENY_ACTION, request.id, style="danger"),
    ]
    expires = f"<!date^{int(request.expires_at.timestamp())}^{{time}}|soon>"
    return {
        "text": f"Approval requested: {title} of {request.entity.short}",
        "blocks": [
            bk.section(text),
            bk.actions(buttons, block_id="greenroom.actions.request"),
            bk.context(f"Only owners may decide; the requester cannot. Expires {expires}."),
        ],
    }


def decided_message(request: ActionRequest, title: str, line: str) -> dict[str, Any]:
    """The request's message once decided (buttons gone)."""
    text = (
        f"{bk.mention(request.requester.slack_user_id)} asked to *{bk.escape(title.lower())}* "
        f"{target_text(request.target)} of {bk.code(request.entity.short)}.\n{line}"
    )
    return {
        "text": f"{title} of {request.entity.short}: {request.status}",
        "blocks": [bk.section(text)],
    }


def waiting_blocks(requests: Sequence[ActionRequest]) -> list[Block]:
    """The Home tab's "waiting for your team" list: each request and where to decide it."""
    from integrations.actions import get_action

    lines = [
        f"*:raised_hand: {len(requests)} action request{'s' if len(requests) != 1 else ''} "
        "waiting for your team*"
    ]
    for request in requests[:10]:
        where = f" in <#{request.channel}>" if (request.channel or "").startswith("C") else ""
        lines.append(
            f"• {bk.mention(request.requester.slack_user_id)} asks to "
            f"{bk.escape(get_action(request.action).title.lower())} "
            f"{target_text(request.target)} of {bk.code(request.entity.short)}{where}"
        )
    return [bk.section("\n".join(lines))]


def audit_line(record: AuditRecord) -> str:
    """One record as a line of ``audit``."""
    mark = _OUTCOME_MARK.get(record.outcome, ":grey_question:")
    who = (
        bk.mention(record.actor_slack_id)
        if record.actor_slack_id.startswith("U")
        else (bk.escape(record.actor_name))
    )
    return (
        f"{mark} `{record.at:%Y-%m-%d %H:%M:%S}` *{bk.escape(record.event)}* "
        f"{bk.escape(record.action)} · {bk.code(record.target)} · {who}\n"
        f"{bk.escape(bk.truncate(record.message, 300))}"
    )


def finding_buttons(health: KubernetesHealth, entity: str, enabled: bool) -> list[Block]:
    """Buttons next to the findings they fix: "Roll back" (naming the image it goes back to)
    for a crash loop that began with a new image, "Restart" for the rest."""
    if not enabled:
        return []
    from integrations.actions import Target

    buttons: list[Block] = []
    notes: list[str] = []
    seen: set[str] = set()
    for finding in health.findings:
        obj = finding.object
        if obj.kind not in {"Deployment", "StatefulSet"}:
            continue
        target = Target(obj.kind, obj.name, obj.cluster, obj.namespace)
        change = finding.new_image if obj.kind == "Deployment" else None
        action = "rollback" if change is not None else "restart"
        key = f"{action}:{target.key}"
        if key in seen:
            continue
        seen.add(key)
        if change is not None:
            back_to = ", ".join(_short_image(i) for i in change.previous_images)
            label = f"Roll back {obj.name} to {back_to}"
            notes.append(
                f"{bk.code(obj.name)} crashes since revision {change.revision} "
                f"({', '.join(bk.code(i) for i in change.images)}); Roll back returns to "
                f"revision {change.previous_revision} "
                f"({', '.join(bk.code(i) for i in change.previous_images)})."
            )
        else:
            label = f"Restart {obj.name}"
        buttons.append(bk.button(label, OPEN_ACTION, state_value(action, entity, target, {})))
    if not buttons:
        return []
    intro = "Fix it from here (owners act, others request; a preview comes first):"
    return [
        bk.context(" ".join([intro, *notes[:3]])),
        bk.actions(buttons[:5], block_id="greenroom.actions.findings"),
    ]


def _short_image(image: str) -> str:
    """``registry.example/team/app:1.4.2`` -> ``app:1.4.2`` (a button holds 75 characters)."""
    return image.rsplit("/", 1)[-1]
