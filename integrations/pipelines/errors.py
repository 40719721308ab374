"""Errors of pipeline engines, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
└── EngineUnreachable     Airflow or Marquez did not answer (in time), or refused us
    └── EngineAuthFailed  it answered 401/403: the credentials are wrong or lack a permission
"""

from __future__ import annotations

from catalog.errors import GreenroomError

__all__ = ["EngineAuthFailed", "EngineUnreachable"]


class EngineUnreachable(GreenroomError):
    """An engine (Airflow, Marquez) timed out, refused, or answered something unusable."""


class EngineAuthFailed(EngineUnreachable):
    """The engine refused our credentials (401) or their permissions (403)."""
