"""Health badges for the Home tab and team pages: the latest sweep's status per service,
read in one query (no cluster is asked)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from catalog import EntityRef, parse_ref
from catalog.database import as_utc
from integrations.kubernetes.summary import HealthStatus
from integrations.kubernetes.tables import k8s_health

__all__ = ["HealthBadge", "health_badges"]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class HealthBadge:
    """A service's status as of ``checked_at``, with the line that explains it."""

    entity: EntityRef
    status: HealthStatus
    checked_at: datetime
    critical: int
    warnings: int
    headline: str
    failed_clusters: tuple[tuple[str, str], ...]  # (cluster, reason)


def health_badges(engine: Engine, refs: Iterable[EntityRef]) -> dict[EntityRef, HealthBadge]:
    """Badges of those ``refs`` the sweep has checked (absent: never checked, no annotation)."""
    wanted = sorted({str(r) for r in refs})
    found: dict[EntityRef, HealthBadge] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for row in conn.execute(select(k8s_health).where(k8s_health.c.entity_ref.in_(chunk))):
                ref = parse_ref(row.entity_ref)
                checked = row.checked_at
                found[ref] = HealthBadge(
                    entity=ref,
                    status=HealthStatus(row.status),
                    checked_at=as_utc(checked),
                    critical=row.critical,
                    warnings=row.warnings,
                    headline=row.headline,
                    failed_clusters=tuple((str(c), str(r)) for c, r in row.failed_clusters),
                )
    return found
