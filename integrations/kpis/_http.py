"""The JSON-over-HTTP client every KPI source uses: one token header, 429s waited out per
``Retry-After`` (or PagerDuty's ``ratelimit-reset``) up to a limit, and failures turned into
sentences. The token never reaches a log line, an error message or a repr."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, Self

import httpx

from integrations.kpis.errors import KpiEntityGone, KpiSourceDown, KpiSourceFailed

_log = logging.getLogger("integrations.kpis")


class SourceLimits(Protocol):
    """What every source's settings say about reaching it (``config._Source``)."""

    @property
    def timeout_seconds(self) -> float: ...
    @property
    def max_retry_wait_seconds(self) -> float: ...
    @property
    def concurrency(self) -> int: ...


_ATTEMPTS = 5


class JsonApi:
    """One source's API at ``base_url``; ``what`` names it in messages ("PagerDuty")."""

    def __init__(
        self,
        *,
        what: str,
        base_url: str,
        headers: Mapping[str, str] = {},
        timeout: float = 10.0,
        max_wait: float = 60.0,
        token_env: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        connections: int = 8,
    ) -> None:
        self.what = what
        self.base_url = base_url.rstrip("/")
        self.token_env = token_env
        self.requests = 0
        self._max_wait = max_wait
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.base_url + "/",
            headers={"User-Agent": "greenroom", **headers},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    @classmethod
    def for_source(
        cls,
        config: SourceLimits,
        *,
        what: str,
        base_url: str,
        headers: Mapping[str, str] = {},
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> Self:
        """The client of one configured source: its timeout, retry wait, concurrency and the
        variable its token came from (named in errors) are the source's settings."""
        return cls(
            what=what,
            base_url=base_url,
            headers=headers,
            timeout=config.timeout_seconds,
            max_wait=config.max_retry_wait_seconds,
            token_env=getattr(config, "token_env", None),
            sleep=sleep,
            transport=transport,
            connections=config.concurrency,
        )

    def __repr__(self) -> str:
        return f"JsonApi({self.what} at {self.base_url})"

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, *, params: Any = None, doing: str) -> httpx.Response:
        """A 2xx response; 404 raises ``KpiEntityGone``, anything else ``KpiSourceFailed``."""
        for attempt in range(_ATTEMPTS):
            try:
                self.requests += 1
                response = self._client.get(path.lstrip("/"), params=params)
            except httpx.TimeoutException:
                raise KpiSourceDown(
                    f"{self.what} at {self.base_url} did not answer in time while {doing}"
                ) from None
            except httpx.HTTPError as error:
                raise KpiSourceDown(
                    f"Could not reach {self.what} at {self.base_url} while {doing}: "
                    f"{type(error).__name__}"
                ) from None
            if response.status_code != 429:
                return self._checked(response, doing)
            wait = _retry_after(response)
            if wait > self._max_wait or attempt == _ATTEMPTS - 1:
                raise KpiSourceDown(
                    f"{self.what} kept answering 429 Too Many Requests while {doing} "
                    f"(asked to wait {wait:.0f} s; at most {self._max_wait:.0f} s is waited)"
                )
            _log.info("%s rate limit while %s; waiting %.1f s", self.what, doing, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")

    def json(self, path: str, *, params: Any = None, doing: str) -> Any:
        response = self.get(path, params=params, doing=doing)
        try:
            return response.json()
        except ValueError:
            raise KpiSourceFailed(
                f"{self.what} answered something that is not JSON while {doing}"
            ) from None

    def _checked(self, response: httpx.Response, doing: str) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        said = _message(response)
        if status == 401:
            where = f" in {self.token_env}" if self.token_env else ""
            raise KpiSourceDown(
                f"{self.what} rejected the token{where} while {doing} "
                f"(401 {said or 'Unauthorized'}): it is missing, expired or revoked"
            )
        if status == 403:
            raise KpiSourceFailed(
                f"{self.what} does not let this token read that (403 {said or 'Forbidden'}) "
                f"while {doing}"
            )
        if status == 404:
            raise KpiEntityGone(f"{self.what} has no such thing (404) while {doing}")
        detail = f": {said}" if said else ""
        raise KpiSourceFailed(f"{self.what} answered {status} while {doing}{detail}")


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else ``ratelimit-reset``
    (PagerDuty: seconds), else a short default."""
    for header in ("retry-after", "ratelimit-reset"):
        value = response.headers.get(header)
        if not value:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return 1.0


def _message(response: httpx.Response) -> str:
    """The human part of a JSON error body, short and single-line."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().replace("\n", " ")[:200]
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):  # PagerDuty
        message = str(error.get("message") or "")
        extra = [str(e) for e in error.get("errors") or []]
        return "; ".join([message, *extra]).strip("; ")[:200]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):  # SonarQube
        return "; ".join(str(e.get("msg") or "") for e in errors if isinstance(e, dict))[:200]
    said = body.get("message", error)
    return str(said).replace("\n", " ")[:200] if said else ""
