"""Reading cookiecutter.json: what each value means, and clear errors for broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from integrations.templating import TemplateError, load_spec


def spec_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "cookiecutter.json").write_text(text)
    return tmp_path


def test_each_kind_of_value_is_recognised_and_hidden_keys_are_not_questions(
    tmp_path: Path,
) -> None:
    context = {
        "name": "x",
        "slug": "{{ cookiecutter.name }}",
        "docker": "y",
        "ci": ["n", "y"],
        "cloud": ["aws", "gcp"],
        "metrics": False,
        "extra": {"a": 1},
        "_private": "raw",
        "__computed": "{{ cookiecutter.name }}",
        "__prompts__": {"cloud": {"__prompt__": "Cloud?", "aws": "Amazon"}},
    }
    spec = load_spec(spec_file(tmp_path, json.dumps(context)))
    kinds = {v.key: v.kind for v in spec.variables}
    assert kinds == {
        "name": "text",
        "slug": "text",
        "docker": "yes_no",
        "ci": "yes_no",
        "cloud": "choice",
        "metrics": "boolean",
        "extra": "dict",
    }
    cloud = next(v for v in spec.variables if v.key == "cloud")
    assert (cloud.prompt, dict(cloud.option_labels)) == ("Cloud?", {"aws": "Amazon"})
    assert "__prompts__" not in spec.data
    assert [v.key for v in spec.variables if v.templated] == ["slug"]


def test_a_missing_file_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=f"{tmp_path} has no cookiecutter.json"):
        load_spec(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "must hold a JSON object of variables"),
        ('{"a": [],}', "line 1 column 10: Expecting property name enclosed in double quotes"),
        ('{"a": []}', "the choice list 'a' is empty"),
        ('{"templates": {"x": {"path": "./x"}}}', "describes nested templates"),
        ('{"a": 1, "__prompts__": "?"}', "__prompts__ must be an object"),
    ],
)
def test_broken_files_are_explained_with_their_path(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        load_spec(spec_file(tmp_path, text))
    assert str(tmp_path / "cookiecutter.json") in str(raised.value)
    assert message in str(raised.value)
