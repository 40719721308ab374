"""Domain: a business area grouping systems."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import OWNED_BY, PART_OF


class DomainSpec(SpecModel):
    """``spec`` of a Domain."""

    owner: NonEmptyStr
    subdomainOf: NonEmptyStr | None = None
    type: NonEmptyStr | None = None


DOMAIN = KindSchema(
    kind="Domain",
    api_versions=BACKSTAGE_V1,
    spec=DomainSpec,
    refs=(RefField("owner", OWNED_BY, "group"), RefField("subdomainOf", PART_OF, "domain")),
)
