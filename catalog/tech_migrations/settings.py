"""``migrations:`` in greenroom.yaml (read by bot/settings.py, handed down frozen)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from catalog.tech_migrations.facts import FileLimits

__all__ = ["MigrationsSettings"]


class MigrationsSettings(BaseModel):
    """Where definitions live, how long history is kept, how much of a repository is read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = Field(default=None, description="folder of definition files")
    snapshot_retention_days: int = Field(default=730, ge=14)
    default_level: str = Field(default="tribe", min_length=1)
    trend_days: int = Field(default=28, ge=7, le=365)
    max_file_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    max_files_per_glob: int = Field(default=200, ge=1, le=100_000)
    regex_timeout_seconds: float = Field(default=1.0, gt=0, le=30)

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
