"""A small REST client for GitHub's and GitLab's APIs: the token in one header, rate limits
waited out (or reported with the reset time), and failures turned into words a user can act
on. The token never reaches a log line, an error message or a repr."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from catalog.errors import ConfigError
from integrations.errors import PublishFailed
from integrations.repositories.config import RepositoryProviderSettings

_log = logging.getLogger("integrations.repositories")

MAX_PAGES = 20


class ApiClient:
    """One platform's REST API (``platform`` is "GitHub" or "GitLab", for messages)."""

    def __init__(
        self,
        *,
        platform: str,
        base_url: str,
        token: SecretStr,
        token_env: str,
        headers: Mapping[str, str] = {},
        timeout: float = 30.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.token_env = token_env
        self._max_wait = max_wait
        self._sleep = sleep
        self._user: dict[str, Any] | None = None
        # httpx masks Authorization in its reprs, which a custom header (PRIVATE-TOKEN) is not.
        self._client = httpx.Client(
            base_url=self.base_url + "/",
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "User-Agent": "greenroom",
                **headers,
            },
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def for_provider(
        cls,
        settings: RepositoryProviderSettings,
        *,
        platform: str,
        headers: Mapping[str, str] = {},
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> tuple[ApiClient, SecretStr]:
        """The client for a configured provider, and its token; ``ConfigError`` without one."""
        token = settings.token
        if token is None or not token.get_secret_value():
            raise ConfigError(
                f"repositories provider {settings.name!r} needs a {platform} token in the "
                f"environment variable {settings.token_env}"
            )
        client = cls(
            platform=platform,
            base_url=settings.resolved_api_url,
            token=token,
            token_env=settings.token_env,
            headers=headers,
            timeout=settings.timeout_seconds,
            sleep=sleep,
            max_wait=max_wait,
            transport=transport,
        )
        return client, token

    def __repr__(self) -> str:
        return f"ApiClient({self.platform} at {self.base_url})"

    def close(self) -> None:
        self._client.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        doing: str,
    ) -> httpx.Response:
        """The response, whatever its status, once rate limits are waited out."""
        for attempt in range(4):
            try:
                response = self._client.request(method, path.lstrip("/"), json=json, params=params)
            except httpx.HTTPError as error:
                raise PublishFailed(
                    f"Could not reach {self.platform} at {self.base_url} while {doing}: "
                    f"{type(error).__name__}. Check the provider's api_url and the network."
                ) from None
            wait = _rate_limit_wait(response)
            if wait is None:
                return response
            if wait > self._max_wait or attempt == 3:
                raise PublishFailed(
                    f"{self.platform}'s API rate limit is used up (while {doing}); it resets "
                    f"{_when(wait)}. Try again then."
                )
            _log.info("%s rate limit hit while %s; waiting %.0fs", self.platform, doing, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")

    def token_user(self, field: str) -> str:
        """``field`` of the token's own user (``GET user``), asked once per client."""
        if self._user is None:
            response = self.call("GET", "user", doing="finding the token's user")
            if response.status_code != 200:
                raise self.failure(response, "finding the token's user")
            self._user = dict(response.json())
        return str(self._user[field])

    def pages(self, path: str, *, params: Mapping[str, Any], doing: str) -> Iterator[Any]:
        """The items of every page, following ``Link: <...>; rel="next"`` headers."""
        url: str | None = path
        query: Mapping[str, Any] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.call("GET", url, params=query, doing=doing)
            if response.status_code != 200:
                return
            body = response.json()
            yield from body if isinstance(body, list) else ()
            next_url = response.links.get("next", {}).get("url") or ""
            # Only follow links back into the same API: the token must not go anywhere else.
            prefix = self.base_url + "/"
            url = next_url.removeprefix(prefix) if next_url.startswith(prefix) else None
            query = None

    def failure(self, response: httpx.Response, doing: str) -> PublishFailed:
        """The error for an answer none of the caller's cases covers."""
        status = response.status_code
        said = server_message(response)
        if status == 401:
            return PublishFailed(
                f"{self.platform} rejected the token in {self.token_env} while {doing} "
                f"(401 {said or 'Unauthorized'}): it is missing, expired or revoked."
            )
        if status == 403:
            return PublishFailed(
                f"The token in {self.token_env} is not allowed to do this on {self.platform} "
                f"(while {doing}; 403 {said or 'Forbidden'}). See docs/repositories.md for "
                "the scopes it needs."
            )
        if status >= 500:
            return PublishFailed(
                f"{self.platform} had an internal error ({status}) while {doing}. "
                "Try again in a few minutes."
            )
        detail = f": {said}" if said else ""
        return PublishFailed(f"{self.platform} refused {doing} ({status}{detail}).")


def server_message(response: httpx.Response) -> str:
    """The human part of a JSON error body (GitHub's ``message`` + ``errors``, GitLab's
    ``message`` string or field map), short and single-line."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    message = body.get("message", body.get("error"))
    if isinstance(message, str):
        parts.append(message)
    elif isinstance(message, dict):
        parts.extend(
            f"{field} {', '.join(map(str, problems)) if isinstance(problems, list) else problems}"
            for field, problems in message.items()
        )
    for error in body.get("errors") or []:
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            parts.append(error["message"])
        elif isinstance(error, dict) and error.get("code"):
            parts.append(f"{error.get('field', '')} {error['code']}".strip())
    return "; ".join(p.replace("\n", " ") for p in parts)[:300]


def _rate_limit_wait(response: httpx.Response) -> float | None:
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    if remaining != "0" and response.status_code == 403:
        return None
    reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
    if reset is not None and reset.strip().isdigit():
        return max(0.0, float(reset) - time.time())
    return 60.0 if response.status_code == 429 else None


def _when(wait: float) -> str:
    at = datetime.fromtimestamp(time.time() + wait, tz=UTC).strftime("%H:%M UTC")
    minutes = max(1, round(wait / 60))
    return f"at {at} (in about {minutes} minute{'s' if minutes != 1 else ''})"
