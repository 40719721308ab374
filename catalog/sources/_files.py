from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Sequence

import pathspec

from catalog.sources.base import FileReaderLike, Origin, Problem, ScannedFile, SourceState

#: A file changed this recently before the scan (or during it) gets no stamp: a second write
#: within the file system's time granularity could leave size and times as they were.
_RACY_NS = 2_000_000_000
_GLOB_CHARS = frozenset("*?[")
#: paths hashed at a time into a digest
_DIGEST_SLICE = 2048


class FileTree:
    """Files under one root, read for one scan: containment and repository folders are
    answered from per-folder caches, so tens of thousands of files stay cheap. A file whose
    stamp (size, modification and change times, inode, device) is the one recorded when it
    was last read is not opened again."""

    def __init__(self, root: str, *, repo_dir: str | None = None) -> None:
        self._racy_after = time.time_ns() - _RACY_NS
        self.root = os.path.realpath(root)
        self._prefix = self.root + os.sep
        self._repo_dir = repo_dir
        self._safe_dirs: dict[str, bool] = {self.root: True}
        self._safe_files: dict[str, bool] = {}  # a Location's target is checked, then read
        self._repos: dict[str, str | None] = {}
        # What the scan's result depends on, for the source's manifest: every file read and
        # every folder whose listing could change what is read, with their stamps. One stamp
        # that cannot be trusted (racy, unreadable) and the scan cannot be vouched for.
        self._watched: dict[str, str] = {}
        self._trusted = True
        self.reads_git_folder = False  # a Location target inside a .git folder

    def relative(self, path: str) -> str:
        """``path`` relative to the root, with ``/`` separators (absolute when outside)."""
        if path.startswith(self._prefix):
            return path[len(self._prefix) :].replace(os.sep, "/")
        return path

    def contains(self, path: str) -> bool:
        """Whether ``path`` (absolute, normalised) is inside the root, symlinks followed."""
        known = self._safe_files.get(path)
        if known is None:
            known = self._safe_files[path] = self._file_inside(path)
        return known

    def _file_inside(self, path: str) -> bool:
        if not path.startswith(self._prefix) or not self._dir_inside(os.path.dirname(path)):
            return False
        if os.path.islink(path):
            return os.path.realpath(path).startswith(self._prefix)
        return True

    def _dir_inside(self, folder: str) -> bool:
        known = self._safe_dirs.get(folder)
        if known is not None:
            return known
        if not folder.startswith(self._prefix):
            inside = False
        elif os.path.islink(folder):
            inside = os.path.realpath(folder).startswith(self._prefix)
        else:
            inside = self._dir_inside(os.path.dirname(folder))
        self._safe_dirs[folder] = inside
        return inside

    def repo_dir(self, folder: str) -> str:
        """The nearest folder up to the root holding ``.git``, else ``folder`` itself."""
        return self._repo_dir or self._git_root(folder) or folder

    def _git_root(self, folder: str) -> str | None:
        if folder in self._repos:
            return self._repos[folder]
        if os.path.exists(os.path.join(folder, ".git")):
            found: str | None = folder
        elif folder == self.root or not folder.startswith(self._prefix):
            found = None
        else:
            found = self._git_root(os.path.dirname(folder))
        self._repos[folder] = found
        return found

    def walk(self, include: list[str], exclude: list[str]) -> Iterator[str]:
        """Files matching ``.gitignore``-style patterns, sorted, without following symlinks."""
        wanted = pathspec.PathSpec.from_lines("gitignore", include)
        unwanted = pathspec.PathSpec.from_lines("gitignore", exclude)
        for folder, dirs, files in os.walk(self.root):
            self._watch(folder)
            rel_folder = self.relative(folder) if folder != self.root else ""
            prefix = f"{rel_folder}/" if rel_folder else ""
            dirs[:] = sorted(d for d in dirs if not unwanted.match_file(f"{prefix}{d}/"))
            if ".git" in dirs:
                self.reads_git_folder = True
            for name in sorted(files):
                rel = prefix + name
                if wanted.match_file(rel) and not unwanted.match_file(rel):
                    yield os.path.join(folder, name)

    def read(
        self, reader: FileReaderLike, path: str, *, source: str, force_parse: bool = False
    ) -> ScannedFile:
        """Read one catalog file through the reader; unreadable files keep their last entities."""
        rel = self.relative(path)
        if "/.git/" in f"/{rel}":
            self.read_git_folder()
        if not self.contains(path):
            self._trusted = False
            problem = Problem("error", "links to a file outside the source; not read", rel)
            return ScannedFile(rel, "", problems=[problem], keep_all_previous=True)
        try:
            stamp = self._stamp(os.stat(path))
            self._watched[path] = stamp
            self._trusted = self._trusted and bool(stamp)
            if not force_parse and (known := reader.unchanged_since(rel, stamp)) is not None:
                return known
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            self._trusted = False
            problem = Problem("error", f"could not be read: {error.strerror}", rel)
            return ScannedFile(rel, "", problems=[problem], keep_all_previous=True)
        folder = os.path.dirname(path)
        origin = Origin(
            source=source,
            location=f"file:{path}",
            entity_dir=folder,
            repo_dir=self.repo_dir(folder),
        )
        scanned = reader.read(rel, data, origin=origin, root=self.root, force_parse=force_parse)
        scanned.stamp = reader.stamp_key(stamp)  # taken before reading: a later write shows
        return scanned

    def _stamp(self, stat: os.stat_result) -> str:
        return _stamp_of(stat, self._racy_after)

    def _watch(self, folder: str) -> None:
        try:
            stamp = self._stamp(os.stat(folder))
        except OSError:
            stamp = ""
        self._watched[folder] = stamp
        self._trusted = self._trusted and bool(stamp)

    def watch_target(self, path: str) -> None:
        """Watch the folders whose listings decide what a Location target matches: ``path``
        (normalised, inside the root) is a file or a glob; every folder a glob may list, the
        folder that holds a file target, and the existing folders above up to the root."""
        parts = self.relative(path).split("/")
        magic = next((i for i, part in enumerate(parts) if _GLOB_CHARS & set(part)), None)
        depth: int | None
        if magic is None:
            magic, depth = len(parts) - 1, 0
        else:
            depth = None if "**" in parts[magic:] else len(parts) - magic - 1
        base = os.path.join(self.root, *parts[:magic])
        above = base
        while above.startswith(self._prefix):
            above = os.path.dirname(above)
            self._watch_existing(above)
        if os.path.isdir(base):
            self._watch_below(base, depth)

    def _watch_existing(self, folder: str) -> None:
        if folder not in self._watched and os.path.isdir(folder):
            self._watch(folder)

    def _watch_below(self, folder: str, depth: int | None) -> None:
        if folder not in self._watched:
            self._watch(folder)
        if depth == 0:
            return
        try:
            entries = list(os.scandir(folder))
        except OSError:
            self._trusted = False
            return
        for entry in entries:
            if entry.name == ".git" or not entry.is_dir():
                continue
            if depth is None and entry.is_symlink():
                self._trusted = False  # "**" through a link: not followed here
                continue
            self._watch_below(entry.path, None if depth is None else depth - 1)

    def read_git_folder(self) -> None:
        """The scan looked inside a ``.git`` folder, which no manifest watches."""
        self.reads_git_folder = True
        self._trusted = False

    def state(self, identity: str) -> SourceState | None:
        """What this scan read, as a manifest records it (None when it cannot be vouched for)."""
        if not self._trusted:
            return None
        paths = sorted(self._watched)
        return SourceState(_digest(identity, paths, [self._watched[p] for p in paths]), paths)


