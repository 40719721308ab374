"""Why a cluster call failed, in words a Slack user can act on.

The official client raises two unrelated families: ``ApiException`` for HTTP errors and urllib3
errors (``MaxRetryError`` wrapping the real cause) for timeouts and refused connections; an
answer that is not a Kubernetes list raises ``ValueError`` when greenroom reads it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import urllib3.exceptions as u3

from integrations.kubernetes.config import (
    ClusterConfig,
    InClusterConfig,
    KubeconfigClusterConfig,
    TokenClusterConfig,
)

if TYPE_CHECKING:
    from kubernetes.client.exceptions import ApiException

__all__ = ["CallContext", "describe_failure", "format_seconds"]

RBAC_HINT = "grant greenroom's read-only ClusterRole (see docs/kubernetes.md)"


@dataclass(frozen=True, slots=True)
class CallContext:
    """What was being asked of which cluster, to name it in the reason."""

    config: ClusterConfig
    host: str
    resource: str = "objects"
    namespace: str | None = None
    timeout: float | None = None

    @property
    def where(self) -> str:
        return f"namespace {self.namespace}" if self.namespace else "all namespaces"


def format_seconds(seconds: float) -> str:
    """``2.5 s``, ``10 s``: how deadlines are written to users."""
    return f"{seconds:.1f}".removesuffix(".0") + " s"


def describe_failure(error: BaseException, context: CallContext) -> str:
    """The plain-words reason for ``error``; never includes a token or a response header."""
    from kubernetes.client.exceptions import ApiException  # imported by whoever raised it
    from kubernetes.config.config_exception import ConfigException

    if isinstance(error, ApiException):
        return _http_reason(error, context)
    if isinstance(error, u3.MaxRetryError) and error.reason is not None:
        return _network_reason(error.reason, context)
    if isinstance(error, u3.HTTPError):
        return _network_reason(error, context)
    if isinstance(error, ValueError):
        return "answered with something that is not Kubernetes JSON (a proxy or login page?)"
    if isinstance(error, ConfigException | OSError):
        return f"cannot be configured: {error}"
    return f"failed unexpectedly ({type(error).__name__})"


def _http_reason(error: ApiException, context: CallContext) -> str:
    status = error.status or 0
    label = f"{status} {error.reason or ''}".strip()
    message = _status_message(error.body)
    if status == 0:
        return f"answered in a format the client cannot read ({error.reason})"
    if status == 401:
        return f"401 Unauthorized: {_credentials_hint(context.config)}"
    if status == 403:
        return f"403 Forbidden: not allowed to list {context.resource} in {context.where}; " + (
            RBAC_HINT
        )
    if status == 404:
        return f"404 Not Found: this cluster does not serve {context.resource}"
    if status == 429:
        return "429 Too Many Requests: the API server is throttling greenroom"
    return f"{label}: {message}" if message else label


def _status_message(body: object) -> str | None:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body.strip():
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str):
        return None
    line = " ".join(message.split())
    return line[:300]


def _credentials_hint(config: ClusterConfig) -> str:
    if isinstance(config, TokenClusterConfig):
        return f"check the token in ${config.token_env}"
    if isinstance(config, KubeconfigClusterConfig):
        context = f"context {config.context!r}" if config.context else "the current context"
        return f"check the credentials of {context} in {config.kubeconfig}"
    if isinstance(config, InClusterConfig):
        return "the pod's service account token was rejected"
    return "check the credentials"


def _network_reason(cause: BaseException, context: CallContext) -> str:
    after = f" after {format_seconds(context.timeout)}" if context.timeout else ""
    if isinstance(cause, u3.NameResolutionError):
        return f"cannot resolve the host of {context.host}"
    if isinstance(cause, u3.NewConnectionError):
        if isinstance(cause.__cause__, ConnectionRefusedError) or "refused" in str(cause):
            return f"connection refused by {context.host}"
        return f"cannot connect to {context.host}"
    if isinstance(cause, u3.ConnectTimeoutError):
        return f"timed out connecting to {context.host}{after}"
    if isinstance(cause, u3.ReadTimeoutError | TimeoutError):
        return f"timed out{after}"
    if isinstance(cause, u3.SSLError):
        detail = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(cause).rsplit("] ", 1)[-1])[:200]
        return f"TLS failed ({detail}); check ca_data or kubeconfig's certificate-authority"
    if isinstance(cause, u3.ProtocolError):
        return f"dropped the connection to {context.host}"
    return f"cannot be reached ({type(cause).__name__})"
