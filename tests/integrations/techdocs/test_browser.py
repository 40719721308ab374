"""Served sites as a reader sees them: headless Chromium (Debian's ``chromium``) renders the
pages from the real server, and the title, navigation and content are on screen."""

from __future__ import annotations

from pathlib import Path

from tests.browser import render

from .docs_world import Server


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
