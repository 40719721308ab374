"""A template's form as modal inputs, and a submitted view read back into field values."""

from __future__ import annotations

from typing import Any

from bot.loopback.methods import view_problem
from commands.scaffold.form import (
    block_id_for,
    form_blocks,
    form_values,
    option_json,
)
from integrations.scaffolder import FormField, FormOption, TemplateForm
from slackkit.modals import modal

LONG = "postgresql://" + "x" * 200


def make_form(*fields: FormField) -> TemplateForm:
    return TemplateForm("t", "T", "A template.", "", True, fields)


def element(blocks: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id_for(key))["element"]


def submitted(key: str, **state: Any) -> dict[str, Any]:
    return {block_id_for(key): {"value": state}}


def test_each_kind_of_field_gets_its_input_within_slacks_rules() -> None:
    form = make_form(
        FormField("name", "Name", "text", required=True, max_length=63, placeholder="e.g. x"),
        FormField(
            "db",
            "Database",
            "select",
            required=True,
            default="pg",
            options=(FormOption("pg", "PostgreSQL"), FormOption(LONG, "Long one")),
        ),
        FormField("docker", "Docker", "boolean", default=True),
        FormField("extra", "Extra", "json", default='{"a": 1}', multiline=True),
    )
    blocks = form_blocks(form)
    assert element(blocks, "name")["max_length"] == 63
    assert element(blocks, "db")["initial_option"]["text"]["text"] == "PostgreSQL"
    assert len(element(blocks, "db")["options"][1]["value"]) <= 150
    assert element(blocks, "docker")["initial_options"][0]["value"] == "yes"
    assert element(blocks, "extra")["multiline"] and element(blocks, "extra")["initial_value"]
    assert view_problem(modal("T", blocks, callback_id="c", submit="Create")) is None


def test_submitted_values_come_back_as_field_values() -> None:
    form = make_form(
        FormField("name", "Name", "text"),
        FormField("db", "Database", "select", options=(FormOption(LONG, "Long"),)),
        FormField("docker", "Docker", "boolean", default=True),
        FormField("notes", "Notes", "text", default="kept"),
    )
    state = (
        submitted("name", value="ledger")
        | submitted("db", selected_option=option_json(form.fields[1].options[0]))
        | submitted("docker", selected_options=[])
        | submitted("notes", value=None)
    )
    assert form_values(form, state) == {"name": "ledger", "db": LONG, "docker": False}


def test_long_choice_lists_become_an_external_select() -> None:
    options = tuple(FormOption(f"region-{i}", f"Region {i}") for i in range(101))
    form = make_form(FormField("region", "Region", "select", default="region-7", options=options))
    select = element(form_blocks(form), "region")
    assert select["type"] == "external_select" and "options" not in select
    assert select["initial_option"]["value"] == "region-7"
    state = submitted("region", selected_option={"value": "region-100"})
    assert form_values(form, state) == {"region": "region-100"}


def test_a_form_longer_than_a_modal_keeps_the_fields_that_must_be_filled() -> None:
    fields = [FormField(f"opt_{i}", f"Option {i}", "text", default="d") for i in range(120)]
    fields.append(FormField("must", "Must", "text", required=True))
    blocks = form_blocks(make_form(*fields), budget=50)
    assert len(blocks) == 50 and element(blocks, "must")
    assert "72 more settings keep their defaults" in blocks[-1]["elements"][0]["text"]


def test_keys_longer_than_a_block_id_still_map_back() -> None:
    key = "k" * 300
    form = make_form(FormField(key, "Long key", "text"))
    [block] = form_blocks(form)
    assert len(block["block_id"]) <= 255
    assert form_values(form, {block["block_id"]: {"value": {"value": "x"}}}) == {key: "x"}
