"""A folder walked for catalog files (``catalog-info.yaml`` by default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from catalog.errors import SourceUnavailable
from catalog.sources._files import FileTree, WatchedTree
from catalog.sources.base import FileReaderLike, ScannedFile
from catalog.sources.defaults import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from catalog.sources.read_ahead import ReadAhead

__all__ = ["DEFAULT_EXCLUDE", "DEFAULT_INCLUDE", "DirectorySource"]


class DirectorySource(WatchedTree):
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
        self._tree: FileTree | None = None

    def _identity(self) -> str:
        repo = str(self.repo_dir.resolve()) if self.repo_dir else ""
        patterns = "\0".join(self.include) + "\0\0" + "\0".join(self.exclude)
        return f"directory\0{self.path.resolve()}\0{repo}\0{patterns}"

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        if not self.path.is_dir():
            raise SourceUnavailable(f"source {self.name!r}: {self.path} is not a readable folder")
        tree = FileTree(str(self.path), repo_dir=str(self.repo_dir) if self.repo_dir else None)
        self._tree = tree
        ahead = ReadAhead(reader)  # parsed in parallel, handed back in order
        for file in tree.walk(self.include, self.exclude):
            ahead.read(partial(tree.read, path=file, source=self.name))
            while ahead.full:
                yield ahead.next()
        while ahead:
            yield ahead.next()
