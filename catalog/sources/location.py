"""A Backstage Location file, followed through ``target``/``targets`` (relative paths and globs),
recursively, reading each file once (so cycles end).

Targets are read only from inside the source's root. A target that is missing, that leads out
of the root (``../``, an absolute path, a symlink) or both gets the same error, which names the
target as written and nothing of the host: what exists outside the source is never revealed,
and whether a path leaves the root is decided from its text before anything outside is touched.
"""

from __future__ import annotations

import glob
import os
from collections import deque
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from catalog.errors import SourceUnavailable
from catalog.kinds import LocationSpec
from catalog.sources._files import FileTree, WatchedTree
from catalog.sources.base import FileReaderLike, Problem, ScannedFile
from catalog.sources.read_ahead import ReadAhead

__all__ = ["LocationSource"]

_GLOB_CHARS = frozenset("*?[")


class LocationSource(WatchedTree):
    """Reads ``path`` and every file its Location entities point at, staying inside ``root``."""

    def __init__(
        self, name: str, path: Path, *, root: Path | None = None, repo_dir: Path | None = None
    ) -> None:
        self.name = name
        self.path = path
        self.root = root or path.parent
        self.repo_dir = repo_dir
        self._tree: FileTree | None = None

    def _identity(self) -> str:
        repo = os.path.realpath(self.repo_dir) if self.repo_dir else ""
        return f"location\0{os.path.realpath(self.path)}\0{os.path.realpath(self.root)}\0{repo}"

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        if not self.path.is_file():
            raise SourceUnavailable(f"source {self.name!r}: {self.path} is not a readable file")
        tree = FileTree(str(self.root), repo_dir=str(self.repo_dir) if self.repo_dir else None)
        self._tree = tree
        queue: deque[str] = deque([os.path.realpath(self.path)])
        seen: set[str] = set()
        # Files are read ahead (in parallel) in queue order and handled in that order, so the
        # walk is the one a file-by-file read makes: a file taken early is one it would skip.
        ahead, taken = ReadAhead(reader), deque[str]()
        while queue or taken:
            while queue and not ahead.full:
                file = queue.popleft()
                if file in seen:
                    continue
                seen.add(file)
                had_locations = any(
                    r.startswith("location:") for r in reader.previous_refs(tree.relative(file))
                )
                read = partial(tree.read, path=file, source=self.name, force_parse=had_locations)
                ahead.read(read)
                taken.append(file)
            if not taken:
                break
            file, scanned = taken.popleft(), ahead.next()
            scanned.follows_locations = True
            for sourced in scanned.entities:
                entity = sourced.parsed.entity
                if entity.kind != "Location":
                    continue
                spec = LocationSpec.model_validate(entity.spec)
                for target in spec.all_targets():
                    found, reason = _resolve(target, spec, file, tree)
                    if reason is not None:
                        scanned.problems.append(
                            Problem(
                                "error",
                                f"Location {entity.metadata.name}: {reason}",
                                scanned.path,
                                sourced.origin.line,
                                str(entity.ref),
                                "spec.targets",
                            )
                        )
                        missing = os.path.normpath(os.path.join(os.path.dirname(file), target))
                        if missing.startswith(tree.root + os.sep):
                            yield ScannedFile(tree.relative(missing), "", keep_all_previous=True)
                    queue.extend(f for f in found if f not in seen)
            yield scanned


def _resolve(
    target: str, spec: LocationSpec, file: str, tree: FileTree
) -> tuple[list[str], str | None]:
    kind = spec.type or "file"
    if kind != "file":
        return [], (
            f"target {target!r} has type {kind!r}; a location source reads files only "
            "(use a git or backstage source for remote catalogs)"
        )
    if target.endswith("/"):
        return [], f"target {target!r} is a folder; a file target must name a file"
    not_found = f"target {target} does not exist in this source (targets are files inside it)"
    path = os.path.normpath(os.path.join(os.path.dirname(file), target))
    if not path.startswith(tree.root + os.sep):
        return [], not_found  # decided from the text alone
    if ".git" in tree.relative(path).split("/"):
        tree.read_git_folder()
    tree.watch_target(path)
    if _GLOB_CHARS & set(target):
        # A match outside the root (through a symlink, or "**/..") counts as no match.
        matches = sorted(glob.glob(path, recursive=True))
        return [m for m in matches if os.path.isfile(m) and tree.contains(m)], None
    if os.path.isfile(path) and tree.contains(path):
        return [path], None
    return [], None if spec.presence == "optional" else not_found
