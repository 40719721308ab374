"""What a template may bring into a new repository: its own files and folders, nothing else.

Cookiecutter reads a template through the file system as it finds it: a link
(``x -> /etc/passwd``) is read through into the new project, ``{% include %}`` reads what a
link in the template leads to, ``_copy_without_render`` copies a linked folder whole. So
before cookiecutter sees a template, ``stage_template`` copies it into a private folder entry
by entry, each opened relative to its folder's descriptor without following links (a swap
between the check and the read is caught): folders and regular files are copied; a link is
copied as the file it leads to only when that is a regular file inside the template. Anything
else stops the run, naming the entry: a link leading outside, to a folder or to nothing; a
FIFO, socket or device; a hard link whose other names are outside the template (unless hard
links are allowed: package installers hard-link the files of trusted, shipped templates).

``check_output`` checks the rendered project again before it is published (hooks of trusted
templates write there too): regular files, folders, and relative links that stay inside it.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from integrations.templating.errors import TemplateError

__all__ = ["TreeSize", "check_output", "read_template_file", "stage_template"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_DEPTH = 64
_CHUNK = 1024 * 1024
#: Not copied from the top of a template: a template kept as its own git checkout.
_SKIPPED = frozenset({".git"})


@dataclass(frozen=True, slots=True)
class TreeSize:
    """How many regular files a folder holds, and their bytes."""

    files: int
    bytes: int


def stage_template(
    source: Path, target: Path, *, hard_links: bool, max_files: int, max_bytes: int
) -> TreeSize:
    """Copy the template in ``source`` into ``target`` (created here); TemplateError naming
    the first entry, relative to the template, that is not the template's own."""
    try:
        root = os.open(source, _DIR_FLAGS)
    except OSError as error:
        raise TemplateError(
            f"the template folder cannot be opened as a folder ({error.strerror})"
        ) from None
    try:
        stager = _Stager(os.path.realpath(source), root, hard_links, max_files, max_bytes)
        target.mkdir(mode=0o755)
        stager.copy_folder(root, target, PurePosixPath())
        stager.check_hard_links("the template")
    finally:
        os.close(root)
    return TreeSize(stager.files, stager.bytes)


def check_output(project: Path) -> TreeSize:
    """The size of a rendered project; TemplateError naming the first entry that may not be
    published (anything but files, folders and relative links staying inside it)."""
    root = project.resolve()
    names = _Names()
    files = size = 0
    for folder, dirs, entries in os.walk(project):
        for name in sorted([*dirs, *entries]):
            path = Path(folder, name)
            relative = path.relative_to(project)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = path.readlink()
                lexical = os.path.normpath(relative.parent / target)
                if (
                    target.is_absolute()
                    or lexical == ".."
                    or lexical.startswith("../")
                    or not path.resolve().is_relative_to(root)
                ):
                    raise TemplateError(f"{relative} is a link leading outside the new project")
            elif stat.S_ISREG(info.st_mode):
                files += 1
                size += info.st_size
                names.add(info, str(relative))
            elif not stat.S_ISDIR(info.st_mode):
                raise TemplateError(f"{relative} is {_what(info.st_mode)}, not a file or folder")
    names.check("the new project")
    return TreeSize(files, size)


def read_template_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a template's own file (never through a link); FileNotFoundError when it
    is absent, TemplateError when it is a link, not a regular file, or too large."""
    try:
        fd = os.open(path, _FILE_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise TemplateError(f"{path} is a link; it must be a file of the template") from None
        raise
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError(f"{path} is {_what(info.st_mode)}, not a file")
        if info.st_size > max_bytes:
            raise TemplateError(f"{path} is larger than {max_bytes // 1024} KiB")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TemplateError(f"{path} is larger than {max_bytes // 1024} KiB")
    return data


class _Names:
    """Names seen per inode, to find hard links whose other names are elsewhere."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int], tuple[int, int, str]] = {}

    def add(self, info: os.stat_result, relative: str) -> None:
        if info.st_nlink > 1:
            key = (info.st_dev, info.st_ino)
            _, count, first = self._seen.get(key, (info.st_nlink, 0, relative))
            self._seen[key] = (info.st_nlink, count + 1, first)

    def check(self, where: str) -> None:
        for nlink, count, relative in self._seen.values():
            if count < nlink:
                raise TemplateError(f"{relative} is a hard link to a file outside {where}")


