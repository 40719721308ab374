"""Who may read ``/metrics`` on the web process's main port (see runtime/web_settings.py).

With a token configured, anyone presenting it (``Authorization: Bearer <token>``); without
one, only a client on this host that did not come through a proxy. With ``metrics_listen``
the main port has no ``/metrics`` at all: :func:`serve_metrics` serves them on that address,
from prometheus_client's own exporter, for every process of ``greenroom serve``.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.web_settings import METRICS_TOKEN_ENV, WebSettings
from slackkit.metrics import Metrics

__all__ = ["metrics_routes", "serve_metrics"]

log = logging.getLogger(__name__)

#: Headers a reverse proxy adds: a request carrying one came from somewhere else.
_FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")
_MEDIA_TYPE = "text/plain; version=0.0.4"


def metrics_routes(metrics: Metrics, settings: WebSettings) -> list[BaseRoute]:
    """``GET /metrics`` for the main port, guarded as above (none with ``metrics_listen``)."""
    if settings.metrics_listen is not None:
        return []
    token = settings.metrics_token.get_secret_value().encode() if settings.metrics_token else None

    async def page(request: Request) -> Response:
        if token is not None and not _bearer_matches(request, token):
            return PlainTextResponse(
                "metrics need the bearer token",
                status_code=401,
                headers={"www-authenticate": 'Bearer realm="metrics"'},
            )
        if token is None and not _local(request):
            return PlainTextResponse(
                f"metrics are served to this host only; set {METRICS_TOKEN_ENV} or "
                "web.metrics_listen to scrape them from elsewhere (docs/slack.md)",
                status_code=403,
            )
        return Response(metrics.render(), media_type=_MEDIA_TYPE)

    return [Route("/metrics", page, methods=["GET"])]


def serve_metrics(settings: WebSettings) -> None:
    """Start prometheus_client's exporter on ``metrics_listen`` (a daemon thread), adding
    up every process's metrics (PROMETHEUS_MULTIPROC_DIR must be set)."""
    address = settings.metrics_address
    if address is None:
        return
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(address[1], addr=address[0], registry=registry)
    log.info("metrics on http://%s/metrics", settings.metrics_listen)


def _bearer_matches(request: Request, token: bytes) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token)


def _local(request: Request) -> bool:
    if any(name in request.headers for name in _FORWARDED) or request.client is None:
        return False
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
