"""How ``greenroom.yaml`` describes Kubernetes clusters (the ``kubernetes:`` section).

A cluster is reached one of three ways: a kubeconfig file + context, the pod's own service
account (in-cluster), or a URL + bearer token. Tokens never live in the file: a cluster names
the environment variable that holds its token and ``runtime/settings.py`` fills ``token`` in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from catalog import InvalidRef, parse_ref

__all__ = [
    "ClusterConfig",
    "InClusterConfig",
    "KubeconfigClusterConfig",
    "KubernetesSettings",
    "TokenClusterConfig",
]

_NAME = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", description="shown to users")
_NAMESPACE = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]


class _Cluster(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = _NAME
    namespaces: tuple[_NAMESPACE, ...] | None = Field(
        default=None, description="only these namespaces are ever read (None: all)"
    )


class KubeconfigClusterConfig(_Cluster):
    """A cluster from a kubeconfig file; ``context`` None means the file's current context."""

    type: Literal["kubeconfig"] = "kubeconfig"
    kubeconfig: Path = Field(description="path of the kubeconfig file", examples=["~/.kube/config"])
    context: str | None = Field(default=None, description="default: the file's current context")


class InClusterConfig(_Cluster):
    """The cluster greenroom runs in, through its pod's service account."""

    type: Literal["in-cluster"] = "in-cluster"


class TokenClusterConfig(_Cluster):
    """An API server URL and a bearer token read from the environment variable ``token_env``."""

    type: Literal["token"] = "token"
    url: str = Field(
        pattern=r"^https?://\S+$",
        description="the API server",
        examples=["https://k8s.prod-eu.example.com:6443"],
    )
    token_env: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="env var with the bearer token"
    )
    token: SecretStr | None = Field(default=None, description="filled in from token_env")
    ca_data: str | None = Field(default=None, description="PEM, or base64 of PEM (as caData)")
    skip_tls_verify: bool = Field(default=False, description="for test clusters only")

    @field_validator("token")
    @classmethod
    def _not_in_a_file(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raise ValueError("tokens are read from the environment variable named by token_env")
        return value


ClusterConfig = Annotated[
    KubeconfigClusterConfig | InClusterConfig | TokenClusterConfig, Field(discriminator="type")
]


class KubernetesSettings(BaseModel):
    """Clusters, deadlines and where the health sweep reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clusters: tuple[ClusterConfig, ...] = Field(default=(), description="every cluster read")
    timeout_seconds: float = Field(default=2.5, gt=0, le=60, description="whole answer, Slack")
    sweep_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="one cluster, in the worker's health sweep"
    )
    sweep_concurrency: int = Field(default=4, ge=1, le=64, description="calls per cluster")
    event_window_minutes: int = Field(default=60, ge=1, description="how recent is 'recent'")
    resolve_after_sweeps: int = Field(default=2, ge=1, description="clean sweeps to resolve")
    sweep_interval_minutes: int = Field(
        default=5, ge=1, le=1440, description="how often the worker sweeps every service"
    )
    team_channels: dict[str, str] = Field(
        default_factory=dict, description="group ref -> Slack channel, when the group has none"
    )
    default_channel: str | None = Field(
        default=None, description="health alerts for teams with no channel go here"
    )

    @field_validator("team_channels")
    @classmethod
    def _group_refs(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            return {str(parse_ref(k, default_kind="group")): v for k, v in value.items()}
        except InvalidRef as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _names_are_unique(self) -> KubernetesSettings:
        names = [c.name for c in self.clusters]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"cluster names must be unique; repeated: {', '.join(twice)}")
        return self

    def resolve_paths(self, base_dir: Path) -> KubernetesSettings:
        """Kubeconfig paths made absolute (relative ones start at ``base_dir``; ~ expanded)."""
        clusters = [
            c.model_copy(update={"kubeconfig": base_dir / c.kubeconfig.expanduser()})
            if isinstance(c, KubeconfigClusterConfig)
            else c
            for c in self.clusters
        ]
        return self.model_copy(update={"clusters": tuple(clusters)})
