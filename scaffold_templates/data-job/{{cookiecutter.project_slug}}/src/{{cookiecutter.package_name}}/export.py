"""Exporting one day of a table into its own partition, idempotently."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, select

from {{ cookiecutter.package_name }}.settings import JobSettings


@dataclass(frozen=True)
class ExportResult:
    """What a run did: the partition file, how many rows, whether it was already there."""

    path: Path
    rows: int
    skipped: bool


def partition_path(settings: JobSettings, day: date) -> Path:
    """Where the partition of ``day`` lives."""
    folder = settings.output_dir / settings.table / f"date={day.isoformat()}"
    return folder / f"part-0000.{settings.output_format}"


def export_day(
    engine: Engine,
    settings: JobSettings,
    day: date,
    *,
    force: bool = False,
) -> ExportResult:
    """Write the day's rows to its partition (a temporary file renamed into place)."""
    target = partition_path(settings, day)
    if target.exists() and not force:
        return ExportResult(target, 0, skipped=True)
    table = Table(settings.table, MetaData(), autoload_with=engine)
    query = select(table)
    if settings.date_column:
        start = datetime.combine(day, time.min)
        column = table.c[settings.date_column]
        query = query.where(column >= start, column < start + timedelta(days=1))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    rows = 0
    with engine.connect() as conn, partial.open("w", encoding="utf-8", newline="") as out:
        result = conn.execute(query)
        columns = list(result.keys())
        writer = csv.writer(out) if settings.output_format == "csv" else None
        if writer is not None:
            writer.writerow(columns)
        for row in result:
            if writer is not None:
                writer.writerow(["" if value is None else value for value in row])
            else:
                record = dict(zip(columns, row, strict=True))
                out.write(json.dumps(record, default=str, sort_keys=True) + "\n")
            rows += 1
    partial.replace(target)
    return ExportResult(target, rows, skipped=False)
