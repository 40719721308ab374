"""Building the scaffolder from settings: the publisher, the registered-locations source and
the ``Scaffolder`` the Slack modal and the CLI share."""

from __future__ import annotations

import base64
from pathlib import Path

from sqlalchemy import Engine

from bot.settings import Settings
from catalog import Catalog
from integrations.repositories import GitRemotePublisher
from integrations.scaffolder import RegisteredLocationsSource, Scaffolder, ScaffolderSettings

__all__ = ["build_scaffolder", "registered_source"]


def build_scaffolder(settings: Settings, engine: Engine, catalog: Catalog) -> Scaffolder:
    """The scaffolder for this process, publishing to ``scaffolder.remote_url_template``."""
    config = settings.scaffolder
    url_template = config.remote_url_template.replace(
        "{data_dir}", str(settings.data_path.resolve())
    )
    publisher = GitRemotePublisher(
        url_template,
        web_url_template=config.web_url_template,
        token=config.token.get_secret_value() if config.token else None,
        token_username=config.token_username,
        timeout=config.git_timeout_seconds,
    )
    return Scaffolder(
        settings=config,
        engine=engine,
        catalog=catalog,
        publisher=publisher,
        locations=registered_source(settings, engine),
        base_dir=settings.config_dir,
        yaml_limits=settings.catalog.yaml_limits,
        work_root=_work_root(settings.data_path),
    )


def registered_source(settings: Settings, engine: Engine) -> RegisteredLocationsSource:
    """The catalog source that re-reads every repository greenroom created."""
    return RegisteredLocationsSource(
        engine,
        cache_dir=settings.data_path / "cache",
        auth_header=_auth_header(settings.scaffolder),
        timeout=settings.scaffolder.git_timeout_seconds,
    )


def _auth_header(config: ScaffolderSettings) -> str | None:
    if config.token is None:
        return None
    pair = f"{config.token_username}:{config.token.get_secret_value()}"
    return f"Authorization: Basic {base64.b64encode(pair.encode()).decode()}"


def _work_root(data_path: Path) -> Path:
    root = data_path / "tmp" / "scaffold"
    root.mkdir(parents=True, exist_ok=True)
    return root
