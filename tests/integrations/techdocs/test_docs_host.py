"""Docs on a host of their own: the docs host serves sites (at its root or under a path) and
nothing else; ``/docs`` elsewhere redirects there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from integrations.techdocs import DocsHostSplit, docs_host_app, redirect_to_docs_host
from tests.scenarios.workspace import UvicornThread

from .docs_world import World

PAGE = "default/component/payments-api/"


async def _metrics(request: Request) -> Response:
    return PlainTextResponse("secret metrics")


@contextmanager
def client_for(world: World, base_url: str, host: str) -> Iterator[httpx.Client]:
    """An HTTP client of a real uvicorn serving :func:`app_for`, sending ``Host: host``."""
    server = UvicornThread(app_for(world, base_url))
    url = server.start()
    try:
        with httpx.Client(base_url=url, headers={"host": host}) as client:
            yield client
    finally:
        server.stop()


def app_for(world: World, base_url: str) -> Starlette:
    """An app with one route of its own, docs split off by host as bot/web.py does."""
    settings = world.settings.model_copy(update={"base_url": base_url, "separate_host": True})
    host = settings.separate_docs_host
    assert host is not None
    return Starlette(
        routes=[
            Route("/metrics", _metrics),
            Mount("/docs", routes=redirect_to_docs_host(settings)),
        ],
        middleware=[Middleware(DocsHostSplit, host=host, docs=docs_host_app(settings))],
    )


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [("https://docs.example.com/docs", "/docs/"), ("https://Docs.Example.com", "/")],
)
def test_docs_host_serves_sites_under_base_urls_path_and_nothing_else(
    world: World, base_url: str, prefix: str
) -> None:
    with client_for(world, base_url, "docs.example.com:8443") as client:
        assert "The payments API authorises card payments." in client.get(prefix + PAGE).text
        assert client.get("/metrics").status_code == 404
        assert client.get(prefix + "default/component/nobody/").status_code == 404


def test_other_hosts_keep_their_routes_and_send_docs_to_the_docs_host(world: World) -> None:
    with client_for(world, "https://docs.example.com/docs", "app.example.com") as client:
        assert client.get("/metrics").text == "secret metrics"
        moved = client.get("/docs/" + PAGE + "runbook/")
        assert moved.status_code == 307
        assert moved.headers["location"] == "https://docs.example.com/docs/" + PAGE + "runbook/"
