"""Served sites as a reader sees them: headless Chromium (Debian's ``chromium``) renders the
pages from the real server, and the title, navigation and content are on screen."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .docs_world import Server


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


def test_browser_shows_title_navigation_and_content(world_server: Server, tmp_path: Path) -> None:
    dom = render(world_server.url + "/docs/default/component/payments-api/runbook/", tmp_path)
    assert "<title>Runbook - Payments API</title>" in dom
    assert '<a href=".." class="nav-link">Overview</a>' in dom
    assert 'aria-current="page">Runbook</a>' in dom
    assert '<a href="../guides/refunds/" class="nav-link">Refunds guide</a>' in dom
    assert '<a href="#restarts" class="nav-link">Restarts</a>' in dom  # the page's own headings
    assert "Restart the pods with kubectl rollout restart." in dom


def test_browser_renders_a_techdocs_core_material_site(
    world_server: Server, tmp_path: Path
) -> None:
    dom = render(world_server.url + "/docs/default/component/legacy/", tmp_path)
    assert "The old invoicing system." in dom
    assert 'class="md-header' in dom  # material's layout, from techdocs-core
    assert "Legacy billing" in dom
