"""What a job process writes to stdout and stderr: passed on to the worker's stderr line by line
(so the worker's log still shows it), with its tail kept for the run's record when the process
dies without a result."""

from __future__ import annotations

import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

__all__ = ["ChildOutput"]

_KEEP = 3000
_LONGEST_LINE = 64 * 1024
_WRITING = threading.Lock()  # whole lines from concurrent jobs, never interleaved halves
_HINTS = {
    signal.SIGKILL: "out of memory? the kernel's OOM killer and `kill -9` send SIGKILL",
    signal.SIGSEGV: "a crash in native code",
    signal.SIGBUS: "a crash in native code",
    signal.SIGABRT: "a crash in native code",
}


class ChildOutput:
    """A pipe whose write end becomes a job process's stdout and stderr (``child_end``, sent
    to the child), read by a thread here."""

    def __init__(self, label: str) -> None:
        read_fd, write_fd = os.pipe()
        self._read_fd = read_fd
        self.child_end = Connection(write_fd, readable=False)
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, name=f"output of {label}", daemon=True)

    def started(self) -> None:
        """The child has its own copy of the write end: drop ours and start reading."""
        self.child_end.close()
        self._thread.start()

    def close(self) -> None:
        """The child never started: release both ends."""
        self.child_end.close()
        os.close(self._read_fd)

    def finish(self, timeout: float = 2.0) -> None:
        """Wait for the end of the output (the child, and whatever it started, have exited);
        a grandchild that lingers is not waited for longer than ``timeout``."""
        self._thread.join(timeout)

    def tail(self) -> str:
        """The last few thousand characters the child wrote."""
        with self._lock:
            data = bytes(self._tail)
        return data.decode("utf-8", errors="replace")

    def death_report(self, exitcode: int | None) -> str:
        """Why a child that sent no result is gone: its exit code or signal, its last words."""
        if exitcode is not None and exitcode < 0:
            how = f"job process was killed by {_describe_signal(-exitcode)}"
        else:
            how = f"job process exited with code {exitcode} without a result"
        tail = self.tail().strip()
        if not tail:
            return how + ", before writing anything (see the worker's log)"
        return f"{how}: {_summary(tail)}\n--- the job process's last output ---\n{tail}"

    def _pump(self) -> None:
        pending = b""
        try:
            while chunk := os.read(self._read_fd, 65536):
                with self._lock:
                    self._tail += chunk
                    del self._tail[:-_KEEP]
                pending += chunk
                lines, newline, pending = pending.rpartition(b"\n")
                if newline:
                    _forward(lines + newline)
                if len(pending) > _LONGEST_LINE:
                    _forward(pending + b"\n")
                    pending = b""
            if pending:
                _forward(pending + b"\n")
        except OSError:
            pass
        finally:
            os.close(self._read_fd)


def _forward(data: bytes) -> None:
    with _WRITING:
        sys.stderr.write(data.decode("utf-8", errors="replace"))
        sys.stderr.flush()


def _summary(tail: str) -> str:
    """The line that says most: faulthandler's "Fatal Python error" after a crash, otherwise
    the last line (an exception's type and message, usually)."""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("Fatal Python error:")]
    return (fatal or lines)[-1][:300]


def _describe_signal(number: int) -> str:
    try:
        known = signal.Signals(number)
    except ValueError:
        return f"signal {number}"
    hint = _HINTS.get(known)
    return known.name + (f" ({hint})" if hint else "")
