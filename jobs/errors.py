"""The worker's leaves of the error tree (rooted in ``catalog/errors.py``).

GreenroomError
├── ConfigError
│   └── InvalidSchedule     a schedule expression or time zone that cannot be read
└── UnknownJobKind          no registered job kind has that name (``suggestions``)
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog.errors import ConfigError, GreenroomError

__all__ = ["InvalidSchedule", "UnknownJobKind"]

SCHEDULE_FORMS = (
    '"every 15m", "daily 07:00", "weekdays 08:30", "mon 09:00", "mon,thu 9am", "hourly", '
    'or crontab "0 9 * * 1" (day of week 0 or 7 = Sunday)'
)


class InvalidSchedule(ConfigError):
    """A schedule expression that cannot be read; says what was wrong and what would work."""

    def __init__(self, expression: str, problem: str) -> None:
        self.expression = expression
        self.problem = problem
        super().__init__(f"Cannot read schedule {expression!r}: {problem}. Write {SCHEDULE_FORMS}.")


class UnknownJobKind(GreenroomError):
    """No job kind by that name; ``suggestions`` are the registered names that come close."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No job kind named {name!r}.{hint}")
