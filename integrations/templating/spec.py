"""A template's ``cookiecutter.json``, read the way cookiecutter 2.7 reads it.

Keys keep their order (a Jinja default may use earlier answers). A list is a choice, a bool a
yes/no question, a dict a JSON value; ``_key`` values are raw settings and ``__key`` values are
computed, neither is asked. ``__prompts__`` holds the questions (and labels for choices).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from integrations.templating.errors import TemplateError
from integrations.templating.staging import read_template_file

__all__ = [
    "CONTEXT_FILE",
    "MAX_CONTEXT_BYTES",
    "CookiecutterSpec",
    "Variable",
    "VariableKind",
    "load_spec",
]

CONTEXT_FILE = "cookiecutter.json"
MAX_CONTEXT_BYTES = 1024 * 1024

VariableKind = Literal["text", "choice", "boolean", "yes_no", "dict"]

_YES_NO = {"y", "n"}


@dataclass(frozen=True, slots=True)
class Variable:
    """One visible question of a template."""

    key: str
    raw: Any
    kind: VariableKind
    prompt: str | None = None
    option_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def templated(self) -> bool:
        """Whether the default is a Jinja expression (it may use earlier answers)."""
        return isinstance(self.raw, str) and ("{{" in self.raw or "{%" in self.raw)


@dataclass(frozen=True, slots=True)
class CookiecutterSpec:
    """The parsed file: every key in order (``__prompts__`` removed) and the prompts."""

    path: Path
    data: Mapping[str, Any]
    prompts: Mapping[str, Any]

    @property
    def variables(self) -> list[Variable]:
        """The questions cookiecutter would ask, in order (dicts included)."""
        return [_variable(k, v, self.prompts.get(k)) for k, v in self.data.items() if k[0] != "_"]

    @property
    def extensions(self) -> list[str]:
        """Jinja extensions the template imports (``_extensions``): code, trusted only."""
        value = self.data.get("_extensions") or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def context(self) -> dict[str, Any]:
        """A fresh, mutable copy in cookiecutter's ``{"cookiecutter": {...}}`` shape."""
        return {"cookiecutter": json.loads(json.dumps(self.data))}


def load_spec(template_dir: Path) -> CookiecutterSpec:
    """Read ``template_dir/cookiecutter.json``; raises TemplateError naming the file."""
    path = template_dir / CONTEXT_FILE
    try:
        text = read_template_file(path, max_bytes=MAX_CONTEXT_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{template_dir} has no {CONTEXT_FILE}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path} cannot be read: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        hint = " (a trailing comma?)" if _trailing_comma(text, error) else ""
        raise TemplateError(
            f"{path} is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}{hint}"
        ) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path} must hold a JSON object of variables")
    if "template" in data or "templates" in data:
        raise TemplateError(
            f"{path} describes nested templates ('template'/'templates'); "
            "add each inner template folder on its own instead"
        )
    prompts = data.pop("__prompts__", {})
    if not isinstance(prompts, dict):
        raise TemplateError(f"{path}: __prompts__ must be an object")
    for key, value in data.items():
        if isinstance(value, list) and not value and key[0] != "_":
            raise TemplateError(f"{path}: the choice list {key!r} is empty")
    return CookiecutterSpec(path, data, prompts)


def _variable(key: str, raw: Any, prompt: Any) -> Variable:
    question = prompt if isinstance(prompt, str) else None
    labels: dict[str, str] = {}
    if isinstance(prompt, dict):
        question = str(prompt["__prompt__"]) if "__prompt__" in prompt else None
        labels = {str(k): str(v) for k, v in prompt.items() if k != "__prompt__"}
    if isinstance(raw, bool):
        kind: VariableKind = "boolean"
    elif isinstance(raw, str) and raw.lower() in _YES_NO:
        kind = "yes_no"
    elif isinstance(raw, list):
        items = {str(v).lower() for v in raw}
        kind = "yes_no" if len(raw) == 2 and items == _YES_NO else "choice"
    elif isinstance(raw, dict):
        kind = "dict"
    else:
        kind = "text"
    return Variable(key, raw, kind, question, labels)


def _trailing_comma(text: str, error: json.JSONDecodeError) -> bool:
    before = text[: error.pos].rstrip()
    return before.endswith(",") and text[error.pos : error.pos + 1] in {"}", "]"}