class _Stager:
    def __init__(
        self, real_root: str, root_fd: int, hard_links: bool, max_files: int, max_bytes: int
    ) -> None:
        self.real_root = real_root
        self.root_fd = root_fd
        self.names = _Names()
        self.hard_links = hard_links
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.files = 0
        self.bytes = 0

    def copy_folder(self, fd: int, target: Path, relative: PurePosixPath) -> None:
        if len(relative.parts) > _MAX_DEPTH:
            raise TemplateError(f"{relative} is nested more than {_MAX_DEPTH} folders deep")
        with os.scandir(fd) as entries:
            names = sorted(e.name for e in entries)
        for name in names:
            if not relative.parts and name in _SKIPPED:
                continue
            path = relative / name
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                child = self._open(name, fd, path, info, _DIR_FLAGS)
                try:
                    (target / name).mkdir(mode=0o755)
                    self.copy_folder(child, target / name, path)
                finally:
                    os.close(child)
            elif stat.S_ISREG(info.st_mode):
                if not self.hard_links:
                    self.names.add(info, str(path))
                self._copy_file(self._open(name, fd, path, info, _FILE_FLAGS), target / name, path)
            elif stat.S_ISLNK(info.st_mode):
                self._copy_file(self._link_target(path), target / name, path)
            else:
                raise TemplateError(f"{path} is {_what(info.st_mode)}, not a file or folder")

    def check_hard_links(self, where: str) -> None:
        self.names.check(where)

    def _open(
        self, name: str, fd: int, path: PurePosixPath, info: os.stat_result, flags: int
    ) -> int:
        try:
            opened = os.open(name, flags, dir_fd=fd)
        except OSError as error:
            raise TemplateError(f"{path} cannot be read ({error.strerror})") from None
        now = os.fstat(opened)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            os.close(opened)
            raise TemplateError(f"{path} changed while the template was being read")
        return opened

    def _link_target(self, path: PurePosixPath) -> int:
        """The file a link leads to, opened from the template's root without following any
        link, when it is a regular file inside the template."""
        real = os.path.realpath(Path(self.real_root, path))
        parts = PurePosixPath(os.path.relpath(real, self.real_root)).parts
        # What is not staged (a template's own .git, with its remote's URL) is outside too.
        if not _inside(real, self.real_root) or (parts and parts[0] in _SKIPPED):
            raise TemplateError(f"{path} is a link leading outside the template")
        fd = self.root_fd
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                opened = os.open(part, _FILE_FLAGS if last else _DIR_FLAGS, dir_fd=fd)
                if fd != self.root_fd:
                    os.close(fd)
                fd = opened
        except OSError as error:
            if fd != self.root_fd:
                os.close(fd)
            problem = "to nothing" if error.errno == errno.ENOENT else "that cannot be followed"
            raise TemplateError(f"{path} is a link {problem} inside the template") from None
        if not parts or stat.S_ISDIR(os.fstat(fd).st_mode):
            if fd != self.root_fd:
                os.close(fd)
            raise TemplateError(
                f"{path} is a link to a folder; links in a template may lead only to its files"
            )
        return fd

    def _copy_file(self, fd: int, target: Path, path: PurePosixPath) -> None:
        with os.fdopen(fd, "rb") as source:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise TemplateError(f"{path} leads to {_what(info.st_mode)}, not a file")
            self.files += 1
            if self.files > self.max_files:
                raise TemplateError(f"the template holds more than {self.max_files} files")
            out = os.open(target, _NEW_FILE, (info.st_mode & 0o755) | 0o600)
            with os.fdopen(out, "wb") as copy:
                while chunk := source.read(_CHUNK):
                    self.bytes += len(chunk)
                    if self.bytes > self.max_bytes:
                        raise TemplateError(
                            f"the template holds more than {self.max_bytes // 1024} KiB"
                        )
                    copy.write(chunk)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a link"
    return "not a regular file"
