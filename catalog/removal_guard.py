"""When a sync's removals look like a broken source rather than a clean-up.

A source that suddenly emits much less than it did (a Backstage answering 200 with no items
while it starts, a branch force-pushed empty, a folder mounted late) must not empty the
catalog. A sync that would remove more than ``share`` of a source's entities *and* more than
``floor`` of them is held instead (see ``catalog/holds.py``); the floor lets small sources
change freely, however large the share.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RemovalGuard"]


class RemovalGuard(BaseModel):
    """``catalog.removal_guard`` (and a source's own ``removal_guard``) in greenroom.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="hold when a sync would remove more than this share of a source (1: never)",
    )
    floor: int = Field(
        default=10, ge=0, description="...and more than this many entities (0: any number)"
    )

    def holds(self, removing: int, stored: int) -> bool:
        """Whether removing ``removing`` of a source's ``stored`` entities needs an admin."""
        return removing > self.floor and removing > self.share * stored
