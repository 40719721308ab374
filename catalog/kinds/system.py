"""System: a set of components, APIs and resources that together deliver a function."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import OWNED_BY, PART_OF


class SystemSpec(SpecModel):
    """``spec`` of a System."""

    owner: NonEmptyStr
    domain: NonEmptyStr | None = None
    type: NonEmptyStr | None = None


SYSTEM = KindSchema(
    kind="System",
    api_versions=BACKSTAGE_V1,
    spec=SystemSpec,
    refs=(RefField("owner", OWNED_BY, "group"), RefField("domain", PART_OF, "domain")),
)
