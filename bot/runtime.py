"""What a greenroom process holds: settings, the database engine and the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import Engine

import catalog.tables  # noqa: F401 - registers the catalog's tables on the shared metadata
import integrations.scaffolder.tables  # noqa: F401 - the scaffolder's tables, likewise
from bot.scaffold.setup import build_scaffolder, registered_source
from bot.settings import Settings, load_settings
from catalog import Catalog, ConfigError, SourceConfig
from catalog.database import create_database_engine, upgrade_schema
from catalog.rules import CatalogRule, CatalogRules
from catalog.source_config import build_source, source_from_cli
from catalog.sources import CatalogSource
from catalog.sync import SyncProgress, SyncReport, sync_catalog
from integrations.repositories import RepositoryCache
from integrations.scaffolder import Scaffolder, registered

if TYPE_CHECKING:
    from integrations.kubernetes import ClusterSet

__all__ = ["Runtime", "open_runtime"]


@dataclass
class Runtime:
    """Settings plus the things built from them, created once per process."""

    settings: Settings
    engine: Engine

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.engine)

    @cached_property
    def clusters(self) -> ClusterSet:
        """The configured Kubernetes clusters (clients are made on first use, then reused)."""
        from integrations.kubernetes import ClusterSet

        return ClusterSet(self.settings.kubernetes)

    @cached_property
    def repository_cache(self) -> RepositoryCache:
        """Entities' files on disk: local folders, or clones under ``data_dir/repos/``."""
        return RepositoryCache(self.settings.data_path / "repos", self.settings.repositories)

    @cached_property
    def scaffolder(self) -> Scaffolder:
        return build_scaffolder(self.settings, self.engine, self.catalog)

    def upgrade(self) -> None:
        """Create or upgrade the schema."""
        upgrade_schema(self.engine)

    def sources(
        self, specs: Sequence[str] = (), *, allow: Sequence[str] = ()
    ) -> list[CatalogSource]:
        """The configured sources (plus repositories the scaffolder registered), or ad-hoc
        ones from ``--source`` specs."""
        return self._sources(self._source_configs(specs, allow), registered_too=not specs)

    def sync(
        self,
        specs: Sequence[str] = (),
        *,
        trigger: str,
        allow: Sequence[str] = (),
        progress: SyncProgress | None = None,
    ) -> SyncReport:
        """Sync the configured (or given) sources; ad-hoc ones may also define ``allow`` kinds."""
        configs = self._source_configs(specs, allow)
        rules = CatalogRules.of(self.settings.catalog.rules, ((c.name, c.rules) for c in configs))
        return sync_catalog(
            self.engine,
            self._sources(configs, registered_too=not specs),
            trigger=trigger,
            limits=self.settings.catalog.yaml_limits,
            rules=rules,
            progress=progress,
        )

    def _sources(
        self, configs: Sequence[SourceConfig], *, registered_too: bool
    ) -> list[CatalogSource]:
        cache = self.settings.data_path / "cache"
        sources = [
            build_source(c, base_dir=self.settings.config_dir, cache_dir=cache) for c in configs
        ]
        if registered_too and registered(self.engine):
            sources.append(registered_source(self.settings, self.engine))
        return sources

    def _source_configs(self, specs: Sequence[str], allow: Sequence[str]) -> list[SourceConfig]:
        if not specs:
            return list(self.settings.catalog.sources)
        try:
            rules = [CatalogRule.model_validate({"allow": list(allow)})] if allow else []
        except ValidationError as error:
            raise ConfigError(
                f"--allow takes kinds, like User: {error.errors()[0]['msg']}"
            ) from None
        return [source_from_cli(s).model_copy(update={"rules": rules}) for s in specs]


def open_runtime(config_file: Path | None = None, **overrides: Any) -> Runtime:
    """Load settings, connect to the database and bring its schema up to date."""
    settings = load_settings(config_file, **overrides)
    engine = create_database_engine(settings.resolved_database_url)
    runtime = Runtime(settings, engine)
    runtime.upgrade()
    return runtime
