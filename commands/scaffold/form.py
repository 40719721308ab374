"""A template's form (``integrations.scaffolder.TemplateForm``) as modal input blocks, and the
submitted view state read back into field values.

One input block per field, its ``block_id`` derived from the field key (so errors from the
scaffolder land on the right block) and its element's ``action_id`` always ``value``:

- text: ``plain_text_input`` (multiline, ``max_length``, the default prefilled; a derived
  field stays empty and shows what it would be as the placeholder);
- select: ``static_select``; past Slack's 100 options an ``external_select`` whose options
  come from the ``scaffold.search`` options listener (:data:`SEARCH_ACTION`);
- boolean: one checkbox ("Yes"), unchecked submits False;
- json: a multiline text input holding the JSON.

Option values longer than Slack's 150 characters travel as a digest of the value.
A modal holds 100 blocks: fields that do not fit keep their defaults (required ones are kept
first) and a context line says which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from integrations.scaffolder import FormField, FormOption, TemplateForm
from slackkit import blocks as bk
from slackkit.blocks import Block

__all__ = [
    "SEARCH_ACTION",
    "VALUE_ACTION",
    "block_id_for",
    "field_for_block",
    "form_blocks",
    "form_values",
    "option_json",
]

VALUE_ACTION = "value"
SEARCH_ACTION = "scaffold.search"
STATIC_OPTIONS = 100
_OPTION_TEXT, _OPTION_VALUE, _PLACEHOLDER, _HINT, _LABEL, _TEXT_MAX = 75, 150, 150, 2000, 2000, 3000
_BLOCK_PREFIX = "field:"


def block_id_for(key: str) -> str:
    """The input block id of a field (a digest for keys past Slack's 255 characters)."""
    if len(key) <= 200:
        return _BLOCK_PREFIX + key
    return "field#" + hashlib.sha256(key.encode()).hexdigest()[:32]


def field_for_block(form: TemplateForm, block_id: str) -> FormField | None:
    """The field an input block (or an options request) belongs to."""
    return next((f for f in form.fields if block_id_for(f.key) == block_id), None)


def option_value(option: FormOption) -> str:
    """The value Slack carries for an option (a digest past 150 characters)."""
    if len(option.value) <= _OPTION_VALUE and not option.value.startswith("#"):
        return option.value
    return "#" + hashlib.sha256(option.value.encode()).hexdigest()[:40]


def option_json(option: FormOption) -> dict[str, Any]:
    """A Block Kit option object for a form option."""
    return {"text": bk.plain(option.label, _OPTION_TEXT), "value": option_value(option)}


def form_blocks(
    form: TemplateForm, *, values: Mapping[str, Any] | None = None, budget: int = 95
) -> list[Block]:
    """Input blocks for the fields that fit ``budget`` blocks, prefilled with ``values`` (a
    previous attempt) or the defaults; a context block names the fields left out."""
    shown = _fields_that_fit(form.fields, budget)
    blocks = [_input(f, (values or {}).get(f.key, f.default)) for f in form.fields if f in shown]
    left_out = [f.label for f in form.fields if f not in shown]
    if left_out:
        names = ", ".join(left_out[:10]) + (" …" if len(left_out) > 10 else "")
        blocks.append(
            bk.context(
                f"{len(left_out)} more settings keep their defaults ({bk.escape(names)}); "
                "`greenroom scaffold` on the command line sets them all."
            )
        )
    return blocks


def form_values(form: TemplateForm, state: Mapping[str, Any]) -> dict[str, Any]:
    """Field values from a submitted view's ``state.values``. Fields not in the view and
    inputs left empty are left out (their defaults apply); an unchecked box is False."""
    values: dict[str, Any] = {}
    for field in form.fields:
        block = state.get(block_id_for(field.key))
        element = next(iter(block.values()), None) if isinstance(block, Mapping) else None
        if not isinstance(element, Mapping):
            continue
        value: Any
        if field.kind == "boolean":
            value = bool(element.get("selected_options"))
        elif field.kind == "select":
            value = _decode_option(field, (element.get("selected_option") or {}).get("value"))
        else:
            value = element.get("value")
        if value is not None and value != "":
            values[field.key] = value
    return values


def _decode_option(field: FormField, value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    for option in field.options:
        if option_value(option) == value:
            return option.value
    return value  # not one of the choices: the scaffolder's check says so on the field


def _fields_that_fit(fields: tuple[FormField, ...], budget: int) -> set[FormField]:
    if len(fields) <= budget:
        return set(fields)
    # Fields that must be filled in first; the rest keep their order.
    ranked = sorted(fields, key=lambda f: not (f.required and f.default is None))
    return set(ranked[: budget - 1])


def _input(field: FormField, value: Any) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id_for(field.key),
        "label": bk.plain(field.label, _LABEL),
        "optional": not field.required or field.kind == "boolean",
        "element": _element(field, value),
    }
    if field.hint:
        block["hint"] = bk.plain(field.hint, _HINT)
    return block


def _element(field: FormField, value: Any) -> Block:
    if field.kind == "boolean":
        yes = {"text": bk.plain("Yes"), "value": "yes"}
        element: Block = {"type": "checkboxes", "action_id": VALUE_ACTION, "options": [yes]}
        if value is True or str(value).lower() in {"true", "yes", "y", "1"}:
            element["initial_options"] = [yes]
        return element
    if field.kind == "select":
        return _select(field, value)
    limit = min(field.max_length or _TEXT_MAX, _TEXT_MAX)
    element = {
        "type": "plain_text_input",
        "action_id": VALUE_ACTION,
        "multiline": field.multiline or field.kind == "json",
        "max_length": limit,
    }
    text = "" if value is None else str(value)
    if text and len(text) <= limit:
        element["initial_value"] = text
    if field.placeholder:
        element["placeholder"] = bk.plain(field.placeholder, _PLACEHOLDER)
    return element


def _select(field: FormField, value: Any) -> Block:
    chosen = field.option(str(value)) if value is not None else None
    if len(field.options) > STATIC_OPTIONS:
        element: Block = {
            "type": "external_select",
            "action_id": SEARCH_ACTION,
            "min_query_length": 1,
            "placeholder": bk.plain(f"Type to search {len(field.options)} choices"),
        }
    else:
        element = {
            "type": "static_select",
            "action_id": VALUE_ACTION,
            "options": [option_json(o) for o in field.options] or [_no_choices()],
            "placeholder": bk.plain("Choose…"),
        }
    if chosen is not None:
        element["initial_option"] = option_json(chosen)
    return element


def _no_choices() -> dict[str, Any]:
    return {"text": bk.plain("(no choices)"), "value": "#none"}
