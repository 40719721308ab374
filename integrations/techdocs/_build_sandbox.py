"""The walls around a docs build: no network, no file outside its folders, no program but
Graphviz. Loaded by ``_mkdocs_runner.py`` before mkdocs is imported, so standard library only.

Two layers, because a repository chooses which extensions run and what they read:

1. ``enter_network_namespace``: the process moves into a network namespace of its own, with
   no interface up (not even loopback), when the kernel allows it (root, or unprivileged user
   namespaces). Everything it starts (Graphviz) inherits it. Where it is not allowed, the
   build says so and the second layer alone holds the line.
2. ``BuildSandbox``: a ``sys.addaudithook`` hook, which cannot be removed once added, refuses
   socket connects and name look-ups, opening or listing a path outside the allowed roots
   (the staged repository, the site being built, the scratch folder, Python's own files),
   writing outside the site and scratch folders, and starting any program except the
   Graphviz layout programs. Every refusal is remembered and fails the build, even when the
   extension that tried swallowed the error.

The hook sees what Python code does; C code inside an extension is not audited. No allowed
extension reads files from C except Graphviz, which runs with ``SERVER_NAME`` and
``GV_FILE_PATH`` set so it loads images only from the staged docs folder (see
``mkdocs_process.build_environment``).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["GRAPHVIZ_PROGRAMS", "BuildSandbox", "NetworkRefused", "enter_network_namespace"]

#: The programs markdown_inline_graphviz may start (its own allowlist, by bare name).
GRAPHVIZ_PROGRAMS = frozenset({"dot", "neato", "fdp", "sfdp", "twopi", "circo"})

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_NETWORK = {
    "socket.connect": "connecting to {1}",
    "socket.sendto": "sending to {1}",
    "socket.sendmsg": "sending to {1}",
    "socket.bind": "opening a network port {1}",
    "socket.getaddrinfo": "looking up {0}",
    "socket.gethostbyname": "looking up {0}",
    "socket.gethostbyaddr": "looking up {0}",
    "socket.getnameinfo": "looking up {0}",
    "http.client.connect": "connecting to {1}:{2}",
    "urllib.Request": "fetching {0}",
    "ftplib.connect": "connecting to {1}:{2}",
    "smtplib.connect": "connecting to {1}:{2}",
    "sqlite3.connect": "opening the database {0}",
}
_PROCESSES = {
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.startfile", "pty.spawn", "os.kill", "os.killpg", "os.link", "os.symlink",
}  # fmt: skip
_WRITES = {
    "os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.chown", "os.utime",
    "shutil.rmtree", "os.rename",
}  # fmt: skip
#: Refused without failing the build: urllib3 probes for IPv6 by binding a socket at import.
_QUIET = {"socket.bind"}


class NetworkRefused(RuntimeError):
    """The build tried to use the network."""


def enter_network_namespace() -> str:
    """Move this process into an empty network namespace; says which kind, or why not."""
    if not sys.platform.startswith("linux"):
        return "unavailable: not Linux"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as error:
        return f"unavailable: {error}"
    error_number = 0
    for flags, kind in (
        (_CLONE_NEWNET, "network namespace"),
        (_CLONE_NEWUSER | _CLONE_NEWNET, "user and network namespace"),
    ):
        if libc.unshare(flags) == 0:
            return kind
        error_number = ctypes.get_errno()
    return f"unavailable: unshare: {os.strerror(error_number)}"


def _real(path: str) -> str:
    return os.path.realpath(path)


class BuildSandbox:
    """The audit hook and what it refused, in words a docs author can read."""

    def __init__(
        self,
        *,
        read: Iterable[str],
        write: Iterable[str],
        programs: Iterable[str] = GRAPHVIZ_PROGRAMS,
    ) -> None:
        self.write_roots = tuple(sorted({_real(p) for p in write}))
        self.read_roots = tuple(sorted({_real(p) for p in read} | set(self.write_roots)))
        self.programs = frozenset(programs)
        self.refused: list[str] = []
        self._busy = threading.local()

    def install(self) -> None:
        """Start refusing (for the rest of the process: audit hooks cannot be removed)."""
        sys.addaudithook(self._hook)

    def allows_read(self, path: str) -> bool:
        """Whether ``path`` (after symlinks) is inside a folder the build may read."""
        return _inside(_real(path), self.read_roots)

    def allows_write(self, path: str) -> bool:
        """Whether ``path`` (after symlinks) is inside a folder the build may write."""
        return _inside(_real(path), self.write_roots)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if getattr(self._busy, "active", False):
            return
        self._busy.active = True
        try:
            refusal = self._judge(event, args)
        finally:
            self._busy.active = False
        if refusal is None:
            return
        if event not in _QUIET and len(self.refused) < 20 and refusal not in self.refused:
            self.refused.append(refusal)
        message = f"greenroom TechDocs build: {refusal} is not allowed"
        if event in _NETWORK:
            # Not an OSError: HTTP clients would retry those, with back-off, before giving up.
            raise NetworkRefused(message)
        raise PermissionError(message)

    def _judge(self, event: str, args: tuple[Any, ...]) -> str | None:
        if event == "open":
            target, mode, flags = (*args, None, None)[:3]
            path = _path(target)
            if path is None:
                return None  # an open file descriptor
            writing = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
                isinstance(mode, str) and any(c in mode for c in "wax+")
            )
            return self._check(path, writing=bool(writing))
        if event in ("os.listdir", "os.scandir"):
            path = _path(args[0] if args else None) or "."
            return None if self.allows_read(path) else f"listing {path} (outside the repository)"
        if event in _WRITES:
            for arg in args[:2] if event == "os.rename" else args[:1]:
                if (path := _path(arg)) is not None and not self.allows_write(path):
                    return f"changing {path} (outside the site being built)"
            return None
        if event == "subprocess.Popen":
            command = args[1] if len(args) > 1 and args[1] else [args[0]]
            program = os.fsdecode(command[0] if isinstance(command, list | tuple) else command)
            if program in self.programs:
                return None
            return f"running the program {Path(program).name or '?'}"
        if event in _PROCESSES:
            return f"starting or signalling a process ({event})"
        if event in _NETWORK:
            return _NETWORK[event].format(*map(_address, args), *("?",) * 3)
        return None

    def _check(self, path: str, *, writing: bool) -> str | None:
        if writing:
            return None if self.allows_write(path) else f"writing {path} (outside the site)"
        return None if self.allows_read(path) else f"reading {path} (outside the repository)"


def _path(value: Any) -> str | None:
    if isinstance(value, str | bytes | os.PathLike):
        return os.fsdecode(value)
    return None


def _address(value: Any) -> str:
    if isinstance(value, tuple) and len(value) >= 2:
        return f"{value[0]}:{value[1]}"
    return str(value)[:200]


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
