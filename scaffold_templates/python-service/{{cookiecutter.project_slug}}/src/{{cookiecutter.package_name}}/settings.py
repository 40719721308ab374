"""Configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What the service needs to know about where it runs."""

    service_name: str = "{{ cookiecutter.project_slug }}"
    environment: str = "local"
    port: int = {{ cookiecutter.port }}
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Settings from environment variables, with the defaults above."""
        return cls(
            environment=environ.get("ENVIRONMENT", cls.environment),
            port=int(environ.get("PORT", cls.port)),
            log_level=environ.get("LOG_LEVEL", cls.log_level),
        )
