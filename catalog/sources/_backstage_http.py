"""HTTP to a Backstage backend's catalog API, with errors that say what was asked, what came
back and what to change."""

from __future__ import annotations

from typing import Any

import httpx

from catalog.errors import SourceUnavailable
from catalog.sources.defaults import ADHOC_BACKSTAGE_TOKEN_ENV
from catalog.sources.git import redact_url

#: Where ``greenroom sync --source backstage+URL`` takes its token from (runtime/settings.py).
#: What ``base_url`` must look like (greenroom adds ``/api/catalog/...``).
EXPECTED_BASE_URL = (
    "the Backstage backend's root URL, e.g. https://backstage.example.com "
    "(greenroom adds /api/catalog/entities/by-query)"
)
_API_SUFFIXES = ("/api/catalog/entities", "/api/catalog", "/api")
_NO_TOKEN_HINT = (
    "greenroom sent no token: set token_env on the source in greenroom.yaml, or "
    f"{ADHOC_BACKSTAGE_TOKEN_ENV} for greenroom sync --source backstage+URL, to a static token "
    "Backstage accepts (backend.auth.externalAccess in its app-config)"
)


class BackstageClient:
    """GETs JSON from ``base_url``; every failure is a SourceUnavailable naming the source."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        token: str | None,
        token_env: str | None,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.token_env = token_env
        self._token_sent = bool(token)
        headers = {"Accept": "application/json", "User-Agent": "greenroom"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def get(
        self, path: str, params: dict[str, Any] | None = None, *, optional: bool = False
    ) -> dict[str, Any] | None:
        """The JSON object at ``path``; None for a 404 when ``optional`` (a module that is not
        installed)."""
        if not self.base_url.startswith(("http://", "https://")):
            raise self._unavailable(f"base_url {self.base_url!r} is not {EXPECTED_BASE_URL}")
        url = f"{self.base_url}{path}"
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as error:
            raise self._unavailable(f"could not reach {redact_url(url)}: {error}") from None
        if response.status_code == 404 and optional:
            return None
        if response.status_code != 200:
            raise self._unavailable(self._refusal(url, response))
        return self._json(url, response)

    def _json(self, url: str, response: httpx.Response) -> dict[str, Any]:
        if "html" in response.headers.get("content-type", ""):
            raise self._unavailable(
                f"GET {redact_url(url)} answered with a web page, not JSON; base_url must be "
                f"{EXPECTED_BASE_URL}, not the frontend's"
            )
        try:
            body = response.json()
        except ValueError:
            raise self._unavailable(f"GET {redact_url(url)} sent invalid JSON") from None
        if not isinstance(body, dict):
            raise self._unavailable(f"GET {redact_url(url)} answered with an unexpected shape")
        return body

    def _refusal(self, url: str, response: httpx.Response) -> str:
        status = response.status_code
        said = f"GET {redact_url(url)} answered HTTP {status}{_backstage_error(response)}"
        if status == 401 and not self._token_sent:
            return f"{said}; {_NO_TOKEN_HINT}"
        if status in {401, 403}:
            where = f"${self.token_env}" if self.token_env else "the configured token"
            return (
                f"{said}; Backstage refused the token from {where}: it must be a static token "
                "Backstage accepts (backend.auth.externalAccess in its app-config) and allowed "
                "to read the catalog"
            )
        if status == 404:
            suffix = next((s for s in _API_SUFFIXES if self.base_url.endswith(s)), None)
            hint = f"; drop the trailing {suffix} from base_url" if suffix else ""
            return f"{said}; base_url must be {EXPECTED_BASE_URL}{hint}"
        return said

    def _unavailable(self, reason: str) -> SourceUnavailable:
        return SourceUnavailable(f"source {self.source!r}: {reason}")


def _backstage_error(response: httpx.Response) -> str:
    """`` (Name: message)`` from Backstage's error body, or nothing."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return ""
    if isinstance(error, dict) and error.get("message"):
        return f" ({error.get('name', 'Error')}: {str(error['message'])[:300]})"
    return ""
