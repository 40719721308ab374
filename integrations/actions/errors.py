"""Errors of day-2 actions, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
├── ActionRefused       the action may not run now: a precondition, a switch, a limit
│   └── ActionBusy      another action on the same workload is running, or cooled down
├── ActionFailed        the change was tried and did not happen (or could not be verified)
└── AuditWriteFailed    the record could not be written, so nothing was done
"""

from __future__ import annotations

from catalog.errors import GreenroomError

__all__ = ["ActionBusy", "ActionFailed", "ActionRefused", "AuditWriteFailed"]


class ActionRefused(GreenroomError):
    """The action was not started; the message says why and what would let it run."""


class ActionBusy(ActionRefused):
    """One action per workload at a time, then a cooldown: this one has to wait."""


class ActionFailed(GreenroomError):
    """The change was sent and the cluster or CI host refused it, or it did not take effect."""


class AuditWriteFailed(GreenroomError):
    """Nothing may be done that is not recorded: the record failed, so the action stopped."""
