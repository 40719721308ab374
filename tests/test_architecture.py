"""The arrows of DESIGN.md: catalog imports nothing of ours and no Slack; integrations import
only catalog; nothing but bot imports commands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = {"bot", "commands", "catalog", "integrations", "jobs"}
SLACK = {"slack_bolt", "slack_sdk"}
FORBIDDEN = {
    "catalog": OURS - {"catalog"} | SLACK,
    "integrations": {"bot", "commands", "jobs"} | SLACK,
    "jobs": {"commands"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_down_the_arrows(package: str) -> None:
    wrong = {
        f"{path.relative_to(REPO)} imports {name}"
        for path in (REPO / package).rglob("*.py")
        for name in _imports(path) & FORBIDDEN[package]
    }
    assert not wrong, sorted(wrong)


def test_only_bot_imports_commands() -> None:
    wrong = {
        str(path.relative_to(REPO))
        for package in OURS - {"bot", "commands"}
        for path in (REPO / package).rglob("*.py")
        if "commands" in _imports(path)
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", sorted(OURS))
def test_package_exports_exist(package: str) -> None:
    module = __import__(package)
    for name in getattr(module, "__all__", []):
        assert hasattr(module, name), f"{package}.__all__ lists {name}, which it lacks"
