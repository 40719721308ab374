"""Rendering a template off the request path: in a child process (so a hang can be killed),
in a temporary folder, with a time limit, HOME inside that folder (cookiecutter's replay and
cache folders never reach the user's home) and no secrets in its environment. What comes
out is checked again: one project folder, no link leading outside it, sane size."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import integrations
from integrations.errors import ScaffoldFailed
from integrations.scaffolder.discovery import Template

__all__ = ["RenderLimits", "RenderedProject", "render_project"]

_SOURCE_ROOT = Path(integrations.__file__).resolve().parent.parent
_LOG_TAIL = 1500


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """How long a render may take and how much it may write."""

    seconds: float = 120.0
    max_files: int = 5000
    max_bytes: int = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RenderedProject:
    """The rendered project folder and how much it holds."""

    path: Path
    files: int
    bytes: int


def render_project(
    template: Template,
    answers: dict[str, Any],
    *,
    work_dir: Path,
    limits: RenderLimits = RenderLimits(),
) -> RenderedProject:
    """Render ``template`` with ``answers`` under ``work_dir``; ScaffoldFailed says why not."""
    output, home, tmp = work_dir / "out", work_dir / "home", work_dir / "tmp"
    for folder in (output, home, tmp):
        folder.mkdir(parents=True)
    job, result_file, log = work_dir / "job.json", work_dir / "result.json", work_dir / "render.log"
    job.write_text(
        json.dumps(
            {
                "template_dir": str(template.path),
                "answers": answers,
                "output_dir": str(output),
                "trusted": template.trusted,
                "result": str(result_file),
            }
        ),
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(_SOURCE_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
    }
    command = [sys.executable, "-m", "integrations.templating.child", str(job)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=work_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise ScaffoldFailed(
                f"The template {template.id!r} took longer than {limits.seconds:.0f} s "
                "and was stopped; nothing was created."
            ) from None
        finally:
            _kill_group(process)
    tail = _tail(log, work_dir)
    if not result_file.is_file():
        raise ScaffoldFailed(
            f"The template {template.id!r} stopped unexpectedly "
            f"(exit code {process.returncode}). {tail}".strip()
        )
    result = json.loads(result_file.read_text(encoding="utf-8"))
    if not result["ok"]:
        raise ScaffoldFailed(_explain(template, result, tail, work_dir))
    return _checked(Path(result["project_dir"]), output, limits)


def _explain(template: Template, result: dict[str, Any], tail: str, work_dir: Path) -> str:
    error = str(result["error"]).replace(str(work_dir), ".")
    reason = result["reason"]
    if reason == "hook":
        text = f"A hook of the template {template.id!r} failed ({error})."
        return f"{text} Its output: {tail}" if tail else text
    if reason == "undefined":
        return f"The template {template.id!r} uses a variable it does not define: {error}"
    if reason == "sandbox":
        return f"The template {template.id!r} was stopped: {error}"
    if reason == "template":
        return f"The template {template.id!r} could not be rendered: {error}"
    return f"The template {template.id!r} failed: {error}"


def _checked(project: Path, output: Path, limits: RenderLimits) -> RenderedProject:
    root = output.resolve()
    made = list(root.iterdir())
    if len(made) != 1 or made[0] != project.resolve() or not project.is_dir():
        raise ScaffoldFailed("The template did not produce exactly one project folder.")
    files = size = 0
    for folder, dirs, names in os.walk(project):
        for entry in [*dirs, *names]:
            path = Path(folder, entry)
            if path.is_symlink() and not path.resolve().is_relative_to(project.resolve()):
                relative = path.relative_to(project)
                raise ScaffoldFailed(f"The template created {relative}, a link leading outside it.")
        for name in names:
            files += 1
            size += Path(folder, name).lstat().st_size
    if files > limits.max_files or size > limits.max_bytes:
        raise ScaffoldFailed(
            f"The template produced {files} files ({size // 1024} KiB), more than allowed "
            f"({limits.max_files} files, {limits.max_bytes // 1024} KiB)."
        )
    return RenderedProject(project, files, size)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the child and anything its hooks left running."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tail(log: Path, work_dir: Path) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").replace(str(work_dir), ".")
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(lines[-15:])[-_LOG_TAIL:]
