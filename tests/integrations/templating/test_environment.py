"""The Jinja environment: cookiecutter's own for trusted templates (extensions included),
the sandbox for the others, which may not load code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from integrations.templating import (
    SandboxedCookiecutterEnvironment,
    TemplateError,
    load_spec,
    make_environment,
)


def template(folder: Path, filter_name: str, **context: object) -> Path:
    folder.mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(
        json.dumps({"slug": "x", "_extensions": ["local_extensions.Filters"]} | context)
    )
    (folder / "local_extensions.py").write_text(
        "from jinja2.ext import Extension\n\n\n"
        "class Filters(Extension):\n"
        "    def __init__(self, environment):\n"
        "        super().__init__(environment)\n"
        f"        environment.filters[{filter_name!r}] = str.upper\n"
    )
    return folder


def environment(folder: Path, *, trusted: bool) -> object:
    return make_environment(load_spec(folder).context(), trusted=trusted, template_dir=folder)


def test_each_trusted_template_gets_its_own_local_extensions(tmp_path: Path) -> None:
    first = environment(template(tmp_path / "one", "shout"), trusted=True)
    second = environment(template(tmp_path / "two", "yell"), trusted=True)
    assert "shout" in first.filters and "shout" not in second.filters  # type: ignore[attr-defined]
    assert "yell" in second.filters  # type: ignore[attr-defined]
    assert "local_extensions" not in sys.modules
    assert str(tmp_path / "one") not in sys.path


def test_untrusted_templates_may_not_load_extensions(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="loads Jinja extensions"):
        environment(template(tmp_path / "one", "shout"), trusted=False)
    assert "local_extensions" not in sys.modules


def test_untrusted_templates_keep_cookiecutters_filters_in_the_sandbox(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "cookiecutter.json").write_text(
        json.dumps({"slug": "x", "_jinja2_env_vars": {"lstrip_blocks": True}})
    )
    env = environment(folder, trusted=False)
    assert isinstance(env, SandboxedCookiecutterEnvironment)
    assert env.from_string("{{ 'Harbor Ledger' | slugify }}").render() == "harbor-ledger"


def test_untrusted_templates_may_not_reconfigure_jinja_beyond_syntax(tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "cookiecutter.json").write_text(
        json.dumps({"slug": "x", "_jinja2_env_vars": {"finalize": "os.system", "trim_blocks": 1}})
    )
    with pytest.raises(TemplateError, match="_jinja2_env_vars finalize, trim_blocks are not"):
        environment(folder, trusted=False)
