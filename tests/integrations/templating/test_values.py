"""Resolving a template's variables in order, as cookiecutter --no-input does, except that
answers are data and hidden variables cannot be answered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from integrations.templating import TemplateError, load_spec, make_environment, resolve_values


def resolve(tmp_path: Path, context: dict[str, Any], **answers: Any) -> dict[str, Any]:
    (tmp_path / "cookiecutter.json").write_text(json.dumps(context))
    spec = load_spec(tmp_path)
    env = make_environment(spec.context(), trusted=False, template_dir=tmp_path)
    return resolve_values(spec, answers, env)


CONTEXT = {
    "project_name": "Tide Tables",
    "project_slug": "{{ cookiecutter.project_name.lower().replace(' ', '-') }}",
    "license": ["MIT", "{{ 'Apache-' ~ '2.0' }}"],
    "use_docker": "n",
    "metrics": True,
    "__package": "{{ cookiecutter.project_slug.replace('-', '_') }}",
    "_copy_without_render": ["*.html"],
    "settings": {"name": "{{ cookiecutter.project_slug }}", "replicas": 2},
}


def test_defaults_render_in_order_from_earlier_answers(tmp_path: Path) -> None:
    values = resolve(tmp_path, CONTEXT, project_name="Harbor Ledger")
    assert values["project_slug"] == "harbor-ledger"
    assert values["__package"] == "harbor_ledger"
    assert values["settings"] == {"name": "harbor-ledger", "replicas": "2"}
    assert values["license"] == "MIT"
    assert values["_copy_without_render"] == ["*.html"]


def test_answers_are_used_as_given_never_rendered(tmp_path: Path) -> None:
    values = resolve(
        tmp_path,
        CONTEXT,
        project_name="{{ 7 * 7 }}",
        settings={"name": "{{ cookiecutter.project_name }}"},
    )
    assert values["project_name"] == "{{ 7 * 7 }}"
    assert values["project_slug"] == "{{-7-*-7-}}"
    assert values["settings"] == {"name": "{{ cookiecutter.project_name }}"}


def test_hidden_and_computed_variables_cannot_be_answered(tmp_path: Path) -> None:
    values = resolve(
        tmp_path, CONTEXT, _copy_without_render=["*"], __package="os", _extensions=["x"]
    )
    assert values["_copy_without_render"] == ["*.html"]
    assert values["__package"] == "tide_tables"
    assert "_extensions" not in values


def test_choices_accept_only_their_rendered_options(tmp_path: Path) -> None:
    assert resolve(tmp_path, CONTEXT, license="Apache-2.0")["license"] == "Apache-2.0"
    with pytest.raises(TemplateError, match="'GPL' is not one of the choices for 'license'"):
        resolve(tmp_path, CONTEXT, license="GPL")


def test_booleans_and_yes_no_text_take_checkbox_answers(tmp_path: Path) -> None:
    values = resolve(tmp_path, CONTEXT, use_docker=True, metrics="no")
    assert (values["use_docker"], values["metrics"]) == ("y", False)
    with pytest.raises(TemplateError, match="is not yes or no"):
        resolve(tmp_path, CONTEXT, metrics="perhaps")


def test_a_default_using_an_unknown_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        resolve(tmp_path, {"slug": "{{ cookiecutter.project }}"})
    assert str(raised.value) == (
        "the default of 'slug' refers to a variable that is not defined: "
        "'dict object' has no attribute 'project'"
    )
