"""runtime/settings.py fills in cluster tokens from the environment and anchors kubeconfig paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog import ConfigError
from integrations.kubernetes import KubeconfigClusterConfig, TokenClusterConfig
from runtime.settings import load_settings

CLUSTERS = {
    "kubernetes": {
        "timeout_seconds": 2.0,
        "clusters": [
            {"name": "eu", "type": "kubeconfig", "kubeconfig": "kube/eu.yaml"},
            {
                "name": "us",
                "type": "token",
                "url": "https://10.0.0.1:6443",
                "token_env": "US_TOKEN",
            },
        ],
    }
}


def write(tmp_path: Path, settings: dict[str, object]) -> Path:
    path = tmp_path / "greenroom.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def test_cluster_token_comes_from_its_environment_variable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, CLUSTERS), environ={"US_TOKEN": "sekret"})

    eu, us = settings.kubernetes.clusters
    assert isinstance(us, TokenClusterConfig) and us.token is not None
    assert us.token.get_secret_value() == "sekret"
    assert "sekret" not in repr(settings)
    assert isinstance(eu, KubeconfigClusterConfig)
    assert eu.kubeconfig == tmp_path / "kube" / "eu.yaml"
    assert settings.kubernetes.timeout_seconds == 2.0


def test_missing_token_variable_leaves_the_token_empty(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, CLUSTERS), environ={})

    assert isinstance(settings.kubernetes.clusters[1], TokenClusterConfig)
    assert settings.kubernetes.clusters[1].token is None


def test_a_token_in_greenroom_yaml_is_a_config_error(tmp_path: Path) -> None:
    leaky = {"kubernetes": {"clusters": [{**CLUSTERS["kubernetes"]["clusters"][1], "token": "x"}]}}  # type: ignore[index]

    with pytest.raises(ConfigError, match="token_env"):
        load_settings(write(tmp_path, leaky), environ={})
