"""Python processes that greenroom starts import greenroom from where it is installed, never
from the current folder.

An interpreter started with ``-c`` (multiprocessing's forkserver and spawn children) puts the
current folder first on ``sys.path``, and Python 3.11's forkserver ignores the parent's path.
Run from a folder holding a ``catalog/`` directory (``cd examples && greenroom worker``), every
job process imported that folder instead of greenroom's ``catalog`` package and died. Safe
path mode (``PYTHONSAFEPATH``, ``-P``) leaves the current folder out; the folders this process
imports from are handed on in ``PYTHONPATH``, so a child imports what its parent imports.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from pathlib import Path

__all__ = ["child_import_path", "isolate_child_imports"]


def isolate_child_imports() -> None:
    """From now on, Python interpreters this process starts import as it does, and never from
    their current folder (process-wide: it sets two environment variables; idempotent)."""
    os.environ["PYTHONSAFEPATH"] = "1"
    folders = child_import_path()
    if folders:
        os.environ["PYTHONPATH"] = os.pathsep.join(folders)
    else:
        os.environ.pop("PYTHONPATH", None)


def child_import_path() -> list[str]:
    """The folders on ``sys.path`` that a fresh interpreter would not have by itself (a source
    checkout, ``PYTHONPATH``), in order: the current folder (``''``), relative entries and the
    interpreter's own library folders (which must stay behind the standard library) are left
    out."""
    own = _installation_folders()
    folders: list[str] = []
    for entry in sys.path:
        if not entry or not Path(entry).is_absolute() or not Path(entry).is_dir():
            continue
        path = Path(entry).resolve()
        if path in own or any(parent in own for parent in path.parents):
            continue
        if entry not in folders:
            folders.append(entry)
    return folders


def _installation_folders() -> set[Path]:
    names = ("stdlib", "platstdlib", "purelib", "platlib", "scripts")
    bases = [{}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}]
    folders = {Path(sysconfig.get_paths(vars=v)[n]) for v in bases for n in names}
    folders.update(Path(p) for p in site.getsitepackages())
    folders.add(Path(site.getusersitepackages()))
    return {folder.resolve() for folder in folders}
