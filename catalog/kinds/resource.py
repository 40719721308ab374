"""Resource: infrastructure a component needs (database, bucket, queue)."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import DEPENDENCY_OF, DEPENDS_ON, OWNED_BY, PART_OF


class ResourceSpec(SpecModel):
    """``spec`` of a Resource."""

    type: NonEmptyStr
    owner: NonEmptyStr
    system: NonEmptyStr | None = None
    dependsOn: list[NonEmptyStr] = []
    dependencyOf: list[NonEmptyStr] = []


RESOURCE = KindSchema(
    kind="Resource",
    api_versions=BACKSTAGE_V1,
    spec=ResourceSpec,
    refs=(
        RefField("owner", OWNED_BY, "group"),
        RefField("system", PART_OF, "system"),
        RefField("dependsOn", DEPENDS_ON, None, many=True),
        RefField("dependencyOf", DEPENDENCY_OF, None, many=True),
    ),
)
