"""The docs app over HTTP from a real uvicorn: pages, content types, caching, traversal."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import httpx
import pytest

from catalog import parse_ref
from integrations.techdocs.storage import SiteStorage

from .docs_world import Server, World

SITE = "/docs/default/component/payments-api/"


def raw_get(server: Server, path: str) -> tuple[int, bytes]:
    """GET with the path sent byte for byte (httpx would normalise ``..`` away)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_site_home_is_html_with_the_page_content(world_server: Server) -> None:
    response = httpx.get(world_server.url + SITE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "The payments API authorises card payments." in response.text
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_assets_and_search_index_get_their_content_types(world_server: Server) -> None:
    page = httpx.get(world_server.url + SITE + "runbook/")
    assert "Restart the pods" in page.text
    index = httpx.get(world_server.url + SITE + "search/search_index.json")
    assert index.headers["content-type"] == "application/json"
    assert any(d["location"] == "runbook/#restarts" for d in index.json()["docs"])
    css_path = next(p for p in page.text.split('"') if p.endswith(".css"))
    css = httpx.get(world_server.url + SITE + "runbook/" + css_path)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["cache-control"] == "public, max-age=3600"


def test_site_without_trailing_slash_redirects_to_the_directory(world_server: Server) -> None:
    for path in ("/docs/default/component/payments-api", SITE + "runbook"):
        response = httpx.get(world_server.url + path)
        assert response.status_code == 301
        assert response.headers["location"].endswith(path + "/")


def test_etag_and_last_modified_answer_304(world_server: Server) -> None:
    first = httpx.get(world_server.url + SITE)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = httpx.get(world_server.url + SITE, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = httpx.get(world_server.url + SITE, headers={"if-modified-since": modified})
    assert since.status_code == 304
    other = httpx.get(world_server.url + SITE, headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200


def test_head_gives_headers_without_a_body(world_server: Server) -> None:
    response = httpx.head(world_server.url + SITE)
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_missing_page_gets_the_sites_404_page(world_server: Server) -> None:
    response = httpx.get(world_server.url + SITE + "no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "404" in response.text


def test_entity_without_a_site_says_no_docs_yet(world_server: Server) -> None:
    response = httpx.get(world_server.url + "/docs/default/component/no-docs/")
    assert response.status_code == 404
    assert "No docs have been built for component:no-docs yet." in response.text


@pytest.mark.parametrize(
    "path",
    [
        SITE + "../../../../../../etc/passwd",
        SITE + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        SITE + "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        SITE + "%2fetc%2fpasswd",
        SITE + "/etc/passwd",
        SITE + "..\\..\\..\\etc\\passwd",
        SITE + ".git/config",
        "/docs/default/component/../../../../etc/passwd",
        "/docs/%2e%2e/%2e%2e/%2e%2e/etc/passwd/x/",
        "/docs/default/component/payments-api%00/",
        "/docs/..%2f..%2f..%2fetc/component/passwd/",
    ],
)
def test_traversal_attempts_never_leave_the_site(world_server: Server, path: str) -> None:
    status, body = raw_get(world_server, path)
    assert status in {400, 404}
    assert b"root:" not in body


def test_symlink_planted_in_a_site_is_not_followed(world: World, world_server: Server) -> None:
    site = SiteStorage(world.settings.root).live(parse_ref("component:payments-api"))
    assert site is not None
    link = site / "planted.txt"
    link.symlink_to("/etc/passwd")
    try:
        status, body = raw_get(world_server, SITE + "planted.txt")
    finally:
        link.unlink()
    assert status == 404 and b"root:" not in body


def test_unknown_paths_under_docs_are_404(world_server: Server) -> None:
    assert httpx.get(world_server.url + "/docs/").status_code == 404
    assert httpx.get(world_server.url + "/docs/default/component").status_code == 404


def test_theme_fonts_load_in_sandboxed_pages_but_pages_stay_private(
    world_server: Server,
) -> None:
    site = world_server.url + "/docs/default/component/checkout/"  # readthedocs theme
    font = httpx.get(site + "css/fonts/fontawesome-webfont.woff2")
    assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"
    assert font.headers["access-control-allow-origin"] == "*"
    for path in ("", "search/search_index.json"):
        assert "access-control-allow-origin" not in httpx.get(site + path).headers
