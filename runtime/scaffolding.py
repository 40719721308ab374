"""Building the scaffolder from settings: where each template publishes (the plain git remote
or a ``repositories.providers`` entry), the credentials to read registered repositories
again, and the ``Scaffolder`` the Slack modal and the CLI share."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine

from catalog import Catalog, Entity
from integrations.repositories import (
    GitRemotePublisher,
    RepositoryProviderSettings,
    owner_team_slug,
    provider_settings,
    publisher_for,
)
from integrations.scaffolder import (
    GIT_TARGET,
    PublishTarget,
    RegisteredLocationsSource,
    Scaffolder,
    TargetChooser,
    discover_templates,
)
from runtime.settings import Settings

__all__ = ["build_scaffolder", "registered_source", "target_chooser"]

_GIT_USERNAMES = {"github": "x-access-token", "gitlab": "oauth2"}


def build_scaffolder(settings: Settings, engine: Engine, catalog: Catalog) -> Scaffolder:
    """The scaffolder for this process."""
    return Scaffolder(
        settings=settings.scaffolder,
        engine=engine,
        catalog=catalog,
        targets=target_chooser(settings),
        locations=registered_source(settings, engine),
        base_dir=settings.config_dir,
        yaml_limits=settings.catalog.yaml_limits,
        work_root=_work_root(settings.data_path),
    )


def target_chooser(settings: Settings) -> TargetChooser:
    """Per template: its ``provider`` (or ``scaffolder.provider``) names a
    ``repositories.providers`` entry, or ``git`` for ``scaffolder.remote_url_template``;
    naming none means the default provider when providers are configured, else ``git``.
    Publishers are built when first used (a provider without its token raises ConfigError
    naming the variable)."""
    config = settings.scaffolder
    repositories = settings.repositories
    built: dict[str, PublishTarget] = {}

    def choose(template_provider: str | None) -> PublishTarget:
        wanted = template_provider or config.provider
        if wanted == GIT_TARGET or (wanted is None and not repositories.providers):
            name = GIT_TARGET
        else:
            name = provider_settings(repositories, wanted).name
        if name not in built:
            built[name] = (
                _git_target(settings)
                if name == GIT_TARGET
                else _provider_target(settings, provider_settings(repositories, name))
            )
        return built[name]

    return choose


def registered_source(settings: Settings, engine: Engine) -> RegisteredLocationsSource:
    """The catalog source that re-reads every repository greenroom created, each with the
    credentials of the host it was published to, keeping only the kinds its template
    registers."""
    credentials: dict[str, tuple[str, SecretStr]] = {}
    config = settings.scaffolder
    if config.token is not None:
        credentials[GIT_TARGET] = (config.token_username, config.token)
    for provider in settings.repositories.providers:
        if provider.token is not None:
            credentials[provider.name] = (_GIT_USERNAMES[provider.type], provider.token)

    def declared_kinds() -> dict[str, frozenset[str]]:
        index = discover_templates(
            config.template_dirs, base_dir=settings.config_dir, shipped=config.shipped_templates
        )
        return index.kinds()

    return RegisteredLocationsSource(
        engine,
        cache_dir=settings.data_path / "cache",
        credentials=credentials,
        timeout=config.git_timeout_seconds,
        declared_kinds=declared_kinds,
    )


def _git_target(settings: Settings) -> PublishTarget:
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
    return PublishTarget(GIT_TARGET, publisher)


def _provider_target(settings: Settings, provider: RepositoryProviderSettings) -> PublishTarget:
    def team_slug(owner: Entity | None) -> str | None:
        return owner_team_slug(owner, provider)

    return PublishTarget(
        provider.name,
        publisher_for(settings.repositories, provider.name),
        team_slug=team_slug,
        visibility=provider.visibility,
    )


def _work_root(data_path: Path) -> Path:
    root = data_path / "tmp" / "scaffold"
    root.mkdir(parents=True, exist_ok=True)
    return root
