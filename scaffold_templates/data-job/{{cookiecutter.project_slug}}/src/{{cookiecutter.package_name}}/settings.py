"""Configuration, read once from the environment (the CronJob sets it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("jsonl", "csv")
DEFAULT_FORMAT = "{{ cookiecutter.output_format }}"
REQUIRED = ("SOURCE_DATABASE_URL", "SOURCE_TABLE", "OUTPUT_DIR")


@dataclass(frozen=True)
class JobSettings:
    """Where to read from, what, and where to write."""

    database_url: str
    table: str
    output_dir: Path
    output_format: str = DEFAULT_FORMAT
    date_column: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> JobSettings:
        """Settings from environment variables; ValueError names what is missing or wrong."""
        missing = [name for name in REQUIRED if not environ.get(name)]
        if missing:
            raise ValueError(f"missing environment variables: {', '.join(missing)}")
        output_format = environ.get("OUTPUT_FORMAT", DEFAULT_FORMAT)
        if output_format not in FORMATS:
            raise ValueError(f"OUTPUT_FORMAT must be one of {', '.join(FORMATS)}")
        return cls(
            database_url=environ["SOURCE_DATABASE_URL"],
            table=environ["SOURCE_TABLE"],
            output_dir=Path(environ["OUTPUT_DIR"]),
            output_format=output_format,
            date_column=environ.get("DATE_COLUMN") or None,
        )
