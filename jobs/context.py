"""What a job body receives, and what it may return."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runtime.process import Runtime

if TYPE_CHECKING:
    from jobs.registry import JobRegistry

__all__ = ["JobContext", "JobResult"]

#: A small JSON object stored with the run (e.g. ``{"ts": "1700000000.0001"}``), or None.
JobResult = dict[str, Any] | None


@dataclass(frozen=True)
class JobContext:
    """One run of a job: the process's runtime, the run's parameters and its deadline.

    The body runs in its own process and is cut off at ``deadline``; long bodies check
    ``time_left()`` between steps to stop cleanly before that.
    """

    runtime: Runtime
    kind: str
    params: Mapping[str, Any]
    slot: datetime
    run_id: int
    attempt: int
    trigger: str
    deadline: datetime
    logger: logging.Logger
    #: every job kind the worker knows (housekeeping reads their prune rules)
    registry: JobRegistry

    def time_left(self) -> float:
        """Seconds until the run is cut off (negative once past)."""
        return (self.deadline - datetime.now(UTC)).total_seconds()

    @property
    def expired(self) -> bool:
        """Past the deadline: stop now."""
        return self.time_left() <= 0
