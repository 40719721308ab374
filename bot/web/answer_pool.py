"""Answering processes: the web process verifies and acks, a pool of processes answers.

Python runs one thread of a process at a time. When the web process also answered, every ack
waited for the interpreter behind the answers under way, and all answers shared one core.
Slash commands, events and button clicks are acked with an empty 200 whatever their listeners
go on to do, so the web process acks those itself and queues the verified request for the
pool. Each pool process runs the same Bolt app, lazy listeners included, on
``slack.listener_threads`` threads that all take requests from that one queue: a request
waits only until some thread anywhere is free (a queue per process let one process pile up
work while another idled), and threads waiting on Slack leave the core to the others.
Requests whose ack carries content (modal submissions, options, ``url_verification``) are
still dispatched in the web process.

The pool is per web process (``slack.answer_processes``, default: one per CPU); web processes
stay stateless. A pool process that dies is replaced at once (by the warm parent, below); what
it was answering is lost, as it would be if the web process died.

Memory: one process, the warm parent, is started from a forkserver that imported the app; it
reads what answers keep per catalog generation (the needs edges, the group tree, search's
texts and names), closes its database connections and forks the answering processes, and
forks a new one when one dies. The modules and those caches (about 170 MB at 100k entities)
are shared copy-on-write instead of held by each; a later catalog generation is read by each
process, as before.

Priority: the answering processes run under ``slack.answer_scheduling`` (default ``batch``,
Linux's SCHED_BATCH: they never preempt the web process when they wake, so an ack is not
queued behind answers) at ``slack.answer_niceness`` above the web process's niceness.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerProcess
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import anyio
from slack_bolt import App

from bot.web.slack_request import SlackRequest
from runtime.child_imports import isolate_child_imports
from runtime.process import Runtime
from runtime.settings import Settings
from runtime.slack_settings import AnswerScheduling

__all__ = ["AnswerPool", "acked_by_web", "default_processes"]

log = logging.getLogger(__name__)

#: Payload types whose listeners all ack with an empty 200.
_FORWARDED_TYPES = frozenset({"event_callback", "block_actions"})
_BACKLOG = 4096
_SHORT_PATH = 80
#: What the forkserver imports before it forks answering processes.
_PRELOAD = (
    "bot.web.answer_pool",
    "bot.app",
    "catalog.graph",
    "catalog.groups",
    "catalog.search",
    "runtime.logs",
    "runtime.process",
)
#: glibc's mallopt parameter for the number of malloc arenas, and the number answers use.
_M_ARENA_MAX, _ARENAS = -8, 2
#: os.sched_setscheduler's policy for each ``slack.answer_scheduling``.
_POLICIES = {"batch": "SCHED_BATCH", "normal": "SCHED_OTHER"}


def default_processes() -> int:
    """One answering process per CPU this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def acked_by_web(payload: dict[str, Any], command: str) -> bool:
    """Whether the web process may ack ``payload`` itself and leave the rest to the pool."""
    if "command" in payload:
        return bool(payload["command"] == command)
    return payload.get("type") in _FORWARDED_TYPES


