"""Rendering a template off the request path: in a child process (so a hang can be killed),
in a temporary folder, with a time limit, HOME inside that folder (cookiecutter's replay and
cache folders never reach the user's home) and no secrets in its environment.

The child renders a staged copy of the template (its own files and folders only, see
``integrations/templating/staging.py``), and what comes out is checked again before anything
is published: one project folder, nothing but files, folders and links staying inside it,
sane size. A hook's failure is told in the hook's own words (the last lines it wrote, a
Python hook's exception message); tracebacks and cookiecutter's own logging go to the server
log only, never to the person running the template.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import integrations
from integrations.errors import ScaffoldFailed, TemplateInvalid
from integrations.scaffolder.discovery import Template
from integrations.templating import TemplateError, check_output, stage_template

__all__ = ["RenderLimits", "RenderedProject", "render_project"]

_SOURCE_ROOT = Path(integrations.__file__).resolve().parent.parent
_SHOWN_LINES = 5
_READ_BYTES = 64 * 1024
_SHOWN_CHARS = 600
_TRACEBACK_STARTS = ("Traceback (most recent call last):", "+ Exception Group Traceback")
_CHAINING = frozenset(
    {
        "During handling of the above exception, another exception occurred:",
        "The above exception was the direct cause of the following exception:",
    }
)
_FRAME = re.compile(r'^\s+File "')
_EXIT_STATUS = re.compile(r"exit status: (-?\d+)")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """How long a render may take and how much it (and the template) may hold."""

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
    files = _ChildFiles(work_dir)
    staged = files.staged
    try:
        stage_template(
            template.path,
            staged,
            hard_links=template.trusted,
            max_files=limits.max_files,
            max_bytes=limits.max_bytes,
        )
    except TemplateError as error:
        raise TemplateInvalid(
            f"The template {template.id!r} cannot be used: {error}. Nothing was created."
        ) from None
    files.job.write_text(
        json.dumps(
            {
                "template_dir": str(staged),
                "answers": answers,
                "output_dir": str(output),
                "trusted": template.trusted,
                "result": str(files.result),
                "log": str(files.diagnostics),
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
    command = [sys.executable, "-m", "integrations.templating.child", str(files.job)]
    with files.stdout.open("wb") as stdout, files.stderr.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=work_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
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
            files.log_diagnostics(template)
    if not files.result.is_file():
        files.log_output(template)
        said = files.said()
        raise ScaffoldFailed(
            f"The template {template.id!r} stopped unexpectedly "
            f"(exit code {process.returncode}){f': {said}' if said else '.'}"
        )
    result = json.loads(files.result.read_text(encoding="utf-8"))
    if not result["ok"]:
        files.log_output(template)
        raise ScaffoldFailed(_explain(template, result, files))
    return _checked(template, Path(result["project_dir"]), output, limits)


class _ChildFiles:
    """The render child's job, result, and what it and the template's hooks wrote."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.staged = work_dir / "template"
        self.job = work_dir / "job.json"
        self.result = work_dir / "result.json"
        self.stdout = work_dir / "render.out"
        self.stderr = work_dir / "render.err"
        self.diagnostics = work_dir / "render.log"

    def said(self) -> str:
        """The last meaningful lines the hooks wrote: their errors, else their output."""
        return _meaningful(self._read(self.stderr)) or _meaningful(self._read(self.stdout))

    def log_diagnostics(self, template: Template) -> None:
        """Tracebacks and cookiecutter's warnings: for the server log, not for users."""
        text = self._read(self.diagnostics).strip()
        if text:
            logger.warning("rendering template %s logged:\n%s", template.id, text)

    def log_output(self, template: Template) -> None:
        """Everything the child and the hooks wrote, when a render failed."""
        for path in (self.stderr, self.stdout):
            text = self._read(path).strip()
            if text:
                logger.info("rendering template %s, %s:\n%s", template.id, path.name, text)

    def _read(self, path: Path) -> str:
        """The end of the file (a hook may write gigabytes; the last lines say why it failed)."""
        try:
            with path.open("rb") as file:
                file.seek(max(0, path.stat().st_size - _READ_BYTES))
                data = file.read(_READ_BYTES)
        except FileNotFoundError:
            return ""
        return data.decode("utf-8", errors="replace").replace(str(self.work_dir), ".")


def _meaningful(text: str) -> str:
    """The last lines of a hook's output without Python tracebacks, so people see the hook's
    own message and no server paths: of an exception (and the ones it was chained from),
    only the last exception's line stays."""
    kept: list[str] = []
    in_traceback = False
    traceback_start = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(_TRACEBACK_STARTS):
            in_traceback = True
            continue
        if stripped in _CHAINING:
            del kept[traceback_start:]
            continue
        if in_traceback and (not stripped or line[:1] in {" ", "\t"}):
            continue
        if in_traceback:
            traceback_start = len(kept)
        in_traceback = False
        if stripped and not _FRAME.match(line):
            kept.append(stripped[:300])
    return "\n".join(kept[-_SHOWN_LINES:])[-_SHOWN_CHARS:]


def _explain(template: Template, result: dict[str, Any], files: _ChildFiles) -> str:
    # Paths in the staged copy are told relative to the template.
    error = str(result["error"]).replace(f"{files.staged}{os.sep}", "")
    error = error.replace(str(files.work_dir), ".")
    reason = result["reason"]
    if reason == "hook":
        status = _EXIT_STATUS.search(error)
        how = f"exit status {status.group(1)}" if status else error.rstrip(".")
        said = files.said()
        text = f"A hook of the template {template.id!r} failed ({how})"
        return f"{text}: {said}" if said else f"{text}."
    if reason == "undefined":
        return f"The template {template.id!r} uses a variable it does not define: {error}"
    if reason == "sandbox":
        return f"The template {template.id!r} was stopped: {error}"
    if reason == "template":
        return f"The template {template.id!r} could not be rendered: {error}"
    return f"The template {template.id!r} failed: {error}"


def _checked(
    template: Template, project: Path, output: Path, limits: RenderLimits
) -> RenderedProject:
    root = output.resolve()
    made = list(root.iterdir())
    if len(made) != 1 or made[0] != project.resolve() or not project.is_dir():
        raise ScaffoldFailed("The template did not produce exactly one project folder.")
    try:
        size = check_output(project)
    except TemplateError as error:
        raise ScaffoldFailed(
            f"The template {template.id!r} produced something that may not be published: "
            f"{error}. Nothing was created."
        ) from None
    if size.files > limits.max_files or size.bytes > limits.max_bytes:
        raise ScaffoldFailed(
            f"The template produced {size.files} files ({size.bytes // 1024} KiB), more than "
            f"allowed ({limits.max_files} files, {limits.max_bytes // 1024} KiB)."
        )
    return RenderedProject(project, size.files, size.bytes)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the child and anything its hooks left running."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
