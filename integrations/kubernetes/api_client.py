"""An ``ApiClient`` of the official ``kubernetes`` client for one configured cluster, for the
health checks and the actions alike.

The official client is imported here, on first use: it weighs about 30 MB and half a second,
and most processes that import greenroom's cluster code (every answering process, the CLI)
never call a cluster. Each cluster gets its own ``ApiClient``, never the global default, and
``retries = 0``: urllib3's default of 3 retries turns a 1 s read timeout into 4 s.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from integrations.kubernetes.config import (
    ClusterConfig,
    InClusterConfig,
    KubeconfigClusterConfig,
    TokenClusterConfig,
)

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

__all__ = ["api_client"]


def api_client(cluster: ClusterConfig, *, pool_size: int | None = None) -> ApiClient:
    """A client for ``cluster``; ``ConfigException``, ``OSError`` or ``ValueError`` when its
    configuration cannot be used (a missing kubeconfig, no token, bad CA data)."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    configuration.retries = 0
    if pool_size is not None:
        configuration.connection_pool_maxsize = pool_size
    if isinstance(cluster, KubeconfigClusterConfig):
        if not cluster.kubeconfig.is_file():
            raise ConfigException(f"kubeconfig {cluster.kubeconfig} does not exist")
        api: ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(cluster.kubeconfig),
            context=cluster.context,
            persist_config=False,
            client_configuration=configuration,
        )
        return api
    if isinstance(cluster, InClusterConfig):
        try:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        except ConfigException as error:
            raise ConfigException(f"not running inside a Kubernetes pod ({error})") from None
        return client.ApiClient(configuration)
    if isinstance(cluster, TokenClusterConfig):
        if cluster.token is None:
            raise ConfigException(
                f"no token: the environment variable ${cluster.token_env} is empty"
            )
        configuration.host = cluster.url.rstrip("/")
        configuration.api_key = {"authorization": cluster.token.get_secret_value()}
        configuration.api_key_prefix = {"authorization": "Bearer"}
        configuration.verify_ssl = not cluster.skip_tls_verify
        if cluster.ca_data:
            configuration.ca_cert_data = _pem(cluster.ca_data)
        return client.ApiClient(configuration)
    raise TypeError(f"unknown cluster config {type(cluster).__name__}")


def _pem(ca_data: str) -> str:
    from kubernetes.config.config_exception import ConfigException

    if "-----BEGIN" in ca_data:
        return ca_data
    try:
        return base64.b64decode(ca_data, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ConfigException("ca_data is neither PEM nor base64 of PEM") from None