class AnswerPool:
    """Processes that run the Bolt app on requests the web process already verified and acked.

    Requests travel over a Unix socket in a private folder that every pool thread accepts on:
    the kernel's accept queue is the one FIFO queue, hands each request to a thread that is
    free, and, unlike a lock-guarded pipe, is not wedged when a process is killed mid-read.
    ``capabilities`` are module-level functions (they are sent to the processes by name).
    """

    def __init__(self, settings: Settings, processes: int, capabilities: Sequence[Any]) -> None:
        self.settings = settings
        self.capabilities = tuple(capabilities)
        self._folder = _private_folder()
        self.address = str(self._folder / "requests.sock")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.address)
        self._listener.listen(_BACKLOG)
        isolate_child_imports()  # the forkserver never imports from the current folder
        # The warm parent starts from a server that has imported the app: the modules (about
        # 140 MB) are shared by every answering process, copy on write, not loaded by each.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(_PRELOAD))
        # A pipe, not a Queue: a Queue's semaphores outlive the pool in the resource tracker.
        self._ready, self._started = self._context.Pipe(duplex=False)
        self._lock = threading.Lock()
        self._processes = processes
        self._parent = self._start_parent()

    def _start_parent(self) -> ForkServerProcess:
        args = (self.settings, self.capabilities, self._processes, self._listener, self._started)
        process = self._context.Process(target=_warm_parent, args=args, name="greenroom-answers")
        process.start()
        return process

    def warm(self, timeout: float = 120) -> list[int]:
        """Wait until every answering process has built its app; their pids. RuntimeError when
        one exits first (its error is in the log) or ``timeout`` passes."""
        pids: list[int] = []
        deadline = time.monotonic() + timeout
        while len(pids) < self._processes:
            if self._ready.poll(0.5):
                pids.append(self._ready.recv())
                continue
            if not self._parent.is_alive() or time.monotonic() > deadline:
                exitcode = self._parent.exitcode
                reason = "did not start" if exitcode is None else f"exited with {exitcode}"
                raise RuntimeError(f"an answering process {reason}; see the log")
        return sorted(pids)

    async def submit(
        self, body: str, headers: Mapping[str, Sequence[str]], received: float
    ) -> None:
        """Queue a verified request for the pool (its ack is sent by the caller)."""
        self._replace_dead()
        message = {"body": body, "headers": {k: list(v) for k, v in headers.items()}}
        async with await anyio.connect_unix(self.address) as stream:
            await stream.send(json.dumps(message | {"received": received}).encode())

    def _replace_dead(self) -> None:
        """The warm parent replaces answering processes that die; the web process replaces
        the warm parent (and so all of them)."""
        with self._lock:
            if not self._parent.is_alive():
                log.error(
                    "the answering processes' parent %s exited (%s); starting another",
                    self._parent.pid,
                    self._parent.exitcode,
                )
                self._parent = self._start_parent()

    def shutdown(self, timeout: float = 30) -> None:
        """Let queued and running answers finish, then stop the processes."""
        # An empty request stops a thread; it queues behind every real one.
        for _ in range(self._processes * self.settings.slack.listener_threads):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stop:
                stop.connect(self.address)
        self._parent.join(timeout)  # it exits once every answering process has stopped
        if self._parent.is_alive():
            log.error("answering processes did not stop; terminating them")
            self._parent.terminate()  # its answering processes exit with it
        self._listener.close()
        self._ready.close()
        self._started.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _private_folder() -> Path:
    """A folder only this user can enter (so only it can queue requests, which the pool
    answers without checking signatures), with a path short enough for a Unix socket
    (108 bytes on Linux; a deep TMPDIR is not)."""
    folder = Path(tempfile.mkdtemp(prefix="greenroom-answers-"))
    if len(str(folder)) > _SHORT_PATH:
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix="greenroom-answers-", dir="/tmp"))
    return folder


