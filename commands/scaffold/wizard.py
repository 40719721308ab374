"""What the scaffolding modal remembers between steps, kept in the view's ``private_metadata``
(Slack allows 3000 characters): the chosen template and the values of the last attempt (so
"Edit and try again" refills the form).

No server-side session: any web replica can take the next step. When the values do not fit
they are dropped (the form then shows the defaults again), never the template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["METADATA_LIMIT", "WizardState"]

METADATA_LIMIT = 3000


@dataclass(frozen=True)
class WizardState:
    """The modal's state: the template chosen, and the values of the last attempt."""

    template_id: str | None = None
    values: dict[str, Any] | None = None

    def encode(self) -> str:
        """JSON for ``private_metadata``, at most 3000 characters."""
        for state in (self, replace(self, values=None)):
            data = {"t": state.template_id, "v": state.values}
            text = json.dumps({k: v for k, v in data.items() if v}, separators=(",", ":"))
            if len(text) <= METADATA_LIMIT:
                return text
        return ""

    @classmethod
    def decode(cls, text: str | None) -> WizardState:
        """The state in ``private_metadata``; anything unreadable is an empty state."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        template, values = data.get("t"), data.get("v")
        return cls(
            template if isinstance(template, str) else None,
            values if isinstance(values, dict) else None,
        )
