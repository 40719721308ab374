"""Lazy packages: a name loads its module on first use, and only then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog.lazy import lazy_exports


def test_reading_a_packages_settings_does_not_load_its_heavy_modules() -> None:
    probe = (
        "import sys, integrations.delivery.config, integrations.kubernetes.config;"
        "print(sorted(m for m in ('httpx', 'kubernetes') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_a_name_loads_its_module_when_first_asked_for() -> None:
    import integrations.kubernetes as package

    assert package.check_health.__module__ == "integrations.kubernetes.health"
    assert "check_health" in package.__all__
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = package.nothing_here


def test_a_package_without_type_checking_imports_is_refused(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text("from pkg.mod import name\n")
    with pytest.raises(ImportError, match="no `if TYPE_CHECKING:` imports"):
        lazy_exports("pkg", str(init))
