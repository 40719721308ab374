"""Where built sites live on disk, and the atomic swap that publishes a new one.

``<root>/<namespace>/<kind>/<name>`` is a symlink to ``<root>/.builds/<ns>/<kind>/<name>/<id>``.
A new site is built into a fresh ``<id>`` folder and published by replacing the symlink with
``os.replace`` (atomic on POSIX): readers see the old site or the new one, never half of each,
and a failed build never touches the live site. Builds of one entity are serialised with a
lock file, so two processes cannot publish over each other.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from catalog import EntityRef

__all__ = ["SiteBusy", "SiteStorage"]

_PART = re.compile(r"^[a-z0-9][a-z0-9._-]{0,252}$")


class SiteBusy(Exception):
    """Another process is building this entity's docs right now."""


class SiteStorage:
    """The folder of built sites."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def parts(ref: EntityRef) -> tuple[str, str, str]:
        """The ref as three safe path segments (refs are validated, this is the last guard)."""
        parts = (ref.namespace, ref.kind, ref.name)
        if not all(_PART.match(p) and ".." not in p for p in parts):
            raise ValueError(f"{ref} cannot be used as a path")
        return parts

    def link(self, ref: EntityRef) -> Path:
        """The live path of the entity's site (a symlink once something was built)."""
        return self.root.joinpath(*self.parts(ref))

    def live(self, ref: EntityRef) -> Path | None:
        """The folder of the served site, or None."""
        link = self.link(ref)
        if not link.is_symlink():
            return None
        target = link.resolve()
        builds = (self.root / ".builds").resolve()
        return target if target.is_relative_to(builds) and target.is_dir() else None

    def new_build(self, ref: EntityRef) -> Path:
        """A fresh, empty folder for the next build of ``ref``."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.root.joinpath(".builds", *self.parts(ref), f"{stamp}-{uuid.uuid4().hex[:8]}")
        path.mkdir(parents=True)
        return path

    def scratch(self) -> Path:
        """A private temporary folder (staging copies, home of the build process)."""
        path = self.root / ".tmp" / uuid.uuid4().hex
        path.mkdir(parents=True)
        return path

    def publish(self, ref: EntityRef, build: Path) -> None:
        """Make ``build`` the live site of ``ref`` atomically, then delete the old one."""
        link = self.link(ref)
        link.parent.mkdir(parents=True, exist_ok=True)
        previous = self.live(ref)
        temp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
        temp.symlink_to(os.path.relpath(build, link.parent))
        temp.replace(link)
        if previous is not None and previous != build.resolve():
            shutil.rmtree(previous, ignore_errors=True)

    def remove(self, ref: EntityRef) -> None:
        """Delete the entity's site and every build of it."""
        link = self.link(ref)
        if link.is_symlink():
            link.unlink()
        shutil.rmtree(self.root.joinpath(".builds", *self.parts(ref)), ignore_errors=True)

    def published_refs(self) -> list[EntityRef]:
        """Every entity with a live site on disk."""
        found = []
        for link in self.root.glob("*/*/*"):
            if link.is_symlink() and not link.name.startswith("."):
                namespace, kind, name = link.relative_to(self.root).parts
                found.append(EntityRef(kind, namespace, name))
        return sorted(found)

    @contextmanager
    def lock(self, ref: EntityRef) -> Iterator[None]:
        """Hold the build lock of ``ref``; SiteBusy if another process has it."""
        path = self.root.joinpath(".locks", "__".join(self.parts(ref)) + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SiteBusy(str(ref)) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
