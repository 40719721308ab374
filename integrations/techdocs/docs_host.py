"""Docs on a host name of their own (``techdocs.separate_host``): the second wall around
repository scripts, after the sandbox every docs response carries.

A browser keeps cookies, storage and readable responses per origin. When docs are served from
``docs.example.com`` and greenroom from ``greenroom.example.com``, a page on the docs host
shares nothing with the app even in a browser that ignored ``sandbox``. So the web process
answers requests by their ``Host``: the docs host gets the docs and nothing else (no Slack
routes, no OAuth pair, no metrics), and ``/docs/...`` on any other host redirects there.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from integrations.techdocs.server import create_docs_app
from integrations.techdocs.settings import TechDocsSettings

__all__ = ["DocsHostSplit", "docs_host_app", "redirect_to_docs_host"]


class DocsHostSplit:
    """ASGI middleware: requests naming the docs host go to the docs app alone."""

    def __init__(self, app: ASGIApp, *, host: str, docs: ASGIApp) -> None:
        self.app = app
        self.host = host.lower()
        self.docs = docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _hostname(scope) == self.host:
            await self.docs(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def docs_host_app(settings: TechDocsSettings) -> Starlette:
    """What the docs host serves: the sites under ``base_url``'s path, 404 for anything else."""
    assert settings.base_url is not None
    prefix = _path_of(settings.base_url)
    docs = create_docs_app(settings)
    routes: list[BaseRoute] = [Mount(prefix, app=docs)] if prefix else [Mount("", app=docs)]
    return Starlette(routes=routes, exception_handlers={404: _not_here, 405: _not_here})


def redirect_to_docs_host(settings: TechDocsSettings) -> list[BaseRoute]:
    """Routes for ``/docs`` on every other host: a redirect to the same page on the docs host."""
    assert settings.base_url is not None
    base = settings.base_url

    async def moved(request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{base}/{request.path_params['path']}{query}", status_code=307)

    return [Route("/{path:path}", moved, methods=["GET", "HEAD"])]


async def _not_here(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("Not found: this host serves documentation only.", status_code=404)


def _hostname(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"host":
            host = str(value.decode("latin-1")).strip().lower()
            if host.startswith("["):  # [v6]:port
                return host.partition("]")[0] + "]"
            return host.rpartition(":")[0] if ":" in host else host
    return ""


def _path_of(url: str) -> str:
    path = url.split("://", 1)[1].partition("/")[2]
    return f"/{path.strip('/')}" if path.strip("/") else ""
