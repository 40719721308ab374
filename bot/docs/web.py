"""The web process's ``/docs`` mount: built TechDocs sites, served by the docs app."""

from __future__ import annotations

import logging
import threading

from starlette.routing import BaseRoute, Mount

from bot.runtime import Runtime
from integrations.techdocs import create_docs_app, warm_search_index

__all__ = ["docs_routes"]

log = logging.getLogger(__name__)


def docs_routes(runtime: Runtime) -> list[BaseRoute]:
    """``/docs/<namespace>/<kind>/<name>/...``; also loads the search index in the background
    so the first ``/greenroom docs search`` does not pay for it."""
    threading.Thread(target=_warm, args=(runtime,), name="docs-search-warmup", daemon=True).start()
    return [Mount("/docs", app=create_docs_app(runtime.settings.techdocs))]


def _warm(runtime: Runtime) -> None:
    try:
        sites = warm_search_index(runtime.catalog, runtime.settings.techdocs)
    except Exception as error:  # the first search loads it instead; never kill the process
        log.warning("could not preload the docs search index: %s", type(error).__name__)
        return
    log.info("docs search index holds %d sites", sites)
