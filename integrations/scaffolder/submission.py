"""Checking what someone submitted against a form: per-field errors the modal shows next to
the fields (``response_action: errors``) or the CLI prints; blank fields are left out so
their defaults apply."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog import Catalog
from integrations.errors import PublishFailed
from integrations.repositories import RepositoryPublisher
from integrations.scaffolder.form import STANDARD_FIELDS, FormField, TemplateForm

__all__ = [
    "NAME_RULE",
    "Submission",
    "check_submission",
    "is_valid_name",
    "name_problem",
    "validate_submission",
]

NAME_RULE = (
    "Use 2 to 63 characters: lowercase letters, digits and single hyphens, "
    "starting with a letter (e.g. payments-api)."
)
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_MAX = 3000
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}
_NOT_COMPONENTS = {"user", "group", "location", "domain"}


@dataclass(frozen=True, slots=True)
class Submission:
    """Normalised values by field key (blank ones absent) and errors by field key."""

    values: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def is_valid_name(name: str) -> bool:
    """Whether ``name`` may name a repository and a catalog entity (and a folder)."""
    return 2 <= len(name) <= 63 and bool(_NAME.match(name))


def check_submission(form: TemplateForm, raw: Mapping[str, Any]) -> Submission:
    """Types, required fields, choices and the name rule; no catalog or network access."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    keys = {f.key for f in form.fields}
    for key in raw:
        if key not in keys:
            errors[key] = f"This template has no field {key!r} (fields: {', '.join(sorted(keys))})."
    for field in form.fields:
        try:
            value = _normalise(field, raw.get(field.key))
        except ValueError as error:
            errors[field.key] = NAME_RULE if field.key == "name" else str(error)
            continue
        if value is None and field.key in STANDARD_FIELDS:
            value = field.default
        if value is None:
            if field.required and field.default is None:
                errors[field.key] = f"{field.label} is required."
            continue
        values[field.key] = value
    name = values.get("name")
    if isinstance(name, str) and not is_valid_name(name):
        errors["name"] = NAME_RULE
    return Submission(values, errors)


def validate_submission(
    form: TemplateForm,
    raw: Mapping[str, Any],
    *,
    catalog: Catalog,
    publisher: RepositoryPublisher,
) -> Submission:
    """Everything ``check_submission`` checks, plus: the name is free in the catalog and no
    repository of that name exists."""
    submission = check_submission(form, raw)
    name = submission.values.get("name")
    if "name" in submission.errors or not isinstance(name, str):
        return submission
    problem = name_problem(name, catalog=catalog, publisher=publisher)
    if problem is None:
        return submission
    return Submission(submission.values, submission.errors | {"name": problem})


def name_problem(name: str, *, catalog: Catalog, publisher: RepositoryPublisher) -> str | None:
    """Why ``name`` cannot be used now (in the catalog, or a repository exists), or None."""
    taken = sorted(s.ref for s in catalog.named(name) if s.ref.kind not in _NOT_COMPONENTS)
    if taken:
        return f"{taken[0].short} already exists in the catalog; choose another name."
    try:
        if publisher.exists(name):
            return f"A repository named {name} already exists; choose another name."
    except PublishFailed as error:
        return f"Could not check the repository host: {error.user_message}"
    return None


def _normalise(field: FormField, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.kind == "boolean":
        return _boolean(value)
    if field.kind == "json":
        return _json_object(value)
    if not isinstance(value, str):
        raise ValueError(f"{field.label} must be text.")
    text = value.strip()
    if field.kind == "select":
        if field.option(text) is None:
            raise ValueError(f"{text!r} is not one of the choices for {field.label}.")
        return text
    limit = field.max_length or _TEXT_MAX
    if len(text) > limit:
        raise ValueError(f"{field.label} must be at most {limit} characters.")
    if _CONTROL.search(text) or (not field.multiline and "\n" in text):
        raise ValueError(f"{field.label} must be plain text on one line.")
    return text


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no.")


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError as error:
        raise ValueError(f"Not valid JSON: {error.msg} (line {error.lineno}).") from None
    if not isinstance(parsed, dict):
        raise ValueError("Must be a JSON object ({...}).")
    return parsed
