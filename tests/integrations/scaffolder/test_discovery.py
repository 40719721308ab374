"""Which templates exist: configured folders (trusted or not) before the shipped ones, broken
ones reported rather than offered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from integrations.errors import ScaffoldFailed, TemplateInvalid
from integrations.scaffolder import SHIPPED_TEMPLATES, TemplateDirSettings, discover_templates
from tests.integrations.scaffolder.scaffold_company import FIXTURES


def template(folder: Path, **context: object) -> Path:
    folder.mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(json.dumps({"project_slug": "x"} | context))
    return folder


def test_the_shipped_templates_carry_titles_icons_and_variable_mappings() -> None:
    index = discover_templates([], base_dir=Path.cwd())
    by_id = {t.id: t for t in index.templates}
    assert set(by_id) == {"airflow-dag", "data-job", "python-library", "python-service"}
    service = by_id["python-service"]
    assert (service.title, service.icon, service.trusted) == ("Python HTTP service", "🐍", True)
    assert service.metadata.variables is not None
    assert service.metadata.variables.owner == "owner"
    assert service.path == SHIPPED_TEMPLATES / "python-service"
    assert index.problems == ()


def test_a_company_template_replaces_a_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    template(tmp_path / "company" / "python-service")
    index = discover_templates(
        [TemplateDirSettings(path=Path("company"), trusted=False)], base_dir=tmp_path
    )
    chosen = index.get("python-service")
    assert chosen.path == (tmp_path / "company" / "python-service").resolve()
    assert not chosen.trusted
    assert chosen.title == "Python service"


def test_a_configured_folder_may_itself_be_one_template(tmp_path: Path) -> None:
    template(tmp_path / "single")
    index = discover_templates(
        [TemplateDirSettings(path=tmp_path / "single", trusted=True)],
        base_dir=tmp_path,
        shipped=False,
    )
    assert [(t.id, t.trusted) for t in index.templates] == [("single", True)]


def test_broken_metadata_bad_folder_names_and_missing_folders_are_reported(
    tmp_path: Path,
) -> None:
    template(tmp_path / "dirs" / "Bad Name")
    index = discover_templates(
        [
            TemplateDirSettings(path=FIXTURES / "templates" / "untrusted"),
            TemplateDirSettings(path=Path("dirs")),
            TemplateDirSettings(path=Path("nowhere")),
        ],
        base_dir=tmp_path,
        shipped=False,
    )
    problems = "\n".join(index.problems)
    assert (
        "bad-metadata/greenroom-template.yaml: colour: Extra inputs are not permitted" in problems
    )
    assert "Bad Name: the folder name must be lowercase letters, digits, -" in problems
    assert f"template folder {tmp_path / 'nowhere'} does not exist" in problems
    assert "loads Jinja extensions (local_extensions.ShoutExtension), which only run for " in (
        problems
    )
    assert not {"bad-metadata", "extended-untrusted"} & {t.id for t in index.templates}


def test_asking_for_a_broken_template_says_what_is_wrong(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "cookiecutter.json").write_text('{"a": 1,}')
    index = discover_templates([TemplateDirSettings(path=folder)], base_dir=tmp_path)
    assert "broken" not in {t.id for t in index.templates}
    with pytest.raises(TemplateInvalid) as raised:
        index.get("broken")
    assert raised.value.user_message.startswith(
        f"The template 'broken' cannot be used: {folder / 'cookiecutter.json'} is not valid JSON"
    )


def test_asking_for_an_unknown_template_names_the_known_ones() -> None:
    index = discover_templates([], base_dir=Path.cwd())
    with pytest.raises(ScaffoldFailed) as raised:
        index.get("rust-service")
    assert raised.value.user_message == (
        "No template named 'rust-service' (known: airflow-dag, data-job, python-library, "
        "python-service)."
    )
