"""Location: points at more catalog files (``target`` / ``targets``)."""

from __future__ import annotations

from typing import Literal

from catalog.kinds._base import BACKSTAGE_V1, KindSchema, NonEmptyStr, SpecModel


class LocationSpec(SpecModel):
    """``spec`` of a Location; ``target`` and ``targets`` are merged."""

    type: NonEmptyStr | None = None
    target: NonEmptyStr | None = None
    targets: list[NonEmptyStr] = []
    presence: Literal["required", "optional"] | None = None

    def all_targets(self) -> list[str]:
        """``target`` followed by ``targets``."""
        return ([self.target] if self.target else []) + list(self.targets)


LOCATION = KindSchema(kind="Location", api_versions=BACKSTAGE_V1, spec=LocationSpec)
