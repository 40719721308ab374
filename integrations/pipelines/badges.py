"""Pipeline badges for the Home tab and team pages: the latest sweep's state per pipeline,
read in one query (no engine is asked)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from catalog import EntityRef, parse_ref
from catalog.database import as_utc
from integrations.pipelines.model import PipelineState
from integrations.pipelines.tables import pipeline_health

__all__ = ["PipelineBadge", "pipeline_badges"]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PipelineBadge:
    """A pipeline's state as of ``checked_at``, with the line that explains it."""

    entity: EntityRef
    state: PipelineState
    checked_at: datetime
    last_success: datetime | None
    headline: str
    late: tuple[tuple[str, int], ...]  # (dataset ref, seconds late)


def pipeline_badges(engine: Engine, refs: Iterable[EntityRef]) -> dict[EntityRef, PipelineBadge]:
    """Badges of those ``refs`` the sweep has checked (absent: never swept, not a pipeline)."""
    wanted = sorted({str(r) for r in refs})
    found: dict[EntityRef, PipelineBadge] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = select(pipeline_health).where(pipeline_health.c.entity_ref.in_(chunk))
            for row in conn.execute(query):
                ref = parse_ref(row.entity_ref)
                found[ref] = PipelineBadge(
                    ref,
                    PipelineState(row.state),
                    as_utc(row.checked_at),
                    as_utc(row.last_success) if row.last_success else None,
                    row.headline,
                    tuple((str(d), int(s)) for d, s in row.late),
                )
    return found
