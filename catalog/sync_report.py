"""What a sync did, per source and as a whole: stored in ``sync_runs`` as JSON, printed by
``greenroom sync``, summarised by the worker and in Slack."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from catalog.holds import HoldNotice
from catalog.sources import Problem

__all__ = [
    "EXIT_FAILED",
    "EXIT_HELD",
    "Conflict",
    "DanglingRef",
    "SourceReport",
    "SourceStatus",
    "SyncReport",
]

#: ``greenroom sync`` exits with this when no source could be read...
EXIT_FAILED = 1
#: ...and with this when a source is held for an admin (its entities were kept).
EXIT_HELD = 3

SourceStatus = Literal["ok", "held", "unavailable", "failed"]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two places emit the same ref; ``kept`` was first and keeps it."""

    ref: str
    kept: str
    rejected: str
    rejected_source: str

    @property
    def message(self) -> str:
        return (
            f"Detected conflicting entityRef {self.ref} already referenced by {self.kept} "
            f"and now also {self.rejected}"
        )


@dataclass(frozen=True, slots=True)
class DanglingRef:
    """A relation whose other end is not in the catalog."""

    declared_by: str
    type: str
    missing: str


@dataclass(frozen=True)
class SourceReport:
    """What one source did in one sync.

    ``ok``: stored. ``held``: read, but its removals wait for an admin (``hold``), so nothing
    of it changed. ``unavailable``: could not be read (``error``); kept as it was. ``failed``:
    greenroom itself failed on it (``error``, traceback in the log); kept as it was. ``hold``
    is also set, with its ``resolution``, when this sync ended the source's hold.
    """

    name: str
    status: SourceStatus = "ok"
    error: str | None = None
    files: int = 0
    files_unchanged: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    hold: HoldNotice | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.adopted)


@dataclass(frozen=True)
class SyncReport:
    """A whole sync run; stored in ``sync_runs`` and printed by ``greenroom sync``.

    ``removed_sources`` are sources no longer in greenroom.yaml whose entities are still in the
    catalog (or were removed by this run: their ``resolution`` says so). ``error`` is set when
    the run itself broke off.
    """

    trigger: str
    started_at: datetime
    finished_at: datetime | None = None
    run_id: int | None = None
    sources: list[SourceReport] = field(default_factory=list)
    removed_sources: list[HoldNotice] = field(default_factory=list)
    dangling: list[DanglingRef] = field(default_factory=list)
    dangling_total: int = 0
    error: str | None = None

    @property
    def status(self) -> Literal["ok", "partial", "held", "failed"]:
        """``failed`` when no source was read, else ``held`` when one waits for an admin,
        else ``partial`` when one could not be read."""
        read = [s for s in self.sources if s.status in {"ok", "held"}]
        if self.error or not read:
            return "failed"
        if any(s.status == "held" for s in self.sources):
            return "held"
        return "ok" if len(read) == len(self.sources) else "partial"

    @property
    def changed(self) -> bool:
        """Whether any entity was added, updated or removed."""
        removed = any(n.resolution and n.removing for n in self.removed_sources)
        return removed or any(s.changed for s in self.sources)

    @property
    def held(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "held"]

    @property
    def exit_code(self) -> int:
        """0, or EXIT_FAILED when no source could be read, or EXIT_HELD when one is held."""
        status = self.status
        return EXIT_FAILED if status == "failed" else EXIT_HELD if status == "held" else 0

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON types."""
        data = asdict(self)
        data["status"] = self.status
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        for source, report in zip(data["sources"], self.sources, strict=True):
            source["errors"] = len(report.errors)
            source["warnings"] = len(report.warnings)
            source["conflicts"] = [
                c | {"message": x.message}
                for c, x in zip(source["conflicts"], report.conflicts, strict=True)
            ]
        return data
