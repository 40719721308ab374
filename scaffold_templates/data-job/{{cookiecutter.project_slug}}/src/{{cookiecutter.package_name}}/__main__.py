"""Run the job once (see ``--help``)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine

from {{ cookiecutter.package_name }}.export import export_day
from {{ cookiecutter.package_name }}.settings import JobSettings

PROG = "{{ cookiecutter.project_slug }}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Export one day of a table.")
    parser.add_argument("--date", type=date.fromisoformat, help="default: yesterday (UTC)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing partition")
    args = parser.parse_args(argv)
    try:
        settings = JobSettings.from_env()
    except ValueError as error:
        parser.error(str(error))
    day = args.date or datetime.now(UTC).date() - timedelta(days=1)
    engine = create_engine(settings.database_url)
    try:
        result = export_day(engine, settings, day, force=args.force)
    finally:
        engine.dispose()
    verb = "already exported" if result.skipped else f"wrote {result.rows} rows to"
    print(f"{day.isoformat()}: {verb} {result.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
