"""Packages whose modules load on first use, with one list of what they export.

Importing ``integrations.kubernetes.config`` (as the settings do) runs the package's
``__init__`` first; when that ``__init__`` imports the official Kubernetes client, httpx or
matplotlib, every command pays for them (``greenroom --version`` took 1.8 s). A package
instead writes its exports once, as imports under ``if TYPE_CHECKING:`` (what mypy and
readers see), and hands that block to :func:`lazy_exports`, which imports each name from its
module when it is first asked for::

    if TYPE_CHECKING:
        from catalog.sources.directory import DirectorySource as DirectorySource

    __all__, __getattr__ = lazy_exports(__name__, __file__)
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, init_file: str) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` for ``package``, from the ``from package.x
    import ...`` statements inside its ``if TYPE_CHECKING:`` block."""
    modules = _type_checking_imports(package, Path(init_file))

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return sorted(modules), __getattr__


def _type_checking_imports(package: str, init_file: Path) -> dict[str, str]:
    tree = ast.parse(init_file.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and _is_type_checking(node.test)):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith(
                package + "."
            ):
                for alias in statement.names:
                    found[alias.asname or alias.name] = statement.module or ""
    if not found:
        raise ImportError(f"{package}: no `if TYPE_CHECKING:` imports to export lazily")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
