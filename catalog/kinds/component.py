"""Component: a piece of software (service, website, library)."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import (
    CONSUMES_API,
    DEPENDENCY_OF,
    DEPENDS_ON,
    OWNED_BY,
    PART_OF,
    PROVIDES_API,
)


class ComponentSpec(SpecModel):
    """``spec`` of a Component."""

    type: NonEmptyStr
    lifecycle: NonEmptyStr
    owner: NonEmptyStr
    system: NonEmptyStr | None = None
    subcomponentOf: NonEmptyStr | None = None
    providesApis: list[NonEmptyStr] = []
    consumesApis: list[NonEmptyStr] = []
    dependsOn: list[NonEmptyStr] = []
    dependencyOf: list[NonEmptyStr] = []


COMPONENT = KindSchema(
    kind="Component",
    api_versions=BACKSTAGE_V1,
    spec=ComponentSpec,
    refs=(
        RefField("owner", OWNED_BY, "group"),
        RefField("system", PART_OF, "system"),
        RefField("subcomponentOf", PART_OF, "component"),
        RefField("providesApis", PROVIDES_API, "api", many=True),
        RefField("consumesApis", CONSUMES_API, "api", many=True),
        RefField("dependsOn", DEPENDS_ON, None, many=True),
        RefField("dependencyOf", DEPENDENCY_OF, None, many=True),
    ),
)
