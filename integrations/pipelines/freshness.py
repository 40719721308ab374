"""Freshness: a dataset is late when the pipeline that writes it has not succeeded within its
expected interval, plus grace. The interval comes from the dataset's
``greenroom.dev/expected-interval``, else the pipeline's, else its schedule (the longest gap
between two runs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from integrations.kubernetes.finding import Severity
from integrations.pipelines.model import EngineReport, Freshness, PipelineFinding, PipelineSpec

__all__ = ["expected_interval", "format_duration", "freshness_of", "late_finding"]


def expected_interval(spec: PipelineSpec, reports: Sequence[EngineReport]) -> timedelta | None:
    """How often the pipeline should succeed: its annotation, else its schedule."""
    if spec.expected_interval is not None:
        return spec.expected_interval
    intervals = [r.interval for r in reports if r.interval is not None]
    return max(intervals) if intervals else None


def freshness_of(
    spec: PipelineSpec,
    reports: Sequence[EngineReport],
    *,
    now: datetime,
    grace: float,
) -> tuple[Freshness, ...]:
    """The freshness of each dataset the pipeline writes (or of the pipeline itself when it
    writes none the catalog knows). Unknown when no engine answered or no interval is known."""
    answered = [r for r in reports if r.answered]
    moments = [r.last_success for r in answered if r.last_success is not None]
    last = max(moments) if moments else None
    default = expected_interval(spec, reports)
    per_dataset = dict(spec.dataset_intervals)
    found = []
    for dataset in spec.writes or (spec.ref,):
        expected = per_dataset.get(dataset, default)
        late_by: timedelta | None = None
        if expected is not None and answered:
            allowed = expected * (1 + grace)
            if last is None:
                late_by = allowed if not any(r.runs for r in answered) else expected
            elif now - last > allowed:
                late_by = now - last - allowed
            if late_by is not None and late_by <= timedelta(0):
                late_by = None
        found.append(Freshness(dataset, spec.ref, expected, last, late_by))
    return tuple(found)


def late_finding(fresh: Freshness) -> PipelineFinding:
    """A late dataset as a finding (one per dataset, so each is told once)."""
    since = (
        f"last written {fresh.last_written:%Y-%m-%d %H:%M} UTC"
        if fresh.last_written
        else "never written successfully"
    )
    every = f"expected every {format_duration(fresh.expected)}" if fresh.expected else ""
    late = format_duration(fresh.late_by) if fresh.late_by else "?"
    return PipelineFinding(
        "dataset-late",
        Severity.WARNING,
        "freshness",
        str(fresh.dataset),
        f"{fresh.dataset.short} is late by {late} ({since}, {every})",
        f"Its writer {fresh.writer.short} has not succeeded within its expected interval, so "
        "whoever reads it sees old data.",
        "Fix or re-run the pipeline; if its rhythm changed, set greenroom.dev/expected-interval "
        "on the dataset.",
    )


def format_duration(value: timedelta | None) -> str:
    """``3h 20m``, ``2d 4h``, ``45m``: a duration as people say it."""
    if value is None:
        return "?"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{max(mins, 1)}m"
