from __future__ import annotations

import asyncio

import httpx

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

APP = create_app(Settings(environment="test"))


def get(path: str, **params: str) -> httpx.Response:
    """One request through the ASGI app, without a server."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, params=params)

    return asyncio.run(send())


def test_health_and_readiness_answer_ok() -> None:
    assert get("/healthz").json() == {"status": "ok"}
    assert get("/readyz").status_code == 200


def test_info_names_the_service_and_its_version() -> None:
    assert get("/api/v1/info").json() == {
        "service": "{{ cookiecutter.project_slug }}",
        "version": __version__,
        "environment": "test",
    }


def test_hello_greets_by_name_and_defaults_to_world() -> None:
    assert get("/api/v1/hello", name="Ada").json() == {"message": "Hello, Ada!"}
    assert get("/api/v1/hello").json() == {"message": "Hello, world!"}


def test_unknown_paths_are_not_found() -> None:
    assert get("/nope").status_code == 404


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"PORT": "9999", "ENVIRONMENT": "staging"})
    assert (settings.port, settings.environment) == (9999, "staging")
