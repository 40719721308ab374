"""The web process's /docs mount, as bot/web.py adds it."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.docs_web import docs_routes
from bot.runtime import open_runtime


def test_docs_routes_serve_under_docs(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("database_url: sqlite:///gr.db\n")
    runtime = open_runtime(config)
    with TestClient(Starlette(routes=docs_routes(runtime))) as client:
        response = client.get("/docs/default/component/svc/")
    assert response.status_code == 404
    assert "No docs have been built for component:svc yet." in response.text
    assert runtime.settings.techdocs.root == tmp_path / ".greenroom" / "techdocs"
