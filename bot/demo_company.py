"""Where ``greenroom demo`` finds the example company (Globex Commerce), from any folder.

In a source checkout that is ``examples/`` itself (``bot/example_company`` links to it), so
``make demo`` and the commands in the README use it in place. Installed from a wheel, the
files ship inside the package, which may not be written to (a container runs as another
user): the demo works on a copy in a folder of the user's own, refreshed from the shipped
files on every run (the database and built sites it keeps there survive).
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path

__all__ = ["BUNDLED", "demo_folder"]

#: The example company as shipped: examples/ in a checkout, package data in a wheel.
BUNDLED = Path(__file__).resolve().parent / "example_company"
_STATE = ".greenroom"


def demo_folder(target: Path | None = None) -> Path:
    """The folder holding the demo's greenroom.yaml: ``target`` (made a fresh copy of the
    example company), else the checkout's examples/ when greenroom runs from source, else
    ``$XDG_DATA_HOME/greenroom/demo`` (``~/.local/share/greenroom/demo``)."""
    if target is None:
        if not _installed(BUNDLED):
            return BUNDLED.resolve()
        data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        target = Path(data_home) / "greenroom" / "demo"
    target = target.resolve()
    if target == BUNDLED.resolve():
        return target
    shutil.copytree(
        BUNDLED, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(_STATE, "__pycache__")
    )
    return target


def _installed(folder: Path) -> bool:
    """Whether ``folder`` lies in the interpreter's library folders (a wheel's files)."""
    real = folder.resolve()
    roots = {Path(sysconfig.get_paths()[name]).resolve() for name in ("purelib", "platlib")}
    return any(real == root or root in real.parents for root in roots)
