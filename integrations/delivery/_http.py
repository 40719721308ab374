"""One host's REST API for delivery reads: the host's read token (``repositories.hosts``) in
the Authorization header, ``Link``/``X-Next-Page`` paging that never leaves the API, and every
failure turned into a ``HostUnavailable`` that says what to do. The token never reaches a log
line, an error or a repr."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from integrations.delivery.errors import (
    HostRejected,
    HostUnavailable,
    RateLimited,
    RepositoryGone,
)

__all__ = ["HostClient", "rate_budget_left"]

_MAX_PAGES = 10
#: the rate limit each API last reported, per base URL: (remaining, limit)
_BUDGETS: dict[str, tuple[int, int]] = {}
_BUDGETS_LOCK = threading.Lock()


def rate_budget_left(api_url: str) -> float | None:
    """The share of its rate limit an API last said was left (None: it never said)."""
    with _BUDGETS_LOCK:
        seen = _BUDGETS.get(api_url.rstrip("/"))
    if seen is None or seen[1] <= 0:
        return None
    return seen[0] / seen[1]


_PLATFORMS = {"github": "GitHub", "gitlab": "GitLab"}


class HostClient:
    """GET requests to one GitHub or GitLab API, for one repository (``slug``, for messages)."""

    def __init__(
        self,
        *,
        platform: str,
        api_url: str,
        slug: str,
        token: SecretStr | None,
        token_env: str | None,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.name = _PLATFORMS.get(platform, platform)
        self.base_url = api_url.rstrip("/")
        self.slug = slug
        self._token_env = token_env
        headers = {"User-Agent": "greenroom"}
        if platform == "github":
            headers |= {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        if token is not None and token.get_secret_value():
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        self._client = httpx.Client(
            base_url=self.base_url + "/", headers=headers, timeout=timeout, transport=transport
        )

    def __repr__(self) -> str:
        return f"HostClient({self.name} at {self.base_url}, {self.slug})"

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        path: str,
        *,
        params: Any = None,
        doing: str,
        missing_ok: bool = False,
    ) -> Any:
        """The JSON body; None for a 404/422 when ``missing_ok`` (an unknown ref or number)."""
        response = self._send(path, params, doing)
        if response.status_code in (404, 422) and missing_ok:
            return None
        self._check(response, doing)
        return self._json(response, doing)

    def pages(
        self, path: str, *, params: Mapping[str, Any], limit: int, doing: str
    ) -> tuple[list[Any], bool]:
        """Up to ``limit`` items of a list, following next links; and whether more are left."""
        items: list[Any] = []
        url: str | None = path
        query: Mapping[str, Any] | None = params
        for _ in range(_MAX_PAGES):
            response = self._send(url or path, query, doing)
            self._check(response, doing)
            body = self._json(response, doing)
            items.extend(body if isinstance(body, list) else [])
            url = self._next(response, query)
            query = None
            if len(items) >= limit:
                return items[:limit], len(items) > limit or url is not None
            if url is None:
                return items, False
        return items, True

    # internals -------------------------------------------------------------------------------
    def _send(self, path: str, params: Any, doing: str) -> httpx.Response:
        try:
            response = self._client.get(path.lstrip("/"), params=params)
        except httpx.HTTPError as error:
            raise HostUnavailable(
                f"Could not reach {self.name} at {self.base_url} while {doing}: "
                f"{type(error).__name__}."
            ) from None
        headers = response.headers
        remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
        limit = headers.get("x-ratelimit-limit", headers.get("ratelimit-limit"))
        if remaining and limit and remaining.isdigit() and limit.isdigit():
            with _BUDGETS_LOCK:
                _BUDGETS[self.base_url] = (int(remaining), int(limit))
        return response

    def _json(self, response: httpx.Response, doing: str) -> Any:
        try:
            return response.json()
        except ValueError:  # a proxy's or login page's HTML
            raise HostUnavailable(
                f"{self.name} at {self.base_url} answered something that is not JSON while "
                f"{doing}: check the host's URL (is it the API?)."
            ) from None

    def _next(self, response: httpx.Response, query: Mapping[str, Any] | None) -> str | None:
        link = response.links.get("next", {}).get("url") or ""
        prefix = self.base_url + "/"
        if link.startswith(prefix):  # only back into the same API: the token goes nowhere else
            return link.removeprefix(prefix)
        next_page = response.headers.get("x-next-page", "").strip()
        if next_page.isdigit() and not link:
            # the raw path: a GitLab project id keeps its encoded slashes
            raw_path = response.request.url.raw_path.decode("ascii").partition("?")[0]
            base_path = httpx.URL(prefix).raw_path.decode("ascii")
            params = dict(httpx.QueryParams(response.request.url.query))
            params["page"] = next_page
            return f"{raw_path.removeprefix(base_path)}?{httpx.QueryParams(params)}"
        return None

    def _check(self, response: httpx.Response, doing: str) -> None:
        status = response.status_code
        if status < 300:
            return
        said = _message(response)
        limited = _rate_limit_reset(response)
        if limited is not None:
            reset_at, known = limited
            when = f" until {reset_at:%H:%M} UTC" if known else ""
            raise RateLimited(
                f"{self.name}'s API rate limit is used up{when} (while {doing}).",
                reset_at=reset_at if known else None,
            )
        if status == 401:
            where = f" in {self._token_env}" if self._token_env else ""
            raise HostRejected(
                f"{self.name} rejected the token{where} while {doing} "
                f"(401 {said or 'Unauthorized'}): it is missing, expired or revoked."
            )
        if status == 403:
            raise HostRejected(
                f"{self.name} does not let greenroom's token read {self.slug} "
                f"(403 {said or 'Forbidden'}, while {doing})."
            )
        if status in (301, 404):
            raise RepositoryGone(
                f"{self.slug} does not exist on {self.name} any more (renamed, moved or deleted), "
                "or greenroom's token cannot see it: update the entity's repository annotation."
            )
        raise HostUnavailable(
            f"{self.name} answered {status} while {doing}{': ' + said if said else ''}."
        )


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:120] if response.text else ""
    message = body.get("message") if isinstance(body, dict) else None
    return message.replace("\n", " ")[:200] if isinstance(message, str) else ""


def _rate_limit_reset(response: httpx.Response) -> tuple[datetime, bool] | None:
    """When the limit resets (and whether that is known), or None if this is no rate limit."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    if response.status_code == 403 and remaining != "0" and "retry-after" not in headers:
        return None
    now = time.time()
    retry_after = headers.get("retry-after", "").strip()
    reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset", "")).strip()
    if reset.isdigit():
        return datetime.fromtimestamp(int(reset), tz=UTC), True
    if retry_after.isdigit():
        return datetime.fromtimestamp(now + int(retry_after), tz=UTC), True
    return datetime.fromtimestamp(now, tz=UTC), False
