"""User: a person, member of groups."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.kinds.group import Profile
from catalog.relations import MEMBER_OF


class UserSpec(SpecModel):
    """``spec`` of a User; ``memberOf`` must be present (it may be empty), per Backstage."""

    profile: Profile | None = None
    memberOf: list[NonEmptyStr]


USER = KindSchema(
    kind="User",
    api_versions=BACKSTAGE_V1,
    spec=UserSpec,
    refs=(RefField("memberOf", MEMBER_OF, "group", many=True),),
)
