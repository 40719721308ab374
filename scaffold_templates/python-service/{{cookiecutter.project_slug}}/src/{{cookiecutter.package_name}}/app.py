"""The HTTP application: routes and their handlers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.settings import Settings


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application; tests pass their own settings."""
    settings = settings or Settings.from_env()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    async def info(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "service": settings.service_name,
                "version": __version__,
                "environment": settings.environment,
            }
        )

    async def hello(request: Request) -> JSONResponse:
        name = request.query_params.get("name", "world").strip() or "world"
        return JSONResponse({"message": f"Hello, {name[:100]}!"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/api/v1/info", info),
            Route("/api/v1/hello", hello),
        ]
    )
