"""The ``kubernetes:`` section of greenroom.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import integrations.kubernetes as package
from integrations.kubernetes import (
    KubeconfigClusterConfig,
    KubernetesSettings,
    TokenClusterConfig,
)


def test_defaults_give_the_slack_deadline() -> None:
    settings = KubernetesSettings()

    assert settings.clusters == ()
    assert settings.timeout_seconds == 2.5


def test_three_ways_to_reach_a_cluster() -> None:
    settings = KubernetesSettings.model_validate(
        {
            "clusters": [
                {
                    "name": "eu",
                    "type": "kubeconfig",
                    "kubeconfig": "~/.kube/config",
                    "context": "eu",
                },
                {"name": "self", "type": "in-cluster", "namespaces": ["payments"]},
                {
                    "name": "us",
                    "type": "token",
                    "url": "https://10.0.0.1:6443",
                    "token_env": "K8S_US_TOKEN",
                    "skip_tls_verify": True,
                },
            ]
        }
    )

    assert [c.type for c in settings.clusters] == ["kubeconfig", "in-cluster", "token"]
    assert settings.clusters[1].namespaces == ("payments",)


def test_a_token_written_in_the_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="environment variable named by token_env"):
        TokenClusterConfig.model_validate(
            {"name": "us", "url": "https://k8s", "token_env": "T", "token": "abc"}
        )


def test_cluster_names_must_be_unique() -> None:
    cluster = {"name": "eu", "type": "in-cluster"}

    with pytest.raises(ValidationError, match="repeated: eu"):
        KubernetesSettings.model_validate({"clusters": [cluster, cluster]})


def test_team_channel_keys_become_group_refs() -> None:
    settings = KubernetesSettings(team_channels={"payments-core": "#pay", "group:ops/sre": "#sre"})

    assert settings.team_channels == {
        "group:default/payments-core": "#pay",
        "group:ops/sre": "#sre",
    }


def test_relative_kubeconfig_paths_start_at_the_config_folder(tmp_path: Path) -> None:
    settings = KubernetesSettings.model_validate(
        {"clusters": [{"name": "eu", "type": "kubeconfig", "kubeconfig": "kube/eu.yaml"}]}
    )

    resolved = settings.resolve_paths(tmp_path).clusters[0]

    assert isinstance(resolved, KubeconfigClusterConfig)
    assert resolved.kubeconfig == tmp_path / "kube" / "eu.yaml"


def test_package_exports_everything_it_lists() -> None:
    assert all(hasattr(package, name) for name in package.__all__)
