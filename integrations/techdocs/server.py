"""Serving built sites: a Starlette app for ``/docs/<namespace>/<kind>/<name>/<path>``.

Mount it in the web process with ``Mount("/docs", app=create_docs_app(settings.techdocs))``.
Requests never leave the entity's site folder: ``..``, dot-files, backslashes, empty segments
and symlinks are refused (Starlette has already percent-decoded the path, so ``%2e%2e`` arrives
as ``..``). HTML revalidates on every view (a rebuild shows at once); assets are cached for an
hour; ETag / Last-Modified answer conditional requests with 304.

Pages hold a repository's own HTML and scripts, so every response (304s and 404s included)
carries ``Content-Security-Policy: sandbox`` without ``allow-same-origin``: the browser runs a
page's scripts in an opaque origin of their own, which can read no cookie, no storage and no
response of greenroom's routes (``/metrics``, the OAuth pair), nor of other sites' pages.
"""

from __future__ import annotations

import mimetypes
import re
from email.utils import parsedate_to_datetime
from html import escape
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from catalog import EntityRef
from integrations.techdocs.settings import TechDocsSettings
from integrations.techdocs.storage import SiteStorage

__all__ = ["create_docs_app"]

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".xml": "application/xml",
    ".gz": "application/gzip",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
_REVALIDATE = {"text/html", "application/json", "application/xml"}
_FONTS = {"font/woff", "font/woff2", "font/ttf", "font/otf", "application/vnd.ms-fontobject"}
#: Scripts, forms, links that open a tab, downloads; never ``allow-same-origin``.
_SANDBOX = (
    "sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads"
)
_SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        f"{_SANDBOX}; default-src 'self'; img-src 'self' data: https:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'self'"
    ),
}


def create_docs_app(settings: TechDocsSettings) -> Starlette:
    """The docs sub-application over the sites in ``settings.root``."""
    storage = SiteStorage(settings.root)

    async def site_root(request: Request) -> Response:
        return _redirect(str(request.url.path) + "/")

    async def page(request: Request) -> Response:
        params = request.path_params
        parts = (params["namespace"], params["kind"], params["name"])
        if not all(_SEGMENT.match(p) for p in parts):
            return _not_found(None)
        ref = EntityRef.of(parts[1], parts[0], parts[2])
        site = storage.live(ref)
        if site is None:
            return _not_found(None, f"No docs have been built for {ref.short} yet.")
        rest = params["path"]
        target = _resolve(site, rest)
        if target is None:
            return _not_found(site)
        if target.is_dir():
            if rest and not rest.endswith("/"):
                return _redirect(str(request.url.path) + "/")
            target = target / "index.html"
            if not target.is_file():
                return _not_found(site)
        return _file(request, target)

    routes = [
        Route("/{namespace}/{kind}/{name}", site_root, methods=["GET", "HEAD"]),
        Route("/{namespace}/{kind}/{name}/{path:path}", page, methods=["GET", "HEAD"]),
    ]
    return Starlette(routes=routes, exception_handlers={404: _no_route})


async def _no_route(request: Request, exc: Exception) -> Response:
    return _not_found(None)


def _resolve(site: Path, rest: str) -> Path | None:
    segments = rest.split("/")
    if segments and segments[-1] == "":
        segments.pop()
    path = site
    for segment in segments:
        if not segment or segment.startswith(".") or "\\" in segment or "\x00" in segment:
            return None
        path = path / segment
        if path.is_symlink():
            return None
    if not path.exists() or not path.resolve().is_relative_to(site):
        return None
    return path


def _media_type(path: Path) -> str:
    return (
        _TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or ("application/octet-stream")
    )


def _file(request: Request, path: Path, status_code: int = 200) -> Response:
    media_type = _media_type(path)
    cache = "no-cache" if media_type in _REVALIDATE else "public, max-age=3600"
    headers = {"cache-control": cache, **_SECURITY_HEADERS}
    if media_type in _FONTS:
        # Browsers fetch fonts with CORS, and a sandboxed page has no origin: without this the
        # themes' icon fonts would not load. Fonts carry no one's data.
        headers["access-control-allow-origin"] = "*"
    response = FileResponse(
        path, status_code, headers, media_type=media_type, stat_result=path.stat()
    )
    if status_code == 200 and _not_modified(request, response):
        # A 304 refreshes the stored headers: it must carry the sandbox as well.
        keep = {k: response.headers[k] for k in ("etag", "last-modified", "cache-control")}
        return Response(status_code=304, headers={**keep, **_SECURITY_HEADERS})
    return response


def _redirect(location: str) -> Response:
    return RedirectResponse(location, status_code=301, headers=_SECURITY_HEADERS)


def _not_modified(request: Request, response: Response) -> bool:
    etag = response.headers["etag"]
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            modified = parsedate_to_datetime(response.headers["last-modified"])
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def _not_found(site: Path | None, message: str = "This page does not exist.") -> Response:
    page = site / "404.html" if site is not None else None
    if page is not None and page.is_file() and not page.is_symlink():
        return FileResponse(
            page, 404, {"cache-control": "no-cache", **_SECURITY_HEADERS}, media_type="text/html"
        )
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Not found</title></head>"
        f"<body><h1>404: not found</h1><p>{escape(message)}</p></body></html>"
    )
    return HTMLResponse(body, 404, {"cache-control": "no-cache", **_SECURITY_HEADERS})
