"""Before anything is written: every path the template would create, rendered with the
resolved values and checked to stay inside the new project folder."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from cookiecutter.exceptions import NonTemplatedInputDirException
from cookiecutter.find import find_template
from jinja2 import Environment
from jinja2.exceptions import TemplateError as JinjaError

from integrations.templating.errors import TemplateError

__all__ = ["check_paths"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
_JINJA = ("{{", "{%", "{#")


def check_paths(
    template_dir: Path, context: dict[str, Any], env: Environment, output_dir: Path
) -> Path:
    """The project folder the template will create; raises TemplateError when a value
    would put any file outside it (``../``, absolute paths, odd characters)."""
    try:
        project_template = find_template(template_dir, env)
    except NonTemplatedInputDirException:
        raise TemplateError(
            f"{template_dir} has no project folder (one named like {{{{cookiecutter.slug}}}})"
        ) from None
    name = _render(env, project_template.name, context)
    if (
        not name.strip()
        or name in {".", ".."}
        or "/" in name
        or _CONTROL.search(name)
        or any(m in name for m in _JINJA)
    ):
        raise TemplateError(f"the project folder name {name!r} is not a plain folder name")
    root = (output_dir / name).resolve()
    if not root.is_relative_to(output_dir.resolve()):
        raise TemplateError(f"the project folder {name!r} would be outside the output folder")
    for folder, dirs, files in os.walk(project_template):
        for entry in [*dirs, *files]:
            relative = Path(folder, entry).relative_to(project_template).as_posix()
            rendered = _render(env, relative, context)
            path = PurePosixPath(rendered)
            if path.is_absolute() or ".." in path.parts or _CONTROL.search(rendered):
                raise TemplateError(
                    f"the template path {relative!r} becomes {rendered!r}, "
                    "which would leave the new project folder"
                )
            if not (root / rendered).resolve().is_relative_to(root):
                raise TemplateError(f"{rendered!r} would be written outside the new project")
    return root


def _render(env: Environment, text: str, context: dict[str, Any]) -> str:
    try:
        return env.from_string(text).render(**context)
    except JinjaError as error:
        raise TemplateError(f"the path {text!r} cannot be rendered: {error}") from None
