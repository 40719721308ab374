"""A failing hook is told in the hook's own words (its last lines, its exit status; for a
Python hook the exception's message), never with cookiecutter's traceback and the server's
paths: on the command line, in ``greenroom scaffold runs``, and (tests/scenarios/
test_scaffold_failures.py) in the modal, the direct message and ``/greenroom admin
scaffolds``. The traceback goes to the server log."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from integrations.errors import ScaffoldFailed
from integrations.scaffolder import TemplateDirSettings, discover_templates, render_project
from tests.integrations.scaffolder.scaffold_company import ADA, COMPANY, FIXTURES

TRUSTED = FIXTURES / "templates" / "trusted"
SAID = {
    "hook-fails": "A hook of the template 'hook-fails' failed (exit status 3): "
    "database quota exceeded for team payments",
    "hook-raises": "A hook of the template 'hook-raises' failed (exit status 1): "
    "RuntimeError: the payments database is read-only until Monday",
}
Greenroom = Callable[..., Result]


def assert_no_traceback(text: str) -> None:
    for leak in ("Traceback", "site-packages", 'File "', "cookiecutter.exceptions", "hooks.py"):
        assert leak not in text


@pytest.fixture
def greenroom(tmp_path: Path, sqlite_template: Path) -> Greenroom:
    """The CLI on its own config (the fixture company, the trusted fixture templates)."""
    database = tmp_path / "greenroom.db"
    shutil.copy(sqlite_template, database)
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        f"""
data_dir: data
catalog:
  sources:
    - {{name: company, type: directory, path: "{COMPANY}", rules: [{{allow: [User, Group]}}]}}
scaffolder:
  template_dirs: [{{path: "{TRUSTED}", trusted: true}}]
  shipped_templates: false
"""
    )

    def invoke(*args: str) -> Result:
        arguments = ["--config", str(config), "--database-url", f"sqlite:///{database}", *args]
        return CliRunner().invoke(main, arguments)

    assert invoke("sync").exit_code == 0
    return invoke


@pytest.mark.parametrize("template", sorted(SAID))
def test_a_failing_hook_is_told_in_its_own_words_on_the_command_line(
    greenroom: Greenroom, template: str
) -> None:
    run = greenroom(
        "scaffold", template, "--set", "name=ledger", "--set", "description=Books.", "--as", ADA
    )
    assert run.exit_code == 1
    assert_no_traceback(run.output)
    assert f"ScaffoldFailed: {SAID[template]}" in " ".join(run.output.split())

    listed = greenroom("scaffold", "runs")
    assert_no_traceback(listed.output)
    runs = json.loads(greenroom("scaffold", "runs", "--json").output)
    assert [(r["status"], r["error"]) for r in runs] == [("failed", SAID[template])]


@pytest.mark.parametrize("template", sorted(SAID))
def test_the_traceback_of_a_failing_hook_goes_to_the_server_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, template: str
) -> None:
    index = discover_templates(
        [TemplateDirSettings(path=TRUSTED, trusted=True)], base_dir=tmp_path, shipped=False
    )
    with caplog.at_level(logging.INFO), pytest.raises(ScaffoldFailed) as raised:
        render_project(index.get(template), {"project_slug": "ledger"}, work_dir=tmp_path / "w")
    assert raised.value.user_message == SAID[template]
    assert "Traceback (most recent call last)" in caplog.text
    assert "FailedHookException" in caplog.text


def test_a_hook_that_prints_no_reason_is_told_by_its_exit_status(tmp_path: Path) -> None:
    template = tmp_path / "templates" / "quiet"
    (template / "hooks").mkdir(parents=True)
    (template / "{{cookiecutter.project_slug}}").mkdir()
    (template / "cookiecutter.json").write_text('{"project_slug": "x"}')
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text("x\n")
    (template / "hooks" / "pre_gen_project.py").write_text("import sys\nsys.exit(7)\n")
    index = discover_templates(
        [TemplateDirSettings(path=tmp_path / "templates", trusted=True)],
        base_dir=tmp_path,
        shipped=False,
    )
    with pytest.raises(ScaffoldFailed) as raised:
        render_project(index.get("quiet"), {"project_slug": "ledger"}, work_dir=tmp_path / "w")
    assert raised.value.user_message == "A hook of the template 'quiet' failed (exit status 7)."
