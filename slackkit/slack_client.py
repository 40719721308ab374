"""The Slack Web API client greenroom uses: Slack's base URL (or ``SLACK_API_URL``), a timeout,
and retries for connection errors, rate limits (429 + Retry-After) and Slack's 5xx."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from runtime.slack_settings import SlackSettings

__all__ = ["build_client", "retry_handlers"]


def retry_handlers() -> list[RetryHandler]:
    """Fresh retry handlers (they are not shared between clients)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def build_client(settings: SlackSettings, *, token: str | None) -> WebClient:
    """A WebClient for ``settings.api_url`` with greenroom's retries and timeout."""
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=settings.http_timeout_seconds,
        retry_handlers=retry_handlers(),
    )
