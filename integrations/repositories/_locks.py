"""An advisory file lock (``flock``) shared by threads and processes, with a deadline, that
survives its lock file being deleted by whoever held it last (eviction does that)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_POLL = 0.02


class LockTimeout(TimeoutError):
    """Someone else held the lock past the deadline."""


@contextmanager
def file_lock(path: Path, *, shared: bool = False, timeout: float | None = None) -> Iterator[None]:
    """Hold ``path`` locked (shared or exclusive); LockTimeout after ``timeout`` seconds
    (0: do not wait at all; None: wait for ever)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _acquire(fd, mode, deadline)
            if _still_linked(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the file was deleted while we waited: lock the new one instead
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, mode: int, deadline: float | None) -> None:
    if deadline is None:
        fcntl.flock(fd, mode)
        return
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout("lock held by someone else") from None
            time.sleep(_POLL)


def _still_linked(fd: int, path: Path) -> bool:
    try:
        return path.stat().st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False
