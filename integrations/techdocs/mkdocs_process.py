"""Running mkdocs in a child process: isolated interpreter, scrubbed environment, time limit,
and the walls of ``_build_sandbox`` (no network, no file outside the build's folders).

The child sees only ``PATH`` (absolute folders only), ``HOME`` and ``TMPDIR`` (in the private
scratch folder), ``LANG`` and Graphviz's web-server switches, which make ``dot`` load images
only from the staged docs: no database URL, no Slack token. It is killed with its whole
process group when the time is up. What the sandbox refused fails the build, by name.
"""

from __future__ import annotations

import json
import logging
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

log = logging.getLogger(__name__)

_RUNNER = Path(__file__).with_name("_mkdocs_runner.py")
_HINTS = {
    "running the program plantuml": "PlantUML diagrams are not rendered on this server (PlantUML "
    "reads files and URLs named in the diagram); draw it with Graphviz: ```graphviz dot name.svg",
}
_warned_no_namespace: list[bool] = []


@dataclass(frozen=True, slots=True)
class MkdocsResult:
    """A successful build: mkdocs' navigation and pages (paths relative to the site), and
    which network isolation held (``network namespace``, or why there was none)."""

    nav: tuple[dict[str, Any], ...]
    pages: tuple[dict[str, str], ...]
    warnings: tuple[str, ...]
    network: str = ""


def build_environment(scratch: Path, docs: Path) -> dict[str, str]:
    """The whole environment of a build: nothing secret can be inherited, no relative PATH
    entry can pick a program from the repository, and Graphviz reads images only in ``docs``."""
    path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin").split(os.pathsep)
    return {
        "PATH": os.pathsep.join(p for p in path if Path(p).is_absolute()),
        "HOME": str(scratch / "home"),
        "TMPDIR": str(scratch / "tmp"),
        "LANG": os.environ.get("LANG") or "C.UTF-8",
        "SERVER_NAME": "greenroom-techdocs",
        "GV_FILE_PATH": str(docs) + os.sep,
    }


def run_mkdocs(
    config_file: Path,
    site_dir: Path,
    *,
    scratch: Path,
    strict: bool,
    timeout: float,
    docs: Path | None = None,
    network_namespace: bool = True,
) -> MkdocsResult:
    """Build the staged config into ``site_dir``; DocsBuildFailed carries mkdocs' reasons, or
    what the sandbox refused. Graphviz may load images from ``docs`` (default: the staged
    folder). Without ``network_namespace`` only the audit hook keeps the build off the
    network (as on platforms without namespaces)."""
    result_file = scratch / "result.json"
    for folder in ("home", "tmp"):
        (scratch / folder).mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-I",
        str(_RUNNER),
        str(config_file),
        str(site_dir),
        str(result_file),
        "strict" if strict else "lenient",
        "namespace" if network_namespace else "no-namespace",
    ]
    process = subprocess.Popen(
        command,
        cwd=config_file.parent,
        env=build_environment(scratch, docs or config_file.parent),
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
    _note_isolation(str(data.get("network") or ""), requested=network_namespace)
    if data.get("refused"):
        raise DocsBuildFailed(_refusal_message(data["refused"]))
    records = data.get("log") or []
    if not data.get("ok"):
        raise DocsBuildFailed(describe_failure(records, data.get("abort")))
    warnings = tuple(friendly_message(r.get("message", "")) for r in records)
    return MkdocsResult(
        tuple(data.get("nav") or ()),
        tuple(data.get("pages") or ()),
        warnings,
        network=str(data.get("network") or ""),
    )


def _refusal_message(refused: list[str]) -> str:
    hints = [hint for key, hint in _HINTS.items() if any(r.startswith(key) for r in refused)]
    return (
        f"the build tried {'; '.join(refused)}, which TechDocs builds may not do: they read "
        "only the repository's docs, write only the site, run no program but Graphviz and "
        "never use the network" + "".join(f". {h}" for h in hints)
    )


def _note_isolation(network: str, *, requested: bool) -> None:
    """Say once per process when builds run without their own network namespace."""
    if requested and network.startswith("unavailable") and not _warned_no_namespace:
        _warned_no_namespace.append(True)
        log.warning(
            "TechDocs builds run without a network namespace (%s); the in-process check alone "
            "keeps them off the network",
            network,
        )
