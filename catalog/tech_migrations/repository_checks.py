"""Checks on the files in an entity's folder: a path (or glob) exists or not, a file's text
matches a regular expression or not. Files are read up to ``FileLimits.max_bytes`` and never
outside the folder (symlinks that leave it are ignored)."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
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

    def run(self, facts: EntityFacts) -> CheckOutcome:
        folder = facts.directory()
        if folder is None:
            return _UNAVAILABLE
        # the outcome depends only on the folder: entities sharing one are checked once
        key = (id(self), folder)
        outcome = facts.memo.get(key)
        if outcome is None:
            outcome = facts.memo[key] = self.check_folder(folder, facts.limits)
        return outcome

    def check_folder(self, folder: str, limits: FileLimits) -> CheckOutcome:
        """The outcome for one folder on disk."""
        raise NotImplementedError

    def files(self, base: str, limits: FileLimits) -> list[tuple[str, str]]:
        """(full path, path relative to ``base``) of regular files matching ``path`` (a glob
        when it has * ? or [), never outside ``base``. Plain names cost one ``lstat``."""
        if not _is_glob(self.path):
            full = os.path.join(base, self.path)  # noqa: PTH118 - str paths: hot loop
            try:
                mode = os.lstat(full).st_mode
            except OSError:
                return []
            if stat.S_ISREG(mode) and "/" not in self.path:
                return [(full, self.path)]
            return [(full, self.path)] if _inside(full, base) else []
        found = []
        for match in Path(base).glob(self.path):
            full = str(match)
            if _inside(full, base):
                found.append((full, os.path.relpath(full, base)))
            if len(found) >= limits.max_files:
                break
        return sorted(found, key=lambda pair: pair[1])


@lru_cache(maxsize=256)
def _is_glob(path: str) -> bool:
    return bool(_GLOB_CHARS & set(path))


def _inside(full: str, base: str) -> bool:
    """A regular file whose real location (symlinks followed) is under ``base``."""
    try:
        real = os.path.realpath(full)
        root = os.path.realpath(base)
        return real.startswith(root + os.sep) and os.path.isfile(real)  # noqa: PTH113
    except OSError:
        return False


def _read(file: str, limits: FileLimits) -> str:
    with open(file, "rb") as handle:  # noqa: PTH123 - a str path, hot loop
        data = handle.read(limits.max_bytes)
    return data.decode("utf-8", errors="replace")


_UNAVAILABLE = CheckOutcome.errored(REPOSITORY_UNAVAILABLE)


class FileExists(_FileCheck):
    """A file matching ``path`` exists."""

    type: Literal["file-exists"]

    def describe(self) -> str:
        return f"{self.path} exists"

    def check_folder(self, folder: str, limits: FileLimits) -> CheckOutcome:
        if not self.files(folder, limits):
            return CheckOutcome.failed(f"no file {self.path}")
        return _PASS


class FileAbsent(_FileCheck):
    """No file matches ``path``."""

    type: Literal["file-absent"]

    def describe(self) -> str:
        return f"{self.path} does not exist"

    def check_folder(self, folder: str, limits: FileLimits) -> CheckOutcome:
        found = self.files(folder, limits)
        if found:
            return CheckOutcome.failed(f"{found[0][1]} exists and should not")
        return _PASS


class FileMatches(_FileCheck):
    """A file matching ``path`` exists and its text contains a match of ``pattern``
    (``^`` and ``$`` match at line ends)."""

    type: Literal["file-matches"]
    pattern: Pattern

    def describe(self) -> str:
        return f"{self.path} matches /{self.pattern}/"

    def check_folder(self, folder: str, limits: FileLimits) -> CheckOutcome:
        found = self.files(folder, limits)
        if not found:
            return CheckOutcome.failed(f"no file {self.path}")
        for file, name in found:
            try:
                line = first_match_line(
                    self.pattern, _read(file, limits), timeout=limits.regex_timeout
                )
            except OSError as error:
                return CheckOutcome.errored(f"cannot read {name}: {error.strerror}")
            except PatternTimeout as error:
                return CheckOutcome.errored(f"{name}: {error}")
            if line is not None:
                return _PASS
        return CheckOutcome.failed(f"{_names(found)} does not match /{self.pattern}/")


class FileNotMatches(_FileCheck):
    """No file matching ``path`` contains a match of ``pattern`` (no file at all passes)."""

    type: Literal["file-not-matches"]
    pattern: Pattern

    def describe(self) -> str:
        return f"{self.path} does not match /{self.pattern}/"

    def check_folder(self, folder: str, limits: FileLimits) -> CheckOutcome:
        for file, name in self.files(folder, limits):
            try:
                line = first_match_line(
                    self.pattern, _read(file, limits), timeout=limits.regex_timeout
                )
            except OSError as error:
                return CheckOutcome.errored(f"cannot read {name}: {error.strerror}")
            except PatternTimeout as error:
                return CheckOutcome.errored(f"{name}: {error}")
            if line is not None:
                return CheckOutcome.failed(f"{name} line {line} matches /{self.pattern}/")
        return _PASS


def _names(files: list[tuple[str, str]]) -> str:
    names = [name for _, name in files[:3]]
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return ", ".join(names) + more
