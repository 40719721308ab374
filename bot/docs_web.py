"""The web process's ``/docs`` mount: built TechDocs sites, served by the docs app."""

from __future__ import annotations

import threading

from starlette.routing import BaseRoute, Mount

from bot.runtime import Runtime
from integrations.techdocs import create_docs_app, warm_search_index

__all__ = ["docs_routes"]


def docs_routes(runtime: Runtime) -> list[BaseRoute]:
    """``/docs/<namespace>/<kind>/<name>/...``; also loads the search index in the background
    so the first ``/greenroom docs search`` does not pay for it."""
    threading.Thread(
        target=warm_search_index,
        args=(runtime.catalog, runtime.settings.techdocs),
        name="docs-search-warmup",
        daemon=True,
    ).start()
    return [Mount("/docs", app=create_docs_app(runtime.settings.techdocs))]
