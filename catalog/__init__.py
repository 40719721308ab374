"""The software catalog: Backstage's entity model, sources, sync and queries. No Slack here."""

from __future__ import annotations

from catalog.errors import (
    AmbiguousEntity,
    CatalogError,
    ConfigError,
    EntityNotFound,
    GreenroomError,
    InvalidEntity,
    InvalidRef,
    KindNotAllowed,
    NotAuthorized,
    SourceUnavailable,
)
from catalog.model import Entity, EntityLink, EntityMetadata
from catalog.refs import DEFAULT_NAMESPACE, EntityRef, format_ref, parse_ref
from catalog.source_config import SourceConfig
from catalog.store import Catalog, EntitySummary, Relation, StoredEntity

__all__ = [
    "DEFAULT_NAMESPACE",
    "AmbiguousEntity",
    "Catalog",
    "CatalogError",
    "ConfigError",
    "Entity",
    "EntityLink",
    "EntityMetadata",
    "EntityNotFound",
    "EntityRef",
    "EntitySummary",
    "GreenroomError",
    "InvalidEntity",
    "InvalidRef",
    "KindNotAllowed",
    "NotAuthorized",
    "Relation",
    "SourceConfig",
    "SourceUnavailable",
    "StoredEntity",
    "format_ref",
    "parse_ref",
]
