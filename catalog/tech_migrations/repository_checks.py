"""Checks on the files in an entity's folder: a path (or glob) exists or not, a file's text
matches a regular expression or not. Files are read up to ``FileLimits.max_bytes`` and never
outside the folder (symlinks that leave it are ignored)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import Field, field_validator

from catalog.tech_migrations.check_model import CheckModel, Pattern
from catalog.tech_migrations.facts import EntityFacts, FileLimits
from catalog.tech_migrations.outcome import CheckOutcome
from catalog.tech_migrations.patterns import PatternTimeout, first_match_line

__all__ = ["REPOSITORY_UNAVAILABLE", "FileAbsent", "FileExists", "FileMatches", "FileNotMatches"]

REPOSITORY_UNAVAILABLE = "repository not available"
_GLOB_CHARS = frozenset("*?[")
_PASS = CheckOutcome.passed()


class _FileCheck(CheckModel):
    path: str = Field(min_length=1, max_length=500)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        pure = PurePosixPath(value)
        if pure.is_absolute() or value.startswith("~") or "\\" in value:
            raise ValueError("must be a path relative to the entity's folder, like Dockerfile")
        if ".." in pure.parts:
            raise ValueError("must stay inside the entity's folder (no '..')")
        return value

    def files(self, folder: Path, limits: FileLimits) -> list[Path]:
        """Regular files under ``folder`` matching ``path`` (a glob when it has * ? or [)."""
        root = folder.resolve()
        if not _GLOB_CHARS & set(self.path):
            candidates = [folder / self.path]
        else:
            candidates = []
            for found in folder.glob(self.path):
                candidates.append(found)
                if len(candidates) >= limits.max_files:
                    break
        inside = []
        for candidate in sorted(candidates):
            try:
                resolved = candidate.resolve()
                if resolved.is_relative_to(root) and resolved.is_file():
                    inside.append(candidate)
            except OSError:
                continue
        return inside


def _read(file: Path, limits: FileLimits) -> str:
    with file.open("rb") as handle:
        data = handle.read(limits.max_bytes)
    return data.decode("utf-8", errors="replace")


def _unavailable() -> CheckOutcome:
    return CheckOutcome.errored(REPOSITORY_UNAVAILABLE)


class FileExists(_FileCheck):
    """A file matching ``path`` exists."""

    type: Literal["file-exists"]

    def describe(self) -> str:
        return f"{self.path} exists"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        folder = facts.folder()
        if folder is None:
            return _unavailable()
        if not self.files(folder, facts.limits):
            return CheckOutcome.failed(f"no file {self.path}")
        return _PASS


class FileAbsent(_FileCheck):
    """No file matches ``path``."""

    type: Literal["file-absent"]

    def describe(self) -> str:
        return f"{self.path} does not exist"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        folder = facts.folder()
        if folder is None:
            return _unavailable()
        found = self.files(folder, facts.limits)
        if found:
            return CheckOutcome.failed(f"{_rel(found[0], folder)} exists and should not")
        return _PASS


class FileMatches(_FileCheck):
    """A file matching ``path`` exists and its text contains a match of ``pattern``
    (``^`` and ``$`` match at line ends)."""

    type: Literal["file-matches"]
    pattern: Pattern

    def describe(self) -> str:
        return f"{self.path} matches /{self.pattern}/"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        folder = facts.folder()
        if folder is None:
            return _unavailable()
        found = self.files(folder, facts.limits)
        if not found:
            return CheckOutcome.failed(f"no file {self.path}")
        for file in found:
            try:
                line = first_match_line(
                    self.pattern, _read(file, facts.limits), timeout=facts.limits.regex_timeout
                )
            except OSError as error:
                return CheckOutcome.errored(f"cannot read {_rel(file, folder)}: {error.strerror}")
            except PatternTimeout as error:
                return CheckOutcome.errored(f"{_rel(file, folder)}: {error}")
            if line is not None:
                return _PASS
        return CheckOutcome.failed(f"{_names(found, folder)} does not match /{self.pattern}/")


class FileNotMatches(_FileCheck):
    """No file matching ``path`` contains a match of ``pattern`` (no file at all passes)."""

    type: Literal["file-not-matches"]
    pattern: Pattern

    def describe(self) -> str:
        return f"{self.path} does not match /{self.pattern}/"

    def run(self, facts: EntityFacts) -> CheckOutcome:
        folder = facts.folder()
        if folder is None:
            return _unavailable()
        for file in self.files(folder, facts.limits):
            try:
                line = first_match_line(
                    self.pattern, _read(file, facts.limits), timeout=facts.limits.regex_timeout
                )
            except OSError as error:
                return CheckOutcome.errored(f"cannot read {_rel(file, folder)}: {error.strerror}")
            except PatternTimeout as error:
                return CheckOutcome.errored(f"{_rel(file, folder)}: {error}")
            if line is not None:
                return CheckOutcome.failed(
                    f"{_rel(file, folder)} line {line} matches /{self.pattern}/"
                )
        return _PASS


def _rel(file: Path, folder: Path) -> str:
    return file.relative_to(folder).as_posix()


def _names(files: list[Path], folder: Path) -> str:
    names = [_rel(f, folder) for f in files[:3]]
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return ", ".join(names) + more
