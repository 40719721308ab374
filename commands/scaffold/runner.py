"""Scaffold runs started from the modal, off the request path.

A submission is acked with the progress view at once; the run itself (seconds to minutes)
goes to a thread of its own, never the listener pool, and at most ``scaffolder.parallel_runs``
runs render and publish at once (the others wait for a slot). It shows each step in the modal
with ``views.update``; at the end the modal shows the result or the failure and the user gets
a direct message with the same content (they may have closed the modal long ago). The
threads are not daemons: a process that is stopped finishes every run it accepted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import GreenroomError
from commands.scaffold.form import form_values
from commands.scaffold.messages import failure_message, result_blocks, result_message
from commands.scaffold.modal import failure_view, progress_view, result_view
from commands.scaffold.wizard import WizardState
from integrations.errors import SubmissionInvalid
from integrations.scaffolder import Caller, Scaffolder, ScaffoldStep, TemplateForm
from integrations.techdocs import DocsLinks
from slackkit.metrics import Metrics
from slackkit.modals import update_view

__all__ = ["LiveModal", "RunRequest", "ScaffoldRunner"]

log = logging.getLogger(__name__)

#: How long after the ack (``response_action: update`` to the progress view) before the run
#: updates the modal itself: Slack applies the ack and our views.update in no set order.
_SETTLE = 1.0


class LiveModal:
    """An open modal a worker thread keeps up to date.

    Until ``quiet_until`` (monotonic) Slack may still be applying the ack's own
    ``response_action: update``, which would hide anything sent before it: the newest
    progress waits for that moment on a timer, and a final view waits for it in place.
    Each update carries the hash Slack gave the previous one; ``hash_conflict`` (something
    else changed the view) is answered by sending it again without a hash, since a run's
    progress and outcome are what the modal must show. Once Slack says the view is gone (the
    user closed it) nothing more is sent.
    """

    def __init__(
        self,
        client: WebClient,
        view_id: str,
        *,
        hash: str | None = None,
        quiet_until: float = 0.0,
    ) -> None:
        self.client, self.view_id, self.hash = client, view_id, hash
        self.quiet_until = quiet_until
        self.closed = False
        self._lock = threading.Lock()
        self._waiting: dict[str, Any] | None = None
        self._timer: threading.Timer | None = None

    def show(self, view: dict[str, Any], *, final: bool = False) -> bool:
        """Show ``view`` (progress: maybe later); False when it was not shown now."""
        wait = self.quiet_until - time.monotonic()
        with self._lock:
            if wait > 0 and not final:
                self._waiting = view
                if self._timer is None:
                    self._timer = threading.Timer(wait, self._show_waiting)
                    self._timer.start()
                return False
            self._waiting = None
            if self._timer is not None:
                self._timer.cancel()
        if wait > 0:
            time.sleep(wait)
        with self._lock:
            return self._send(view)

    def _show_waiting(self) -> None:
        with self._lock:
            if self._waiting is not None:
                self._send(self._waiting)
                self._waiting = None

    def _send(self, view: dict[str, Any]) -> bool:
        if self.closed:
            return False
        shown = update_view(self.client, self.view_id, view, hash=self.hash)
        if shown.error == "hash_conflict":
            log.info("view %s changed under a run; updating it anyway", self.view_id)
            shown = update_view(self.client, self.view_id, view)
        if shown.error in {"not_found", "view_not_found"}:
            self.closed = True
        self.hash = shown.hash if shown.ok else None
        return shown.ok


@dataclass(frozen=True)
class RunRequest:
    """A submitted form: who, which template, the submitted view state, the modal."""

    client: WebClient
    team_id: str
    user_id: str
    template_id: str
    view_id: str
    view_state: Mapping[str, Any]
    wizard: WizardState


class ScaffoldRunner:
    """Runs submissions on a pool of its own and reports them in the modal and a DM."""

    def __init__(
        self,
        scaffolder: Callable[[], Scaffolder],
        *,
        caller_of: Callable[[WebClient, str, str], Caller],
        command: str,
        docs: DocsLinks,
        parallel: int,
        metrics: Metrics,
    ) -> None:
        self.scaffolder = scaffolder
        self.caller_of = caller_of
        self.command = command
        self.docs = docs
        self.metrics = metrics
        self._slots = threading.BoundedSemaphore(parallel)

    def start(self, request: RunRequest) -> threading.Thread:
        """Start the run; it reports by itself."""
        thread = threading.Thread(target=self._run, args=(request,), name="greenroom-scaffold")
        thread.start()
        return thread

    def _run(self, request: RunRequest) -> None:
        live = LiveModal(request.client, request.view_id, quiet_until=time.monotonic() + _SETTLE)
        name = "the repository"
        reached: ScaffoldStep | None = None
        form: TemplateForm | None = None
        wizard = request.wizard

        def progress(step: ScaffoldStep, label: str) -> None:
            nonlocal reached
            reached = step
            if step != "done" and form is not None:
                live.show(progress_view(name, form.title, step, wizard))

        try:
            caller = self.caller_of(request.client, request.team_id, request.user_id)
            form = self.scaffolder().form(request.template_id, caller)
            values = form_values(form, request.view_state)
            name = str(values.get("name") or name)
            wizard = replace(wizard, template_id=form.template_id, values=values)
            with self._slots:
                result = self.scaffolder().run(
                    request.template_id, values, caller, trigger="slack", progress=progress
                )
        except SubmissionInvalid as error:
            labels = _labels(form)
            lines = [f"{labels.get(k, k)}: {m}" for k, m in error.errors.items()]
            reason = "Some values need fixing."
            live.show(failure_view(reason, wizard, errors=error.errors, labels=labels), final=True)
            self._notify(request, failure_message(name, reason, errors=lines))
            self.metrics.replies.labels("new", "run_invalid").inc()
        except GreenroomError as error:
            made = reached in {"registering", "done"}
            live.show(failure_view(error.user_message, wizard, nothing_made=not made), final=True)
            self._notify(request, failure_message(name, error.user_message, nothing_made=not made))
            self.metrics.replies.labels("new", "run_failed").inc()
        except Exception:
            log.exception("scaffold run of %s for %s crashed", request.template_id, request.user_id)
            reason = "Something went wrong on our side; it has been logged."
            live.show(failure_view(reason, wizard, nothing_made=False), final=True)
            self._notify(request, failure_message(name, reason, nothing_made=False))
            self.metrics.replies.labels("new", "run_error").inc()
        else:
            blocks = result_blocks(result, command=self.command, docs=self.docs)
            live.show(result_view(blocks, WizardState()), final=True)
            self._notify(request, result_message(result, command=self.command, docs=self.docs))
            self.metrics.replies.labels("new", "run_ok").inc()

    def _notify(self, request: RunRequest, message: dict[str, Any]) -> None:
        """A direct message to the user (the app's DM with them)."""
        try:
            request.client.chat_postMessage(channel=request.user_id, **message)
        except (SlackApiError, SlackClientError, OSError) as error:
            code = error.response.get("error") if isinstance(error, SlackApiError) else None
            log.warning("could not message %s about their run: %s", request.user_id, code or error)
            self.metrics.send_failures.labels("chat.postMessage").inc()


def _labels(form: TemplateForm | None) -> dict[str, str]:
    return {f.key: f.label for f in form.fields} if form is not None else {}
