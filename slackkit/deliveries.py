"""Answer each Slack delivery once, across every web replica.

Slack re-sends an event it thinks was not received (``X-Slack-Retry-Num``), and a proxy or a
user double-click can deliver the same request twice. Before doing anything visible, a
listener claims the delivery's key in ``slack_deliveries``; only the first claim wins. Keys are
the event id for events, the trigger id for commands and interactions (unique per invocation),
else a hash of the payload. Claims older than a day are purged now and then.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from catalog.database import writer
from slackkit.tables import slack_deliveries

__all__ = ["DeliveryLog", "delivery_key"]

_PURGE_EVERY = timedelta(minutes=10)
#: Built once: every answer claims its delivery.
_CLAIM = insert(slack_deliveries)


def delivery_key(body: dict[str, Any]) -> str:
    """The key that is equal for two deliveries of the same request."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"[:255]
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"[:255]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"body:{digest}"


class DeliveryLog:
    """Claims on deliveries, stored in the shared database."""

    def __init__(self, engine: Engine, *, keep: timedelta = timedelta(days=1)) -> None:
        self.engine = engine
        self.keep = keep
        self._purged_at = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()
        self._writer = writer(engine)

    def claim(self, key: str) -> bool:
        """True for the first claim of ``key``; False when it was already claimed."""
        now = datetime.now(UTC)
        try:
            with self._writer.begin() as conn:
                conn.execute(_CLAIM, {"key": key, "received_at": now})
        except IntegrityError:
            return False
        self._purge(now)
        return True

    def _purge(self, now: datetime) -> None:
        with self._lock:
            if now - self._purged_at < _PURGE_EVERY:
                return
            self._purged_at = now
        with writer(self.engine).begin() as conn:
            conn.execute(
                delete(slack_deliveries).where(slack_deliveries.c.received_at < now - self.keep)
            )
