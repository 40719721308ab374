"""KPI errors, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
└── KpiSourceFailed        a KPI source refused or answered nonsense about one thing
    ├── KpiSourceDown      the whole source is out: unreachable, timed out, token rejected,
    │                      rate limit not lifting (asking about more entities is pointless)
    └── KpiEntityGone      one entity's id is unknown to the source (a deleted service)
"""

from __future__ import annotations

from catalog.errors import GreenroomError

__all__ = ["KpiEntityGone", "KpiSourceDown", "KpiSourceFailed"]


class KpiSourceFailed(GreenroomError):
    """A KPI source could not be read; the message says why in words an operator acts on."""


class KpiSourceDown(KpiSourceFailed):
    """Nothing more can be read from the source this time, whatever is asked."""


class KpiEntityGone(KpiSourceFailed):
    """The source does not know the id an entity's annotation names (404)."""
