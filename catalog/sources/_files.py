from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

from catalog.sources.base import FileReaderLike, Origin, Problem, ScannedFile


def repo_dir_of(file: Path, root: Path) -> Path:
    """The nearest folder up to ``root`` that holds ``.git``, else the file's own folder."""
    for folder in (file.parent, *file.parent.parents):
        if (folder / ".git").exists():
            return folder
        if folder == root:
            break
    return file.parent


def walk_files(root: Path, include: list[str], exclude: list[str]) -> Iterator[Path]:
    """Files under ``root`` matching ``.gitignore``-style patterns, sorted, never leaving root."""
    wanted = pathspec.PathSpec.from_lines("gitwildmatch", include)
    unwanted = pathspec.PathSpec.from_lines("gitwildmatch", exclude)
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(
            d for d in dirs if not unwanted.match_file(f"{(rel_folder / d).as_posix()}/")
        )
        for name in sorted(files):
            rel = (rel_folder / name).as_posix()
            if wanted.match_file(rel) and not unwanted.match_file(rel):
                yield Path(folder) / name


def read_file(
    reader: FileReaderLike,
    file: Path,
    *,
    source: str,
    root: Path,
    repo_dir: Path | None = None,
    force_parse: bool = False,
) -> ScannedFile:
    """Read one catalog file through the reader; unreadable files keep their last entities."""
    rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    resolved = file.resolve()
    if not resolved.is_relative_to(root.resolve()):
        problem = Problem("error", "links to a file outside the source; not read", rel)
        return ScannedFile(rel, "", problems=[problem], keep_all_previous=True)
    try:
        data = file.read_bytes()
    except OSError as error:
        problem = Problem("error", f"could not be read: {error.strerror}", rel)
        return ScannedFile(rel, "", problems=[problem], keep_all_previous=True)
    origin = Origin(
        source=source,
        location=f"file:{resolved}",
        entity_dir=str(resolved.parent),
        repo_dir=str(repo_dir or repo_dir_of(resolved, root.resolve())),
    )
    return reader.read(rel, data, origin=origin, root=str(root.resolve()), force_parse=force_parse)
