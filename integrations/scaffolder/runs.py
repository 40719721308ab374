"""Every scaffold run is a row. A run claims its name first (``claimed_name`` is unique), so
of two people creating the same name at once exactly one goes on; the claim is released when
the run ends, by which time the catalog and the repository guard the name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from catalog.database import as_utc, writer
from integrations.errors import NameTaken
from integrations.scaffolder.tables import scaffold_runs

__all__ = [
    "RunStatus",
    "ScaffoldRun",
    "claim_run",
    "finish_run",
    "mask_secrets",
    "recent_runs",
    "set_step",
]

RunStatus = Literal["running", "succeeded", "failed"]
_SECRET = re.compile(r"pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential", re.I)


@dataclass(frozen=True, slots=True)
class ScaffoldRun:
    """One row of ``scaffold_runs``."""

    id: int
    template: str
    name: str
    requested_by: str
    requested_by_email: str
    trigger: str
    values: dict[str, Any]
    status: RunStatus
    step: str
    started_at: datetime
    finished_at: datetime | None
    repository_url: str | None
    entity_ref: str | None
    error: str | None

    @property
    def seconds(self) -> float | None:
        """How long it took (None while running)."""
        if self.finished_at is None:
            return None
        return (as_utc(self.finished_at) - as_utc(self.started_at)).total_seconds()


def mask_secrets(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with anything whose key looks secret replaced by ``***``."""
    return {k: "***" if _SECRET.search(k) else v for k, v in values.items()}


def claim_run(
    engine: Engine,
    *,
    template: str,
    name: str,
    requested_by: str,
    email: str,
    trigger: str,
    values: Mapping[str, Any],
    stale_after: timedelta,
) -> int:
    """Start a run holding ``name``; NameTaken (recorded as a failed run) if another live
    run holds it. A claim older than ``stale_after`` belongs to a dead process: taken over."""
    row = {
        "template": template,
        "name": name,
        "requested_by": requested_by,
        "requested_by_email": email,
        "trigger": trigger,
        "submitted_values": mask_secrets(values),
        "status": "running",
        "step": "claimed",
    }
    for _ in range(2):
        now = datetime.now(UTC)
        try:
            with writer(engine).begin() as conn:
                return int(
                    conn.execute(
                        insert(scaffold_runs)
                        .values(row | {"claimed_name": name, "started_at": now})
                        .returning(scaffold_runs.c.id)
                    ).scalar_one()
                )
        except IntegrityError:
            holder = _holder(engine, name)
            if holder is None:
                continue
            if now - as_utc(holder.started_at) > stale_after:
                finish_run(engine, holder.id, status="failed", error="abandoned (no answer)")
                continue
            message = (
                f"{holder.requested_by_email} is creating {name} right now; "
                "choose another name or wait for their run to finish."
            )
            with writer(engine).begin() as conn:
                conn.execute(
                    insert(scaffold_runs).values(
                        row
                        | {
                            "status": "failed",
                            "step": "claimed",
                            "started_at": now,
                            "finished_at": now,
                            "error": message,
                        }
                    )
                )
            raise NameTaken(message) from None
    raise NameTaken(f"{name} is being created by another run; try again in a moment.")


def set_step(engine: Engine, run_id: int, step: str) -> None:
    """Record which step a run is at (for the admin listing)."""
    with writer(engine).begin() as conn:
        conn.execute(update(scaffold_runs).where(scaffold_runs.c.id == run_id).values(step=step))


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: RunStatus,
    repository_url: str | None = None,
    entity_ref: str | None = None,
    error: str | None = None,
) -> None:
    """End a run and release its name."""
    with writer(engine).begin() as conn:
        conn.execute(
            update(scaffold_runs)
            .where(scaffold_runs.c.id == run_id)
            .values(
                status=status,
                step="done" if status == "succeeded" else "failed",
                claimed_name=None,
                finished_at=datetime.now(UTC),
                repository_url=repository_url,
                entity_ref=entity_ref,
                error=error,
            )
        )


def recent_runs(engine: Engine, *, limit: int = 20) -> list[ScaffoldRun]:
    """The newest runs first."""
    query = select(scaffold_runs).order_by(scaffold_runs.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [_run(row) for row in conn.execute(query)]


def _holder(engine: Engine, name: str) -> ScaffoldRun | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(scaffold_runs).where(scaffold_runs.c.claimed_name == name)
        ).first()
    return _run(row) if row is not None else None


def _run(row: Any) -> ScaffoldRun:
    return ScaffoldRun(
        id=row.id,
        template=row.template,
        name=row.name,
        requested_by=row.requested_by,
        requested_by_email=row.requested_by_email,
        trigger=row.trigger,
        values=dict(row.submitted_values or {}),
        status=row.status,
        step=row.step,
        started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
        repository_url=row.repository_url,
        entity_ref=row.entity_ref,
        error=row.error,
    )
