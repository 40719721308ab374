"""The views of the scaffolding modal: template picker, form, progress, result, failure.

Every text from templates, the catalog or the user is escaped or ``plain_text``; links are
built only from http(s) URLs (``bk.link``). Views carry the wizard state
(commands/scaffold/wizard.py) in ``private_metadata``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from commands.scaffold.form import form_blocks
from commands.scaffold.wizard import WizardState
from integrations.scaffolder import STEPS, ScaffoldStep, Template, TemplateForm
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.modals import modal

__all__ = [
    "BACK_ACTION",
    "CHOOSE_ACTION",
    "FORM_CALLBACK",
    "OPEN_ACTION",
    "RETRY_ACTION",
    "TITLE",
    "failure_view",
    "form_view",
    "message_view",
    "picker_view",
    "progress_view",
    "result_view",
]

TITLE = "New repository"
OPEN_ACTION = "scaffold.open"
CHOOSE_ACTION = "scaffold.choose"
BACK_ACTION = "scaffold.back"
RETRY_ACTION = "scaffold.retry"
FORM_CALLBACK = "scaffold.form"
_BUTTONS_SHOWN = 40
_DESCRIPTION = 400


def picker_view(templates: Sequence[Template], state: WizardState) -> dict[str, Any]:
    """Every template the caller may use, each with a Choose button (a select past 40)."""
    if not templates:
        empty = [bk.section("There are no templates you may use. Ask your platform team.")]
        return modal(TITLE, empty, callback_id="scaffold.picker", close="Close")
    blocks: list[Block] = [bk.section("*Pick a template.* You fill in its settings next.")]
    if len(templates) <= _BUTTONS_SHOWN:
        for template in templates:
            blocks.append(
                bk.section(
                    _template_text(template),
                    accessory=bk.button("Choose", CHOOSE_ACTION, template.id),
                    block_id=f"template:{template.id}",
                )
            )
    else:
        options = [
            {"text": bk.plain(f"{t.icon} {t.title}".strip(), 75), "value": t.id}
            for t in templates[:100]
        ]
        select = {"type": "static_select", "action_id": CHOOSE_ACTION, "options": options}
        blocks.append(bk.actions([select], block_id="templates"))
    return modal(
        TITLE,
        blocks,
        callback_id="scaffold.picker",
        close="Cancel",
        private_metadata=state.encode(),
    )


def form_view(
    form: TemplateForm,
    state: WizardState,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template's form; ``values`` refill it, ``errors`` (by field key) head it."""
    head: list[Block] = [
        bk.section(
            _titled(form.icon, form.title, form.description),
            accessory=bk.button("Other template", BACK_ACTION),
            block_id="template",
        )
    ]
    if not form.trusted:
        head.append(
            bk.context(
                "From a folder that is not marked trusted: rendered in a sandbox, "
                "its hooks do not run."
            )
        )
    if errors:
        labels = {f.key: f.label for f in form.fields}
        lines = [f"• *{bk.escape(labels.get(k, k))}*: {bk.escape(m)}" for k, m in errors.items()]
        head.append(bk.section(":warning: *Please fix:*\n" + "\n".join(lines)))
    blocks = head + form_blocks(form, values=values, budget=bk.MAX_VIEW_BLOCKS - len(head) - 1)
    return modal(
        TITLE,
        blocks,
        callback_id=FORM_CALLBACK,
        submit="Create",
        close="Cancel",
        private_metadata=state.encode(),
    )


def progress_view(
    name: str, template_title: str, step: ScaffoldStep | None, state: WizardState
) -> dict[str, Any]:
    """The run's steps: done, under way, still to come."""
    reached = [s for s, _ in STEPS].index(step) if step else -1
    lines = []
    for index, (key, label) in enumerate(STEPS):
        if key == "done":
            continue
        mark = (
            ":white_check_mark:"
            if index < reached
            else ":hourglass_flowing_sand:"
            if index == reached
            else ":white_small_square:"
        )
        lines.append(f"{mark} {bk.escape(label)}")
    blocks = [
        bk.section(f"*Creating {bk.code(name)}* from {bk.escape(template_title)}"),
        bk.section("\n".join(lines), block_id="steps"),
        bk.context("You can close this window: I will send you a message when it is done."),
    ]
    return modal(TITLE, blocks, callback_id="scaffold.progress", private_metadata=state.encode())


def result_view(blocks: list[Block], state: WizardState) -> dict[str, Any]:
    """The finished run (the same blocks as the message the user gets)."""
    return modal(
        TITLE, blocks, callback_id="scaffold.done", close="Done", private_metadata=state.encode()
    )


def failure_view(
    reason: str,
    state: WizardState,
    *,
    errors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    nothing_made: bool = True,
) -> dict[str, Any]:
    """Why it failed, in user words, and a button back to the form when there is one."""
    lines = [f":x: *{bk.escape(reason)}*"]
    for key, message in (errors or {}).items():
        lines.append(f"• *{bk.escape((labels or {}).get(key, key))}*: {bk.escape(message)}")
    blocks: list[Block] = [bk.section("\n".join(lines))]
    if nothing_made:
        blocks.append(bk.context("Nothing was created: no repository, no catalog entry."))
    if state.template_id:
        blocks.append(
            bk.actions(
                [bk.button("Edit and try again", RETRY_ACTION, style="primary")], block_id="retry"
            )
        )
    return modal(TITLE, blocks, callback_id="scaffold.failed", private_metadata=state.encode())


def message_view(text: str) -> dict[str, Any]:
    """A modal saying one thing (e.g. why the picker cannot be shown)."""
    return modal(TITLE, [bk.section(bk.escape(text))], callback_id="scaffold.message")


def _template_text(template: Template) -> str:
    return _titled(template.icon, template.title, template.description)


def _titled(icon: str, title: str, description: str) -> str:
    heading = f"*{bk.escape(f'{icon} {title}'.strip())}*"
    text = bk.escape(bk.truncate(description, _DESCRIPTION))
    return f"{heading}\n{text}" if text else heading
