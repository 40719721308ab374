"""Running mkdocs in a child process: isolated interpreter, scrubbed environment, time limit.

The child sees only ``PATH``, ``HOME`` (a private scratch folder) and ``LANG``: no database
URL, no Slack token. It is killed with its whole process group when the time is up.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrations.errors import DocsBuildFailed
from integrations.techdocs.diagnostics import describe_failure, friendly_message

__all__ = ["MkdocsResult", "build_environment", "run_mkdocs"]

_RUNNER = Path(__file__).with_name("_mkdocs_runner.py")


@dataclass(frozen=True, slots=True)
class MkdocsResult:
    """A successful build: mkdocs' navigation and pages (paths relative to the site)."""

    nav: tuple[dict[str, Any], ...]
    pages: tuple[dict[str, str], ...]
    warnings: tuple[str, ...]


def build_environment(home: Path) -> dict[str, str]:
    """The whole environment of a build: nothing secret can be inherited."""
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": os.environ.get("LANG") or "C.UTF-8",
    }


def run_mkdocs(
    config_file: Path, site_dir: Path, *, scratch: Path, strict: bool, timeout: float
) -> MkdocsResult:
    """Build the staged config into ``site_dir``; DocsBuildFailed carries mkdocs' reasons."""
    result_file = scratch / "result.json"
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-I",
        str(_RUNNER),
        str(config_file),
        str(site_dir),
        str(result_file),
        "strict" if strict else "lenient",
    ]
    process = subprocess.Popen(
        command,
        cwd=config_file.parent,
        env=build_environment(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DocsBuildFailed(f"the build took longer than {timeout:g} s and was stopped") from None
    if not result_file.is_file():
        tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise DocsBuildFailed(f"the build process crashed (exit {process.returncode}): {tail[0]}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    records = data.get("log") or []
    if not data.get("ok"):
        raise DocsBuildFailed(describe_failure(records, data.get("abort")))
    warnings = tuple(friendly_message(r.get("message", "")) for r in records)
    return MkdocsResult(tuple(data.get("nav") or ()), tuple(data.get("pages") or ()), warnings)