class WatchedTree:
    """What a source that reads a ``FileTree`` tells its manifest (catalog/source_manifest.py):
    the files and folders its last scan read, and their stamps now. The source sets
    ``_tree`` when it scans and says who it is in ``_identity``."""

    _tree: FileTree | None = None

    def _identity(self) -> str:
        raise NotImplementedError

    def observed_state(self) -> SourceState | None:
        """The files the last scan read and the folders it listed."""
        return self._tree.state(self._identity()) if self._tree is not None else None

    def current_digest(self, paths: Sequence[str]) -> str | None:
        """The recorded paths' stamps now (one stat each; nothing is matched or parsed)."""
        return current_digest(self._identity(), paths)

    @property
    def last_tree(self) -> FileTree | None:
        """The folder the last scan read (for a git source's own manifest)."""
        return self._tree


def current_digest(identity: str, paths: Sequence[str]) -> str | None:
    """The digest ``FileTree.state`` gave, from the stamps the paths have now (None when one
    is missing or changed too recently to trust)."""
    racy_after = time.time_ns() - _RACY_NS
    stamps = []
    for path in paths:
        try:
            stamp = _stamp_of(os.stat(path), racy_after)
        except OSError:
            return None
        if not stamp:
            return None
        stamps.append(stamp)
    return _digest(identity, paths, stamps)


def _stamp_of(stat: os.stat_result, racy_after: int) -> str:
    if max(stat.st_mtime_ns, stat.st_ctime_ns) >= racy_after:
        return ""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{stat.st_dev}"


def _digest(identity: str, paths: Sequence[str], stamps: Sequence[str]) -> str:
    """The hash of identity, then every path and its stamp, NUL-separated. Hashed a slice at a
    time: as one text, a large source's (125,000 paths) cost a transient 60 MB at the sync's
    peak."""
    digest = hashlib.blake2b(f"{identity}\0\0".encode(), digest_size=16)
    for start in range(0, len(paths), _DIGEST_SLICE):
        end = start + _DIGEST_SLICE
        text = "\0".join(
            f"{p}\0{s}" for p, s in zip(paths[start:end], stamps[start:end], strict=True)
        )
        digest.update(f"\0{text}".encode() if start else text.encode())
    return digest.hexdigest()
