"""A template's form as plain data: the standard fields (name, description, owner, system)
followed by the template's own visible variables, in ``cookiecutter.json`` order. The Slack
modal renders it (text inputs, selects, an external select for long lists, checkboxes), the
CLI fills it from ``--set key=value``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jinja2 import Environment

from catalog import Catalog, EntityRef, StoredEntity
from integrations.scaffolder.discovery import Template
from integrations.scaffolder.metadata import StandardVariables
from integrations.templating import CookiecutterSpec, Variable, choice_options, resolve_values

__all__ = [
    "STANDARD_FIELDS",
    "FieldKind",
    "FormField",
    "FormOption",
    "TemplateForm",
    "build_form",
    "standard_variables",
]

FieldKind = Literal["text", "select", "boolean", "json"]
STANDARD_FIELDS = ("name", "description", "owner", "system")
NAME_MAX = 63
DESCRIPTION_MAX = 500
_PLACEHOLDER_MAX = 150


@dataclass(frozen=True, slots=True)
class FormOption:
    """One choice of a select: the value stored, the label shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FormField:
    """One input. ``variable`` is the cookiecutter variable it fills (None: only greenroom
    uses it). A ``derived`` field left empty is computed from the other answers at run time;
    ``placeholder`` shows what it would be with the defaults. ``yes_no`` holds the strings a
    boolean becomes when the template wants "y"/"n" text."""

    key: str
    label: str
    kind: FieldKind
    required: bool = False
    default: str | bool | None = None
    options: tuple[FormOption, ...] = ()
    placeholder: str | None = None
    hint: str | None = None
    multiline: bool = False
    derived: bool = False
    variable: str | None = None
    yes_no: tuple[str, str] | None = None
    max_length: int | None = None

    def option(self, value: str) -> FormOption | None:
        """The option with this value, if it is one."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True, slots=True)
class TemplateForm:
    """Everything the modal needs to show one template's form."""

    template_id: str
    title: str
    description: str
    icon: str
    trusted: bool
    fields: tuple[FormField, ...]

    def field(self, key: str) -> FormField:
        """The field with this key (KeyError if none)."""
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(key)

    def search_options(self, key: str, query: str, *, limit: int = 100) -> list[FormOption]:
        """Options of a long select matching typed text (for Slack's external select)."""
        words = query.lower().split()
        hits = [
            o
            for o in self.field(key).options
            if all(w in o.label.lower() or w in o.value.lower() for w in words)
        ]
        return hits[:limit]


def standard_variables(template: Template, spec: CookiecutterSpec) -> StandardVariables:
    """The variables the standard fields fill: from the metadata, else guessed by name."""
    if template.metadata.variables is not None:
        return template.metadata.variables
    return StandardVariables.guess([v.key for v in spec.variables])


def build_form(
    template: Template,
    spec: CookiecutterSpec,
    env: Environment,
    *,
    catalog: Catalog,
    owners: Sequence[EntityRef],
    default_owner: EntityRef | None,
) -> TemplateForm:
    """The form of a template for a caller who may choose ``owners``; raises TemplateError
    when a default cannot be rendered."""
    mapping = standard_variables(template, spec)
    groups = catalog.get_many(owners)
    owner_options = tuple(
        FormOption(str(ref), _group_label(groups.get(ref), ref)) for ref in sorted(set(owners))
    )
    systems = tuple(
        FormOption(str(s.ref), _entity_label(s)) for s in catalog.entities(kinds=["system"])
    )
    preview_answers: dict[str, Any] = {}
    if mapping.owner and default_owner is not None:
        preview_answers[mapping.owner] = default_owner.short
    defaults = resolve_values(spec, preview_answers, env)
    fields = [
        FormField(
            "name",
            "Name",
            "text",
            required=True,
            hint="Lowercase letters, digits and hyphens: the repository and catalog name.",
            placeholder="e.g. payments-api",
            variable=mapping.name,
            max_length=NAME_MAX,
        ),
        FormField(
            "description",
            "Description",
            "text",
            required=True,
            multiline=True,
            hint="One or two sentences: what it does, for whom.",
            variable=mapping.description,
            max_length=DESCRIPTION_MAX,
        ),
        FormField(
            "owner",
            "Owner",
            "select",
            required=True,
            default=str(default_owner) if default_owner in owners else None,
            options=owner_options,
            hint="The team that will own it in the catalog.",
            variable=mapping.owner,
        ),
        FormField(
            "system",
            "System",
            "select",
            options=systems,
            hint="The system it is part of, if any.",
            variable=mapping.system,
        ),
    ]
    taken = {v for v in (mapping.name, mapping.description, mapping.owner, mapping.system) if v}
    required = set(template.metadata.required)
    for variable in spec.variables:
        if variable.key in taken:
            continue
        key = (
            variable.key if variable.key not in STANDARD_FIELDS else f"cookiecutter.{variable.key}"
        )
        fields.append(_template_field(variable, key, env, defaults, variable.key in required))
    return TemplateForm(
        template.id,
        template.title,
        template.description,
        template.icon,
        template.trusted,
        tuple(fields),
    )


def _template_field(
    variable: Variable, key: str, env: Environment, defaults: dict[str, Any], required: bool
) -> FormField:
    label = variable.prompt or variable.key.replace("_", " ").strip().capitalize()
    value = defaults.get(variable.key)
    if variable.kind == "boolean":
        return FormField(key, label, "boolean", default=bool(value), variable=variable.key)
    if variable.kind == "yes_no":
        raw = variable.raw[0] if isinstance(variable.raw, list) else variable.raw
        values = ("Y", "N") if str(raw).isupper() else ("y", "n")
        return FormField(
            key,
            label,
            "boolean",
            default=str(value).lower() == "y",
            variable=variable.key,
            yes_no=values,
        )
    if variable.kind == "choice":
        options = choice_options(env, variable.key, variable.raw, defaults)
        return FormField(
            key,
            label,
            "select",
            required=True,
            default=options[0],
            options=tuple(FormOption(o, variable.option_labels.get(o, o)) for o in options),
            variable=variable.key,
        )
    if variable.kind == "dict":
        return FormField(
            key,
            label,
            "json",
            required=required,
            default=json.dumps(value, indent=2, ensure_ascii=False),
            multiline=True,
            hint="A JSON object.",
            variable=variable.key,
        )
    text = "" if value is None else str(value)
    if variable.templated:
        return FormField(
            key,
            label,
            "text",
            required=required,
            placeholder=text[:_PLACEHOLDER_MAX] or None,
            hint="Leave empty to derive it from the other answers.",
            derived=True,
            variable=variable.key,
        )
    return FormField(
        key, label, "text", required=required, default=text or None, variable=variable.key
    )


def _group_label(stored: StoredEntity | None, ref: EntityRef) -> str:
    if stored is None:
        return ref.name
    profile = stored.entity.spec.get("profile")
    name = profile.get("displayName") if isinstance(profile, dict) else None
    return str(name or stored.entity.metadata.title or ref.name)


def _entity_label(stored: StoredEntity) -> str:
    return stored.entity.metadata.title or stored.ref.name
