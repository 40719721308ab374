"""A folder walked for catalog files (``catalog-info.yaml`` by default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from catalog.errors import SourceUnavailable
from catalog.sources._files import read_file, walk_files
from catalog.sources.base import FileReaderLike, ScannedFile

__all__ = ["DEFAULT_EXCLUDE", "DEFAULT_INCLUDE", "DirectorySource"]

DEFAULT_INCLUDE = ("catalog-info.yaml",)
DEFAULT_EXCLUDE = (".git/", "node_modules/", ".venv/")


class DirectorySource:
    """Files under ``path`` matching ``include`` and not ``exclude`` (``.gitignore`` syntax)."""

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        include: Sequence[str] = DEFAULT_INCLUDE,
        exclude: Sequence[str] = DEFAULT_EXCLUDE,
        repo_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.include = list(include)
        self.exclude = list(exclude)
        self.repo_dir = repo_dir

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        if not self.path.is_dir():
            raise SourceUnavailable(f"source {self.name!r}: {self.path} is not a readable folder")
        for file in walk_files(self.path, self.include, self.exclude):
            yield read_file(reader, file, source=self.name, root=self.path, repo_dir=self.repo_dir)
