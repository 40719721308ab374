"""Rendering in a child process: failures explained, a time limit that kills hooks, code that
runs only for trusted folders, values that stay data, and paths that stay inside."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from integrations.errors import ScaffoldFailed
from integrations.scaffolder import (
    RenderLimits,
    Template,
    TemplateDirSettings,
    discover_templates,
    render_project,
)
from tests.integrations.scaffolder.scaffold_company import FIXTURES

INDEX = discover_templates(
    [
        TemplateDirSettings(path=FIXTURES / "templates" / "trusted", trusted=True),
        TemplateDirSettings(path=FIXTURES / "templates" / "untrusted", trusted=False),
    ],
    base_dir=FIXTURES,
)


def stops_running(pid: int, within: float = 5.0) -> bool:
    """Whether the process is gone (or a zombie waiting for init) within a few seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in {"Z", "X"}:
            return True
        time.sleep(0.05)
    return False


def template(template_id: str) -> Template:
    return INDEX.get(template_id)


def render(tmp_path: Path, template_id: str, seconds: float = 60, **answers: object) -> Path:
    work = tmp_path / "work"
    project = render_project(
        template(template_id),
        {"project_slug": "ledger"} | answers,
        work_dir=work,
        limits=RenderLimits(seconds=seconds),
    )
    return project.path


def test_a_failing_hook_is_explained_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldFailed) as raised:
        render(tmp_path, "hook-fails")
    assert raised.value.user_message == (
        "A hook of the template 'hook-fails' failed (exit status 3): "
        "database quota exceeded for team payments"
    )
    assert not any((tmp_path / "work" / "out").iterdir())


def test_an_undefined_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldFailed) as raised:
        render(tmp_path, "undefined-var")
    assert raised.value.user_message == (
        "The template 'undefined-var' uses a variable it does not define: "
        "Unable to create file 'OWNERS': 'dict object' has no attribute 'team_owner'"
    )


def test_a_hanging_hook_is_stopped_at_the_time_limit_with_everything_it_started(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "sleeper.pid"
    with pytest.raises(ScaffoldFailed) as raised:
        render(tmp_path, "slow-hook", seconds=3, pid_file=str(pid_file))
    assert raised.value.user_message == (
        "The template 'slow-hook' took longer than 3 s and was stopped; nothing was created."
    )
    assert stops_running(int(pid_file.read_text()))


def test_hooks_of_trusted_templates_run_without_secrets_and_with_a_home_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENROOM_GIT_TOKEN", "s3cret-token")
    marker = tmp_path / "hook.json"
    project = render(tmp_path, "hooked", marker=str(marker))
    seen = json.loads(marker.read_text())
    assert seen["home"] == str(tmp_path / "work" / "home")
    assert seen["cwd"] == str(project)
    assert "GREENROOM_GIT_TOKEN" not in seen["env"]
    assert not (Path.home() / ".cookiecutter_replay" / "hooked.json").exists()


def test_hooks_of_untrusted_templates_do_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "hook.json"
    project = render(tmp_path, "hooked-untrusted", marker=str(marker))
    assert (project / "README.md").is_file()
    assert not marker.exists()


def test_extensions_load_for_trusted_templates_only(tmp_path: Path) -> None:
    project = render(tmp_path / "trusted", "extended")
    assert (project / "README.md").read_text() == "# LEDGER!\n"
    # discovery already refuses such a folder; the render process refuses it again
    untrusted = replace(template("extended"), trusted=False)
    with pytest.raises(ScaffoldFailed) as raised:
        render_project(untrusted, {}, work_dir=tmp_path / "untrusted")
    assert "loads Jinja extensions (_extensions), which are Python code" in (
        raised.value.user_message
    )
    assert not any((tmp_path / "untrusted" / "out").iterdir())


def test_untrusted_templates_render_in_the_sandbox(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldFailed) as raised:
        render(tmp_path, "sandbox-escape")
    assert raised.value.user_message.startswith(
        "The template 'sandbox-escape' was stopped: unsafe template code: access to attribute "
    )


def test_values_are_data_never_template_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attack = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    project = render(tmp_path, "plain", description=f"{{{{ 7 * 7 }}}} {attack}")
    assert (project / "README.md").read_text() == f"# ledger\n\n{{{{ 7 * 7 }}}} {attack}\n"
    assert not marker.exists()


@pytest.mark.parametrize("folder", ["../../../etc", "/etc", "docs/../../.."])
def test_a_value_that_would_write_outside_the_project_is_refused(
    tmp_path: Path, folder: str
) -> None:
    with pytest.raises(ScaffoldFailed) as raised:
        render(tmp_path, "escape", folder=folder)
    assert "which would leave the new project folder" in raised.value.user_message
    assert not any((tmp_path / "work" / "out").iterdir())
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("slug", ["..", "../ledger", "{{ 7 * 7 }}", "a/b"])
def test_a_project_folder_name_must_be_a_plain_name(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ScaffoldFailed, match="is not a plain folder name"):
        render(tmp_path, "plain", project_slug=slug)
