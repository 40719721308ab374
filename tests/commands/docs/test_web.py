"""The web process's /docs mount, as bot/web.py adds it, served by uvicorn over a socket."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette

from commands.docs.web import docs_routes
from runtime.process import open_runtime
from tests.scenarios.workspace import UvicornThread


def test_docs_routes_serve_under_docs(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("database_url: sqlite:///gr.db\n")
    runtime = open_runtime(config)
    server = UvicornThread(Starlette(routes=docs_routes(runtime)))
    url = server.start()
    try:
        response = httpx.get(f"{url}/docs/default/component/svc/")
    finally:
        server.stop()
    assert response.status_code == 404
    assert "No docs have been built for component:svc yet." in response.text
    assert runtime.settings.techdocs.root == tmp_path / ".greenroom" / "techdocs"
