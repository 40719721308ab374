"""``migrations:`` in greenroom.yaml (read by runtime/settings.py, handed down frozen)."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalog.tech_migrations.facts import FileLimits

__all__ = ["QUALITY_SUBJECT", "DigestConfig", "MigrationsSettings"]

#: The digest subject that reports on the catalog itself rather than on a migration.
QUALITY_SUBJECT = "catalog-quality"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")
_SUBJECT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class DigestConfig(BaseModel):
    """A channel's digest subscription written in greenroom.yaml (``migrations.digests``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(description="channel id, like C0123ABCD")
    subject: str = Field(description="a migration id, or catalog-quality")
    when: str = Field(min_length=1, description='"mon 09:00", "weekdays 08:30", crontab')
    timezone: str | None = Field(default=None, description="IANA zone (default: the worker's)")

    @field_validator("channel")
    @classmethod
    def _channel_id(cls, value: str) -> str:
        if not _CHANNEL_ID.match(value.strip()):
            raise ValueError(
                f"{value!r} is not a channel id; use the id (like C0123ABCD) shown at the "
                "bottom of the channel's details"
            )
        return value.strip()

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        if not _SUBJECT.match(value.strip().lower()):
            raise ValueError(f"{value!r} is not a migration id or {QUALITY_SUBJECT}")
        return value.strip().lower()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)"
            ) from None
        return value


class MigrationsSettings(BaseModel):
    """Where definitions live, how long history is kept, how much of a repository is read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = Field(default=None, description="folder of definition files")
    snapshot_retention_days: int = Field(
        default=730, ge=14, description="daily progress kept this long"
    )
    default_level: str = Field(
        default="tribe", min_length=1, description="group type leaderboards rank by default"
    )
    trend_days: int = Field(default=28, ge=7, le=365, description="window of the trend line")
    max_file_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="larger repository files are not read by checks",
    )
    max_files_per_glob: int = Field(
        default=200, ge=1, le=100_000, description="files one check's glob may match"
    )
    regex_timeout_seconds: float = Field(
        default=1.0, gt=0, le=30, description="one check's regular expression on one file"
    )
    digests: list[DigestConfig] = Field(default=[], description="channel digest subscriptions")

    def folder(self, base_dir: Path) -> Path | None:
        """The definitions folder; a relative ``path`` starts at ``base_dir``."""
        if self.path is None:
            return None
        return self.path if self.path.is_absolute() else base_dir / self.path

    @property
    def file_limits(self) -> FileLimits:
        return FileLimits(
            max_bytes=self.max_file_bytes,
            max_files=self.max_files_per_glob,
            regex_timeout=self.regex_timeout_seconds,
        )
