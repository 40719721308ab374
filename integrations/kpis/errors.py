"""KPI errors, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
└── KpiSourceFailed        a KPI source refused, timed out or answered nonsense
    └── KpiEntityGone      one entity's id is unknown to the source (a deleted service)
"""

from __future__ import annotations

from catalog.errors import GreenroomError

__all__ = ["KpiEntityGone", "KpiSourceFailed"]


class KpiSourceFailed(GreenroomError):
    """A KPI source could not be read; the message says why in words an operator acts on."""


class KpiEntityGone(KpiSourceFailed):
    """The source does not know the id an entity's annotation names (404)."""
