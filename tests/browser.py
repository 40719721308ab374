"""Headless Chromium (Debian's ``chromium``) for tests that need a real browser: it loads a
page, runs its scripts and hands back the DOM."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["chromium", "render"]


def chromium() -> str:
    """The browser, or a visible skip (a failure with CI=true: setup_system.py installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (tests/setup_system.py installs it as root)")
    pytest.skip("chromium is not installed; run tests/setup_system.py as root to install it")


def render(url: str, profile: Path) -> str:
    """The DOM after Chromium loaded ``url`` and ran its scripts."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
