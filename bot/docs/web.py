"""The web process's ``/docs`` mount: built TechDocs sites, served by the docs app, or, with
``techdocs.separate_host``, only on the docs host (see integrations/techdocs/docs_host.py)."""

from __future__ import annotations

import logging
import threading

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from bot.runtime import Runtime
from integrations.techdocs import (
    DocsHostSplit,
    create_docs_app,
    docs_host_app,
    redirect_to_docs_host,
    warm_search_index,
)

__all__ = ["docs_middleware", "docs_routes"]

log = logging.getLogger(__name__)


def docs_routes(runtime: Runtime) -> list[BaseRoute]:
    """``/docs/<namespace>/<kind>/<name>/...``; also loads the search index in the background
    so the first ``/greenroom docs search`` does not pay for it."""
    threading.Thread(target=_warm, args=(runtime,), name="docs-search-warmup", daemon=True).start()
    settings = runtime.settings.techdocs
    if settings.separate_docs_host is not None:
        return [Mount("/docs", routes=redirect_to_docs_host(settings))]
    return [Mount("/docs", app=create_docs_app(settings))]


def docs_middleware(runtime: Runtime) -> list[Middleware]:
    """With ``techdocs.separate_host``: the docs host answers with docs and nothing else."""
    settings = runtime.settings.techdocs
    host = settings.separate_docs_host
    if host is None:
        return []
    return [Middleware(DocsHostSplit, host=host, docs=docs_host_app(settings))]


def _warm(runtime: Runtime) -> None:
    try:
        sites = warm_search_index(runtime.catalog, runtime.settings.techdocs)
    except Exception as error:  # the first search loads it instead; never kill the process
        log.warning("could not preload the docs search index: %s", type(error).__name__)
        return
    log.info("docs search index holds %d sites", sites)
