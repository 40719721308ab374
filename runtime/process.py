"""What a greenroom process holds: settings, the database engine and the catalog."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

import catalog.tables  # noqa: F401 - registers the catalog's tables on the shared metadata
import integrations.scaffolder.tables  # noqa: F401 - the scaffolder's tables, likewise
from catalog import Catalog, ConfigError, SourceConfig
from catalog.database import create_database_engine, upgrade_schema
from catalog.rules import CatalogRule, CatalogRules
from catalog.source_config import build_source, source_from_cli
from runtime.settings import Settings, config_path, load_settings

if TYPE_CHECKING:
    from catalog.sources import CatalogSource
    from catalog.sync import SyncOptions, SyncProgress, SyncReport
    from integrations.kubernetes import ClusterSet
    from integrations.pipelines import Engines
    from integrations.repositories import RepositoryCache
    from integrations.scaffolder import Scaffolder

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
    def pipeline_engines(self) -> Engines:
        """The Airflow clients, the clusters and the threads that ask them about pipelines."""
        from integrations.pipelines import Engines

        clusters = self.clusters if self.settings.kubernetes.clusters else None
        return Engines(self.settings.pipelines, clusters)

    @cached_property
    def repository_cache(self) -> RepositoryCache:
        """Entities' files on disk: local folders, or clones under ``data_dir/repos/``."""
        from integrations.repositories import RepositoryCache

        return RepositoryCache(self.settings.data_path / "repos", self.settings.repositories)

    @cached_property
    def scaffolder(self) -> Scaffolder:
        from runtime.scaffolding import build_scaffolder

        return build_scaffolder(self.settings, self.engine, self.catalog)

    def upgrade(self) -> None:
        """Create or upgrade the schema."""
        upgrade_schema(self.engine)

    def sources(
        self, specs: Sequence[str] = (), *, allow: Sequence[str] = ()
    ) -> list[CatalogSource]:
        """The configured sources (plus repositories the scaffolder registered), or ad-hoc
        ones from ``--source`` specs (which may also define the ``allow`` kinds)."""
        return self._sources(self._source_configs(specs, allow), registered_too=not specs)

    def sync_options(
        self,
        trigger: str,
        *,
        configured: Collection[str] | None,
        allow_removals: Collection[str] = (),
        allowed_by: str = "cli",
        rules: CatalogRules | None = None,
    ) -> SyncOptions:
        """How a sync of this installation runs; ``configured`` names every configured source
        (None for ad-hoc sources, whose runs do not review removed sources); ``rules``
        default to the configured sources' catalog rules."""
        from catalog.sync import SyncOptions

        catalog = self.settings.catalog
        return SyncOptions(
            trigger=trigger,
            limits=catalog.yaml_limits,
            guard=catalog.removal_guard,
            source_guards={s.name: s.removal_guard for s in catalog.sources if s.removal_guard},
            configured=frozenset(configured) if configured is not None else None,
            removed_source_grace=timedelta(days=catalog.removed_source_grace_days),
            allow_removals=frozenset(allow_removals),
            allowed_by=allowed_by,
            rules=rules or catalog.rule_set,
        )

    def sync(
        self,
        specs: Sequence[str] = (),
        *,
        trigger: str,
        allow: Sequence[str] = (),
        progress: SyncProgress | None = None,
        allow_removals: Collection[str] = (),
        allowed_by: str = "cli",
    ) -> SyncReport:
        """Sync the configured (or given) sources; ad-hoc ones may also define the ``allow``
        kinds; ``allow_removals`` lets this run remove what those sources no longer emit,
        whatever the removal guard says."""
        configs = self._source_configs(specs, allow)
        sources = self._sources(configs, registered_too=not specs)
        from catalog.removed_sources import sources_with_entities
        from catalog.sync import sync_catalog

        names = None if specs else [s.name for s in sources]
        known_here = {s.name for s in sources} | sources_with_entities(self.engine)
        unknown = set(allow_removals) - known_here
        if unknown:
            known = ", ".join(sorted({s.name for s in sources})) or "none"
            raise ConfigError(
                f"--allow-removals: no catalog source named {', '.join(sorted(unknown))} in this "
                f"sync or in the catalog (sources: {known})"
            )
        rules = CatalogRules.of(self.settings.catalog.rules, ((c.name, c.rules) for c in configs))
        options = self.sync_options(
            trigger,
            configured=names,
            allow_removals=allow_removals,
            allowed_by=allowed_by,
            rules=rules,
        )
        return sync_catalog(self.engine, sources, options, progress=progress)

    def _sources(
        self, configs: Sequence[SourceConfig], *, registered_too: bool
    ) -> list[CatalogSource]:
        from integrations.scaffolder import registered
        from runtime.scaffolding import registered_source

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
                f"--allow-kind takes kinds, like User: {error.errors()[0]['msg']}"
            ) from None
        token = self.settings.catalog.adhoc_backstage_token
        return [
            source_from_cli(s, backstage_token=token).model_copy(update={"rules": rules})
            for s in specs
        ]


def open_runtime(
    config_file: Path | None = None, *, create: bool = True, **overrides: Any
) -> Runtime:
    """Load settings, connect to the database and bring its schema up to date. With
    ``create=False`` (commands that only read) a SQLite database that does not exist yet is
    a ConfigError naming where greenroom looked, rather than a new empty database."""
    settings = load_settings(config_file, **overrides)
    if not create:
        _require_database(settings, config_path(config_file))
    engine = create_database_engine(settings.resolved_database_url)
    runtime = Runtime(settings, engine)
    runtime.upgrade()
    return runtime


def _require_database(settings: Settings, config: Path | None) -> None:
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    database = Path(url.database).expanduser()
    if database.exists():
        return
    where = (
        f"settings from {config.resolve()}"
        if config is not None
        else f"no greenroom.yaml in {Path.cwd()}, so the defaults apply: run from the folder "
        "that holds greenroom.yaml, or give --config FILE or GREENROOM_CONFIG (the demo's "
        "is examples/greenroom.yaml)"
    )
    raise ConfigError(
        f"No catalog database at {database} yet ({where}). "
        "`greenroom sync` creates it and reads the catalog into it."
    )
