"""A Backstage Location file, followed through ``target``/``targets`` (relative paths and globs),
recursively, reading each file once (so cycles end)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

from catalog.errors import SourceUnavailable
from catalog.kinds import LocationSpec
from catalog.sources._files import read_file
from catalog.sources.base import FileReaderLike, Problem, ScannedFile

__all__ = ["LocationSource"]

_GLOB_CHARS = set("*?[")


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
        root = self.root.resolve()
        queue: deque[Path] = deque([self.path.resolve()])
        seen: set[Path] = set()
        while queue:
            file = queue.popleft()
            if file in seen:
                continue
            seen.add(file)
            rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
            had_locations = any(r.startswith("location:") for r in reader.previous_refs(rel))
            scanned = read_file(
                reader,
                file,
                source=self.name,
                root=root,
                repo_dir=self.repo_dir,
                force_parse=had_locations,
            )
            for sourced in scanned.entities:
                entity = sourced.parsed.entity
                if entity.kind != "Location":
                    continue
                spec = LocationSpec.model_validate(entity.spec)
                for target in spec.all_targets():
                    found, reason = self._resolve(target, spec, file, root)
                    if reason is not None:
                        problem = Problem(
                            "error",
                            f"Location {entity.metadata.name}: {reason}",
                            rel,
                            sourced.origin.line,
                            str(entity.ref),
                            "spec.targets",
                        )
                        scanned.problems.append(problem)
                        missing = (file.parent / target).resolve()
                        if missing.is_relative_to(root):
                            yield ScannedFile(
                                missing.relative_to(root).as_posix(), "", keep_all_previous=True
                            )
                    queue.extend(f for f in found if f not in seen)
            yield scanned

    def _resolve(
        self, target: str, spec: LocationSpec, file: Path, root: Path
    ) -> tuple[list[Path], str | None]:
        kind = spec.type or "file"
        if kind != "file":
            return [], (
                f"target {target!r} has type {kind!r}; a location source reads files only "
                "(use a git or backstage source for remote catalogs)"
            )
        if target.endswith("/"):
            return [], f"target {target!r} is a folder; a file target must name a file"
        if _GLOB_CHARS & set(target):
            base = file.parent
            pattern = target[2:] if target.startswith("./") else target
            matches = sorted(p.resolve() for p in base.glob(pattern) if p.is_file())
        else:
            candidate = (file.parent / target).resolve()
            matches = [candidate] if candidate.is_file() else []
            if not matches and spec.presence != "optional":
                return [], f"target {target} does not exist"
        outside = [m for m in matches if not m.is_relative_to(root)]
        if outside:
            return [m for m in matches if m.is_relative_to(root)], (
                f"target {target!r} points outside the source folder {root}; not read"
            )
        return matches, None
