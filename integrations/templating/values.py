"""A template's variables, resolved in order as ``cookiecutter --no-input`` would resolve them,
except that answers are data: they are used exactly as given, never rendered as Jinja.

(cookiecutter renders ``extra_context`` values as templates, so an answer such as
``{{ cycler.__init__.__globals__.os.system(...) }}`` would run; here it stays text.)
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, Template
from jinja2.exceptions import TemplateError as JinjaError, UndefinedError

from integrations.templating.errors import TemplateError
from integrations.templating.spec import CookiecutterSpec

__all__ = ["choice_options", "resolve_values"]

_COMPILED: weakref.WeakKeyDictionary[Environment, dict[str, Template]] = weakref.WeakKeyDictionary()
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def resolve_values(
    spec: CookiecutterSpec, answers: Mapping[str, Any], env: Environment
) -> dict[str, Any]:
    """Every variable's value: the answer when given, else its default rendered with the
    values before it. ``_private`` and ``__computed`` keys cannot be answered."""
    data = spec.context()["cookiecutter"]
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key.startswith("_") and not key.startswith("__"):
            values[key] = raw
        elif key.startswith("__"):
            values[key] = _render(env, key, raw, values)
        elif isinstance(raw, dict):
            continue
        elif isinstance(raw, list):
            options = choice_options(env, key, raw, values)
            values[key] = _choose(key, options, answers[key]) if key in answers else options[0]
        elif key in answers:
            values[key] = _answer(key, raw, answers[key])
        else:
            values[key] = _render(env, key, raw, values)
    for key, raw in data.items():
        if not isinstance(raw, dict) or (key.startswith("_") and not key.startswith("__")):
            continue
        if key in answers and not key.startswith("_"):
            if not isinstance(answers[key], dict):
                raise TemplateError(f"{key!r} needs a JSON object")
            values[key] = answers[key]
        else:
            values[key] = _render(env, key, raw, values)
    return values


def choice_options(env: Environment, key: str, raw: list[Any], values: dict[str, Any]) -> list[str]:
    """The options of a choice, rendered with the values so far (cookiecutter renders them)."""
    return [str(_render(env, key, option, values)) for option in raw]


def _render(env: Environment, key: str, raw: Any, values: dict[str, Any]) -> Any:
    try:
        return _render_value(env, raw, values, _plain_text_is_final(env))
    except UndefinedError as error:
        raise TemplateError(
            f"the default of {key!r} refers to a variable that is not defined: {error.message}"
        ) from None
    except JinjaError as error:
        raise TemplateError(f"the default of {key!r} cannot be rendered: {error}") from None


def _render_value(env: Environment, raw: Any, values: dict[str, Any], fast: bool) -> Any:
    """cookiecutter's ``render_variable`` (None and bools as they are, containers item by
    item, anything else as text through Jinja), with each expression compiled once per
    environment and text without markup passed through (150 plain choices cost nothing)."""
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, list):
        return [_render_value(env, v, values, fast) for v in raw]
    if isinstance(raw, dict):
        return {
            _render_value(env, k, values, fast): _render_value(env, v, values, fast)
            for k, v in raw.items()
        }
    text = raw if isinstance(raw, str) else str(raw)
    if fast and "{" not in text:
        return text
    compiled = _COMPILED.setdefault(env, {})
    template = compiled.get(text)
    if template is None:
        template = compiled[text] = env.from_string(text)
    return template.render(cookiecutter=values)


def _plain_text_is_final(env: Environment) -> bool:
    """Whether text without "{" renders to itself (default delimiters, no line statements)."""
    return (
        env.variable_start_string.startswith("{")
        and env.block_start_string.startswith("{")
        and env.comment_start_string.startswith("{")
        and env.line_statement_prefix is None
        and env.line_comment_prefix is None
    )


def _choose(key: str, options: list[str], answer: Any) -> str:
    if isinstance(answer, bool):
        wanted = "y" if answer else "n"
        for option in options:
            if option.lower() == wanted:
                return option
    text = str(answer)
    if text not in options:
        shown = ", ".join(options[:10]) + (", ..." if len(options) > 10 else "")
        raise TemplateError(f"{text!r} is not one of the choices for {key!r} ({shown})")
    return text


def _answer(key: str, raw: Any, answer: Any) -> Any:
    if isinstance(raw, bool):
        return _as_bool(key, answer)
    if isinstance(raw, str) and raw.lower() in {"y", "n"} and isinstance(answer, bool):
        return "y" if answer else "n"
    if isinstance(answer, dict | list):
        raise TemplateError(f"{key!r} needs text, not {type(answer).__name__}")
    return answer if isinstance(answer, str) else str(answer)


def _as_bool(key: str, answer: Any) -> bool:
    if isinstance(answer, bool):
        return answer
    text = str(answer).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TemplateError(f"{answer!r} for {key!r} is not yes or no")
