"""A Backstage Location file, followed through ``target``/``targets`` (relative paths and globs),
recursively, reading each file once (so cycles end)."""

from __future__ import annotations

import glob
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from catalog.errors import SourceUnavailable
from catalog.kinds import LocationSpec
from catalog.sources._files import FileTree
from catalog.sources.base import FileReaderLike, Problem, ScannedFile

__all__ = ["LocationSource"]

_GLOB_CHARS = frozenset("*?[")


class LocationSource:
    """Reads ``path`` and every file its Location entities point at, staying inside ``root``."""

    def __init__(
        self, name: str, path: Path, *, root: Path | None = None, repo_dir: Path | None = None
    ) -> None:
        self.name = name
        self.path = path
        self.root = root or path.parent
        self.repo_dir = repo_dir

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        if not self.path.is_file():
            raise SourceUnavailable(f"source {self.name!r}: {self.path} is not a readable file")
        tree = FileTree(str(self.root), repo_dir=str(self.repo_dir) if self.repo_dir else None)
        queue: deque[str] = deque([os.path.realpath(self.path)])
        seen: set[str] = set()
        while queue:
            file = queue.popleft()
            if file in seen:
                continue
            seen.add(file)
            had_locations = any(
                r.startswith("location:") for r in reader.previous_refs(tree.relative(file))
            )
            scanned = tree.read(reader, file, source=self.name, force_parse=had_locations)
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
    base = os.path.dirname(file)
    if _GLOB_CHARS & set(target):
        relative = sorted(glob.glob(target, root_dir=base, recursive=True))
        matches = [os.path.normpath(os.path.join(base, r)) for r in relative]
        matches = [m for m in matches if os.path.isfile(m)]
    else:
        candidate = os.path.normpath(os.path.join(base, target))
        matches = [candidate] if os.path.isfile(candidate) else []
        if not matches and spec.presence != "optional":
            return [], f"target {target} does not exist"
    inside = [m for m in matches if tree.contains(m)]
    if len(inside) < len(matches):
        return inside, f"target {target!r} points outside the source folder {tree.root}; not read"
    return inside, None
