"""The child process a job body runs in (started by ``jobs.execution`` through forkserver).

It leads its own process group, so cutting a job off also stops whatever it started (git,
mkdocs), and a Ctrl-C meant for the worker does not hit the job: the worker decides.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import os
import signal
import traceback
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from catalog.database import create_database_engine
from catalog.errors import GreenroomError, Interrupted, raise_interrupted
from jobs.context import JobContext
from jobs.registry import JobRegistry, resolve_target
from runtime.logs import log_as
from runtime.process import Runtime
from runtime.settings import Settings

__all__ = ["ChildTask", "child_main"]

_MAX_ERROR = 4000


@dataclass(frozen=True)
class ChildTask:
    """Everything the child needs, pickled across the process boundary."""

    target: str
    settings: Settings
    kind: str
    params: dict[str, Any]
    slot: datetime
    run_id: int
    attempt: int
    trigger: str
    deadline: datetime
    log_level: int
    registry: JobRegistry


def child_main(task: ChildTask, conn: Connection, output: Connection | None = None) -> None:
    """Run one job body and send ``("ok", result)`` or ``("error", text)`` to the parent;
    ``output`` becomes stdout and stderr (the parent keeps its tail, see jobs.child_output)."""
    if output is not None:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        output.close()
    faulthandler.enable()  # a crash in native code leaves a Python traceback in that tail
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The forkserver ignores SIGTERM; a job must not: it unwinds (transactions roll back, a
    # sync records itself interrupted) and the worker records the run and asks for it again.
    signal.signal(signal.SIGTERM, raise_interrupted)
    log_as("job", task.settings, level=task.log_level)
    logger = logging.getLogger(f"greenroom.job.{task.kind}")
    engine = None
    try:
        body = resolve_target(task.target)
        engine = create_database_engine(task.settings.resolved_database_url)
        context = JobContext(
            runtime=Runtime(task.settings, engine),
            kind=task.kind,
            params=task.params,
            slot=task.slot,
            run_id=task.run_id,
            attempt=task.attempt,
            trigger=task.trigger,
            deadline=task.deadline,
            logger=logger,
            registry=task.registry,
        )
        result = body(context)
        if result is not None and not isinstance(result, dict):
            raise TypeError(f"job {task.kind} returned {type(result).__name__}, not a dict")
        json.dumps(result)
        conn.send(("ok", result))
    except GreenroomError as error:
        logger.error("run #%s failed: %s", task.run_id, error.user_message)
        conn.send(("error", f"{type(error).__name__}: {error.user_message}"[:_MAX_ERROR]))
    except Interrupted as error:  # SIGTERM: the worker is cutting it off
        logger.warning("run #%s interrupted: %s", task.run_id, error.reason)
        conn.send(("error", f"interrupted: {error.reason}"))
    except BaseException as error:  # a bug: keep the traceback for whoever reads the run
        logger.exception("run #%s crashed", task.run_id)
        text = "".join(traceback.format_exception(error))
        conn.send(("error", f"{type(error).__name__}: {error}\n{text[-_MAX_ERROR:]}"))
    finally:
        conn.close()
        if engine is not None:
            engine.dispose()
