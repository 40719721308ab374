"""The rooms of docs/architecture.md, enforced: every import points down the layers, no package
imports another in a circle, capabilities do not reach into each other, and no module imports
another that (directly or not) imports it back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SLACK = {"slack_bolt", "slack_sdk"}

#: What each package may import of ours (lower layers only). ``bot`` is the shell on top.
MAY_IMPORT: dict[str, set[str]] = {
    "catalog": set(),
    "integrations": {"catalog"},
    "runtime": {"integrations", "catalog"},
    "jobs": {"runtime", "integrations", "catalog"},
    "slackkit": {"runtime", "integrations", "catalog"},
    "commands": {"slackkit", "jobs", "runtime", "integrations", "catalog"},
    "bot": {"commands", "slackkit", "jobs", "runtime", "integrations", "catalog"},
}
OURS = set(MAY_IMPORT)
#: Packages that must not know Slack exists.
NO_SLACK = {"catalog", "integrations", "runtime", "jobs"}


@dataclass(frozen=True)
class Import:
    """One import statement: where it is, what it names, and whether it runs at import time."""

    path: Path
    module: str
    eager: bool


def _module_names() -> dict[str, Path]:
    names = {}
    for package in OURS:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


MODULES = _module_names()


def _imports(path: Path) -> Iterator[Import]:
    """Absolute imports of ``path``; lazy ones (in functions, under TYPE_CHECKING) marked so."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, eager: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                yield from (Import(path, alias.name, eager) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    yield Import(path, full if full in MODULES else child.module, eager)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            ):
                yield from visit(child, False)
            else:
                yield from visit(child, eager)

    yield from visit(tree, True)


def _package_of(path: Path) -> str:
    return path.relative_to(REPO).parts[0]


def _capability_of(path: Path) -> str | None:
    parts = path.relative_to(REPO).parts
    return parts[1] if parts[0] == "commands" and len(parts) > 2 else None


@pytest.mark.parametrize("package", sorted(OURS))
def test_imports_point_down_the_layers(package: str) -> None:
    allowed = MAY_IMPORT[package] | {package}
    wrong = {
        f"{found.path.relative_to(REPO)} imports {found.module}"
        for path in (REPO / package).rglob("*.py")
        for found in _imports(path)
        if found.module.split(".")[0] in OURS and found.module.split(".")[0] not in allowed
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", sorted(NO_SLACK))
def test_domain_and_engine_never_import_slack(package: str) -> None:
    wrong = {
        f"{found.path.relative_to(REPO)} imports {found.module}"
        for path in (REPO / package).rglob("*.py")
        for found in _imports(path)
        if found.module.split(".")[0] in SLACK
    }
    assert not wrong, sorted(wrong)


def test_the_layers_have_no_circle() -> None:
    """The table above is itself one-way: a circle there would let packages import in a loop."""
    seen: list[str] = []

    def visit(package: str, trail: tuple[str, ...]) -> None:
        assert package not in trail, " -> ".join((*trail, package))
        for lower in MAY_IMPORT[package]:
            visit(lower, (*trail, package))
        seen.append(package)

    for package in OURS:
        visit(package, ())


def test_capabilities_do_not_import_each_other() -> None:
    """A capability is changed in its one folder: others reach it only through ``register``."""
    wrong = set()
    for path in (REPO / "commands").rglob("*.py"):
        mine = _capability_of(path)
        for found in _imports(path):
            parts = found.module.split(".")
            if parts[0] == "commands" and len(parts) > 1 and parts[1] != mine:
                wrong.add(f"{path.relative_to(REPO)} imports {found.module}")
    assert not wrong, sorted(wrong)


def test_no_module_imports_itself_in_a_circle() -> None:
    """Modules that import each other at import time (directly or through others)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for found in _imports(path):
            target = found.module
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if found.eager and target and target != name:
                graph[name].add(target)
    circles = _strongly_connected(graph)
    assert not circles, circles


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", sorted(OURS))
def test_package_exports_exist(package: str) -> None:
    module = __import__(package)
    for name in getattr(module, "__all__", []):
        assert hasattr(module, name), f"{package}.__all__ lists {name}, which it lacks"
