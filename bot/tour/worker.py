"""Tour step: a digest posted by a real worker run: the worker engine claims a requested
``migrations.digest`` run, runs it in a child process, and the child posts to the loopback
Slack of the tour's console, as the worker of a deployment posts to Slack."""

from __future__ import annotations

import dataclasses

from bot.capabilities import job_registry
from bot.console import ConsoleAnswer
from bot.tour import Tour
from jobs import JobRegistry, Worker, request_run, wait_for_run
from runtime.process import Runtime

__all__ = ["post_digest"]

_DIGEST = "migrations.digest"


def post_digest(tour: Tour) -> None:
    """The first configured digest (``migrations.digests``), posted now by a worker."""
    digests = tour.runtime.settings.migrations.digests
    if not digests:
        tour.say("No digests in greenroom.yaml: the tour skips them.")
        return
    digest = digests[0]
    console = tour.open_console()
    tour.title(f"greenroom demo: the worker posts the {digest.subject} digest to {digest.channel}")
    settings = console.runtime.settings
    fast = settings.model_copy(
        update={"worker": settings.worker.model_copy(update={"poll_seconds": 0.2})}
    )
    worker = Worker(Runtime(fast, tour.runtime.engine), registry=_only(_DIGEST, fast))
    worker.start()
    tour.resources.callback(worker.stop, 5.0)
    before = len(console.slack.calls())
    params = {"channel": digest.channel, "subject": digest.subject}
    run_id = request_run(tour.runtime.engine, _DIGEST, params, requested_by="demo")
    record = wait_for_run(tour.runtime.engine, run_id, timeout=45, poll=0.2)
    if record.status != "succeeded":
        tour.fail("digest", f"run #{run_id} {record.status}: {record.error or 'no error text'}")
        return
    posted = [c for c in console.slack.calls()[before:] if c.method == "chat.postMessage" and c.ok]
    tour.say(f"Run #{run_id} ({_DIGEST}) succeeded in the worker; it posted:")
    tour.say(ConsoleAnswer(_DIGEST, 200, posted).text())


def _only(name: str, settings: object) -> JobRegistry:
    """The one kind, without its schedules: the tour asks for the run itself."""
    from runtime.settings import Settings

    assert isinstance(settings, Settings)
    registry = JobRegistry()
    registry.add(dataclasses.replace(job_registry(settings).get(name), schedules=None))
    return registry