# -- inside a pool process ------------------------------------------------------------------
class _Inline(Executor):
    """Runs Bolt's lazy listeners in the thread that dispatched, so a thread takes the next
    request only when it has finished answering this one."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to whoever reads the future
            future.set_exception(error)
        return future


def _warm_parent(
    settings: Settings,
    capabilities: Sequence[Any],
    processes: int,
    listener: socket.socket,
    started: Connection,
) -> None:
    """Read the catalog generation's caches, then fork ``processes`` answering processes and
    replace those that die, until they all have stopped (or the web process is gone).
    The first ones' pids go to ``started`` once each has built its app; one of them that
    dies before that ends this process (the web process reports it)."""
    # What the forkserver imported stays out of every collection here, so none writes to
    # (and so copies) the pages this process shares with the others.
    gc.freeze()
    from catalog.database import create_database_engine
    from catalog.generations import build_every_cache
    from runtime.logs import log_as

    log_as("answers", settings)
    # Ctrl-C reaches every process of the terminal's group; the web process stops the pool
    # itself (stop markers), so queued answers are finished. Inherited by the children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lower_priority(settings.slack.answer_scheduling, settings.slack.answer_niceness)
    _share_malloc_arenas()
    runtime = Runtime(settings, create_database_engine(settings.resolved_database_url))
    build_every_cache(runtime.catalog)  # before the first question, not during it
    # No connection may be shared with a child: each opens its own (the pool is emptied).
    runtime.engine.dispose()
    gc.collect()
    gc.freeze()  # the caches stay out of collections too, so they stay shared
    _release_free_memory()  # what reading them freed is not handed to every child
    fork = multiprocessing.get_context("fork")
    ready, ready_here = fork.Pipe(duplex=False)
    threads = settings.slack.listener_threads
    args = (runtime, capabilities, threads, listener, ready_here)
    web = multiprocessing.parent_process()
    children: dict[int, BaseProcess] = {}
    announced: set[int] = set()

    def start() -> None:
        child = fork.Process(target=_run, args=args, name="greenroom-answers")
        child.start()
        children[child.sentinel] = child

    for _ in range(processes):
        start()
    while children:
        watched: list[Any] = [ready, *children, *([web.sentinel] if web is not None else [])]
        for event in wait(watched):
            if event is ready:
                pid = ready.recv()
                if len(announced) < processes:
                    started.send(pid)
                announced.add(pid)
            elif web is not None and event == web.sentinel:
                os._exit(1)  # the web process is gone; the children follow their parent
            else:
                assert isinstance(event, int)  # a child's sentinel
                child = children.pop(event)
                child.join()
                if child.exitcode == 0:
                    continue  # stopped by a stop marker
                log.error(
                    "answering process %s exited (%s); starting another", child.pid, child.exitcode
                )
                if child.pid not in announced:
                    if len(announced) < processes:
                        os._exit(1)  # the pool cannot start: warm() reports it
                    time.sleep(1)  # a replacement that fails at once is not retried in a loop
                start()


def _lower_priority(scheduling: AnswerScheduling, niceness: int) -> None:
    """Run this process (and the threads and processes it starts) under ``scheduling`` and
    ``niceness`` more than now (Linux; elsewhere only the niceness applies)."""
    policy = getattr(os, _POLICIES[scheduling], None)
    if policy is not None and hasattr(os, "sched_setscheduler"):
        os.sched_setscheduler(0, policy, os.sched_param(0))
    if niceness:
        os.nice(niceness)


def _share_malloc_arenas() -> None:
    """glibc gives threads that allocate at once arenas of their own (up to 8 per core), and
    what is freed in one stays there: the answering threads share a few (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, _ARENAS)


def _release_free_memory() -> None:
    """Give the pages malloc holds free back to the system (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)


def _run(
    runtime: Runtime,
    capabilities: Sequence[Any],
    threads: int,
    listener: socket.socket,
    started: Connection,
) -> None:
    """An answering process: build the Bolt app (signatures were checked by the web
    process), then answer requests on ``threads`` threads until each takes a stop marker."""
    from bot.app import create_app

    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    app = create_app(runtime, capabilities=capabilities, executor=_Inline(), verified=True)
    # What exists now (modules, the app) lives as long as the process: keep it out of every
    # later full collection, which otherwise stops all answers here for tens of milliseconds.
    gc.collect()
    gc.freeze()
    workers = [
        threading.Thread(target=_answer_from, args=(app, listener), name=f"answers-{n}")
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    started.send(os.getpid())
    for worker in workers:
        worker.join()


def _exit_with_parent() -> None:
    """A web process that was killed cannot send stop markers: go with it."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _answer_from(app: App, listener: socket.socket) -> None:
    from slackkit.incoming import RECEIVED

    while message := _next_request(listener):
        request = SlackRequest(
            body=message["body"],
            headers=message["headers"],
            context={RECEIVED: message["received"]},
        )
        try:
            response = app.dispatch(request)
        except Exception:
            log.exception("answering a Slack request failed")
            continue
        if response.status != 200 or response.body:
            # The web process acked with an empty 200: a listener that acks with content
            # belongs in acked_by_web's exceptions.
            log.warning("ack of %s lost: %.200s", response.status, response.body)


def _next_request(listener: socket.socket) -> dict[str, Any] | None:
    """The next queued request; None for a stop marker (an empty one)."""
    connection, _ = listener.accept()
    with connection:
        data = b"".join(iter(lambda: connection.recv(65536), b""))
    return json.loads(data) if data else None
