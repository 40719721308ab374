"""Reading a source's files ahead, in worker processes, and giving them back in order.

Parsing YAML and validating entities is most of a full sync's work, and each file's is its
own. A source hands its files to a ``ReadAhead`` as it finds them; up to ``window`` of them are
in flight at once and come back in the order they were added, so what the sync (and a
Location walk following targets) sees does not depend on how the work was split.

The source still does everything that decides *what* is read (containment, stamps, the
unchanged check, reading the bytes: ``FileTree.read`` as before); only ``FileReader.read``
(hash, YAML, placeholders, validation) and the reader's ``finish`` step (the sync turns
entities into rows there) run in the workers. A worker hands back the ``ScannedFile`` as
``finish`` left it, so a result crosses the process boundary as rows, not as models.

Workers are forked (Linux) once a source has ``PARALLEL_FROM`` files to parse; with fewer,
or elsewhere, or with ``workers`` below 2, everything runs in the calling process as before.
They ignore SIGINT and SIGTERM, which are the calling process's to handle (a sync unwinds
and records itself interrupted; leaving the reader's ``with`` stops the workers), and they
exit when that process is gone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from catalog.sources.base import FileReaderLike, Origin, ScannedFile

__all__ = ["FileJob", "ParseWorkers", "ReadAhead", "parse_worker_count", "paused_gc"]

#: Files (or bytes) per task sent to a worker: enough to make the round trip cheap, few
#: enough that every worker gets work at once (some files hold hundreds of entities).
CHUNK, CHUNK_BYTES = 48, 64 * 1024
#: Workers start once a source has this many files (or bytes) to parse: fewer parse in a
#: blink, and a small catalog, like most tests', never forks.
PARALLEL_FROM, PARALLEL_FROM_BYTES = 200, 2 * 1024 * 1024


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while sources are read and stored: that makes hundreds
    of thousands of objects that live on (rows, files, claims), which the collector would
    scan again and again (a sixth of the syncing process's time), and parsing makes no
    cycles worth collecting. Collection resumes as it was afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_worker_count(wanted: int | None) -> int:
    """How many worker processes to parse with: ``wanted``, or one per CPU (0: none)."""
    if wanted is not None:
        return max(wanted, 0)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class FileJob:
    """One ``FileReader.read`` call, to run later (perhaps in a worker)."""

    path: str
    data: bytes
    origin: Origin
    root: str | None
    force_parse: bool
    stamp: str  # set by the source after ``read`` (taken before the file was read)


class _Deferring:
    """A reader that records the ``read`` call instead of parsing; the rest goes through."""

    def __init__(self, reader: FileReaderLike) -> None:
        self._reader = reader
        self.call: tuple[str, bytes, Origin, str | None, bool] | None = None

    def read(
        self,
        path: str,
        data: bytes,
        *,
        origin: Origin,
        root: str | None,
        force_parse: bool = False,
    ) -> ScannedFile:
        self.call = (path, data, origin, root, force_parse)
        return ScannedFile(path, "")  # a stand-in the source may stamp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class _Chunk:
    __slots__ = ("bytes", "files", "jobs", "result")

    def __init__(self) -> None:
        self.jobs: list[FileJob] = []
        self.bytes = 0
        self.result: Callable[[], list[ScannedFile]] | None = None
        self.files: list[ScannedFile] | None = None

    def get(self, index: int) -> ScannedFile:
        if self.files is None:
            assert self.result is not None
            self.files = self.result()
            self.result = None
        return self.files[index]


class ReadAhead:
    """Files read ahead of the caller (``read``), handed back (``next``) in that order."""

    def __init__(self, reader: FileReaderLike) -> None:
        self._reader = reader
        workers: ParseWorkers | None = getattr(reader, "workers", None)
        if workers is not None and workers.count < 2:
            workers = None
        self._workers = workers
        self._chunk_size = CHUNK if workers is not None else 1
        # enough chunks in flight to keep every worker busy while the caller catches up
        self._window = CHUNK * (3 * workers.count + 1) if workers is not None else 1
        self._slots: deque[ScannedFile | tuple[_Chunk, int]] = deque()
        self._open = _Chunk()
        self._deferring = _Deferring(reader)
        self._parsed = self._parsed_bytes = 0  # handed to a parse so far
        self._local: list[_Chunk] = []  # to parse here, unless workers start before

    def read(self, read: Callable[[FileReaderLike], ScannedFile]) -> None:
        """Queue one file: ``read`` is the source's own read (e.g. ``FileTree.read``), called
        now with a reader that defers the parse."""
        self._deferring.call = None
        scanned = read(self._deferring)
        call = self._deferring.call
        if call is None:  # answered without parsing (unchanged, unreadable, outside)
            self._slots.append(scanned)
            return
        chunk = self._open
        chunk.jobs.append(FileJob(*call, stamp=scanned.stamp))
        chunk.bytes += len(call[1])
        self._parsed += 1
        self._parsed_bytes += len(call[1])
        self._slots.append((chunk, len(chunk.jobs) - 1))
        if len(chunk.jobs) >= self._chunk_size or chunk.bytes >= CHUNK_BYTES:
            self._dispatch(full=True)

    @property
    def full(self) -> bool:
        """Whether the caller should take a file (``next``) before adding more."""
        return len(self._slots) >= self._window

    def __len__(self) -> int:
        return len(self._slots)

    def next(self) -> ScannedFile:
        """The oldest file added, once read."""
        slot = self._slots.popleft()
        if isinstance(slot, ScannedFile):
            return slot
        chunk, index = slot
        if chunk is self._open:
            self._dispatch(full=False)
        return chunk.get(index)

    def _dispatch(self, *, full: bool) -> None:
        chunk, self._open = self._open, _Chunk()
        workers = self._workers
        if workers is not None and (workers.started or (full and self._worth_workers())):
            for local in self._local:  # queued to parse here so far: the workers take them too
                if local.files is None:
                    local.result = workers.submit(local.jobs)
            self._local = []
            chunk.result = workers.submit(chunk.jobs)
        else:
            reader, jobs = self._reader, chunk.jobs
            chunk.result = lambda: [_load(reader, job) for job in jobs]
            self._local = [c for c in self._local if c.files is None] + [chunk]

    def _worth_workers(self) -> bool:
        return self._parsed >= PARALLEL_FROM or self._parsed_bytes >= PARALLEL_FROM_BYTES


def _load(reader: FileReaderLike, job: FileJob) -> ScannedFile:
    scanned = reader.read(
        job.path, job.data, origin=job.origin, root=job.root, force_parse=job.force_parse
    )
    scanned.stamp = job.stamp
    finish = getattr(reader, "finish", None)
    return finish(scanned) if finish is not None else scanned


class ParseWorkers:
    """Up to ``count`` forked processes parsing for one reader, started on first use."""

    def __init__(self, reader: FileReaderLike, count: int) -> None:
        self._reader = reader
        self.count = count if sys.platform == "linux" else 0
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(self, jobs: Sequence[FileJob]) -> Callable[[], list[ScannedFile]]:
        """Parse ``jobs`` in a worker; the returned call waits for their files."""
        if self._pool is None:
            # Forked, so the workers start with the reader (previous files, rules) as it is
            # now, without pickling it; nothing else is shared with them afterwards.
            self._pool = ProcessPoolExecutor(
                self.count,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self._reader, os.getpid()),
            )
        future: Future[list[ScannedFile]] = self._pool.submit(_parse_chunk, list(jobs))
        return future.result

    def close(self) -> None:
        """Stop the workers (what they were still doing is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_worker_reader: FileReaderLike | None = None


def _start_worker(reader: FileReaderLike, parent: int) -> None:
    global _worker_reader
    _worker_reader = reader
    # What the worker inherited stays as it is (a collection would touch, and so copy, every
    # page of it); what it makes is garbage without cycles, freed as it goes.
    gc.freeze()
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """A worker outlives nothing: once the process that forked it is gone, it exits."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _parse_chunk(jobs: list[FileJob]) -> list[ScannedFile]:
    assert _worker_reader is not None
    return [_load(_worker_reader, job) for job in jobs]
