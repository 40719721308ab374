"""API: an interface a component provides (OpenAPI, AsyncAPI, GraphQL, gRPC, MCP server...)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import OWNED_BY, PART_OF

#: API types described by endpoints (``remotes``) instead of a ``definition`` text.
REMOTE_API_TYPES = frozenset({"mcp-server", "ai-model-server"})


class ApiRemote(SpecModel):
    """One endpoint of a remote-described API."""

    type: NonEmptyStr
    url: NonEmptyStr


class ApiSpec(SpecModel):
    """``spec`` of an API described by a ``definition`` text."""

    type: NonEmptyStr
    lifecycle: NonEmptyStr
    owner: NonEmptyStr
    definition: NonEmptyStr
    system: NonEmptyStr | None = None


class RemoteApiSpec(SpecModel):
    """``spec`` of an MCP or model server: endpoints (``remotes``) instead of a definition."""

    type: NonEmptyStr
    lifecycle: NonEmptyStr
    owner: NonEmptyStr
    remotes: Annotated[list[ApiRemote], Field(min_length=1)]
    system: NonEmptyStr | None = None


def pick_api_spec(spec: dict[str, Any]) -> type[SpecModel]:
    """Backstage's if/then: remote API types need ``remotes``, the others a ``definition``."""
    return RemoteApiSpec if spec.get("type") in REMOTE_API_TYPES else ApiSpec


API = KindSchema(
    kind="API",
    api_versions=BACKSTAGE_V1 | {"backstage.io/v1alpha2"},
    spec=ApiSpec,
    pick_spec=pick_api_spec,
    refs=(RefField("owner", OWNED_BY, "group"), RefField("system", PART_OF, "system")),
)
