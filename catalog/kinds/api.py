"""API: an interface a component provides (OpenAPI, AsyncAPI, GraphQL, gRPC, MCP server...)."""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import OWNED_BY, PART_OF

#: API types described by endpoints (``remotes``) instead of a ``definition`` text.
REMOTE_API_TYPES = frozenset({"mcp-server", "ai-model-server"})


class ApiRemote(SpecModel):
    """One endpoint of a remote-described API."""

    type: NonEmptyStr
    url: NonEmptyStr


class ApiSpec(SpecModel):
    """``spec`` of an API: a ``definition``, or ``remotes`` for MCP and model servers."""

    type: NonEmptyStr
    lifecycle: NonEmptyStr
    owner: NonEmptyStr
    definition: NonEmptyStr | None = None
    remotes: list[ApiRemote] | None = None
    system: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _definition_or_remotes(self) -> Self:
        if self.type in REMOTE_API_TYPES:
            if not self.remotes:
                raise ValueError(f"an API of type {self.type} needs at least one entry in remotes")
        elif self.definition is None:
            raise ValueError("definition is required")
        return self


API = KindSchema(
    kind="API",
    api_versions=BACKSTAGE_V1 | {"backstage.io/v1alpha2"},
    spec=ApiSpec,
    refs=(RefField("owner", OWNED_BY, "group"), RefField("system", PART_OF, "system")),
)
