"""Group: a team or organisational unit, in a tree (``parent`` / ``children``)."""

from __future__ import annotations

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, RefField, SpecModel
from catalog.relations import CHILD_OF, HAS_MEMBER, PARENT_OF


class Profile(SpecModel):
    """How a group or user is shown."""

    displayName: str | None = None
    email: str | None = None
    picture: str | None = None


class GroupSpec(SpecModel):
    """``spec`` of a Group; ``children`` is required but may be empty."""

    type: NonEmptyStr
    profile: Profile | None = None
    parent: NonEmptyStr | None = None
    children: list[NonEmptyStr]
    members: list[NonEmptyStr] = []


GROUP = KindSchema(
    kind="Group",
    api_versions=BACKSTAGE_V1,
    spec=GroupSpec,
    refs=(
        RefField("parent", CHILD_OF, "group"),
        RefField("children", PARENT_OF, "group", many=True),
        RefField("members", HAS_MEMBER, "user", many=True),
    ),
)
