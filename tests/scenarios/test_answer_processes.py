"""``greenroom serve`` with an answer pool: the web process acks, pool processes answer."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.capabilities import CAPABILITIES
from bot.web.answer_pool import acked_by_web
from commands import Setup
from slackkit.replies import Reply
from slackkit.router import Ask
from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import ALICE, Workspace

#: /proc/PID/stat: niceness and scheduling policy, counted after the command's ")".
_NICE, _POLICY = 16, 38


def answering_process(setup: Setup) -> None:
    """``pid``: which process answered; ``slow <seconds>``: an answer that takes its time."""
    assert setup.slack is not None
    deps = setup.slack.deps

    def pid(ask: Ask) -> Reply:
        return Reply.simple(f"answered by process {os.getpid()}")

    def slow(ask: Ask) -> Reply:
        time.sleep(float(ask.text))
        return Reply.simple(f"slept {ask.text} in process {os.getpid()}")

    deps.router.add("pid", pid, summary="Which process answered", usage="pid")
    deps.router.add("slow", slow, summary="Answer after a while", usage="slow <seconds>")


@pytest.fixture
def pooled(serve_greenroom: Callable[..., Workspace], acme: None) -> Workspace:
    """greenroom on the ACME catalog, answered by two processes of two threads each."""
    return serve_greenroom(
        (*CAPABILITIES, answering_process), answer_processes=2, listener_threads=2
    )


def _pid(workspace: Workspace) -> int:
    text = workspace.text(workspace.ask("pid"))
    return int(text.rsplit(" ", 1)[1])


def test_commands_mentions_buttons_and_home_are_answered_by_pool_processes(
    pooled: Workspace,
) -> None:
    sent = pooled.command("owner payments-api")
    assert (sent.response.status_code, sent.response.text) == (200, "")
    assert "Payments team" in pooled.text(pooled.reply(sent))
    assert _pid(pooled) != os.getpid()

    pooled.mention("owner payments-api")
    mentioned = pooled.slack.wait_for("chat.postEphemeral")[0]
    assert "Payments team" in pooled.text(dict(mentioned.args))

    page = pooled.reply(pooled.command("find search"))
    clicked = pooled.click(page, "Show more")
    assert "Showing 21-" in pooled.text(pooled.reply(clicked))

    assert "Hi Alice Archer" in pooled.view_text(pooled.open_home(ALICE))


def test_answers_spread_over_the_processes_and_acks_never_wait_for_them(
    pooled: Workspace,
) -> None:
    slow = [pooled.command("slow 2") for _ in range(4)]  # every thread: 2 processes x 2
    time.sleep(0.5)
    queued = pooled.command("whoami")
    assert queued.response.status_code == 200
    assert queued.seconds < 0.5
    texts = [pooled.text(pooled.reply(sent, timeout=20)) for sent in slow]
    pids = {int(text.rsplit(" ", 1)[1]) for text in texts}
    assert len(pids) == 2 and os.getpid() not in pids
    assert "alice" in pooled.text(pooled.reply(queued, timeout=20)).lower()


def test_a_duplicate_delivery_is_answered_once_across_processes(pooled: Workspace) -> None:
    sent = pooled.command("whoami")
    retried = pooled.post(sent.request)
    assert retried.status_code == 200
    pooled.reply(sent)
    pooled.stop_greenroom()  # drains the pool: the duplicate has been handled after this
    assert len(pooled.replies_to(sent)) == 1


def test_stopping_lets_queued_answers_reach_slack(pooled: Workspace) -> None:
    sent = [pooled.command("slow 1") for _ in range(6)]
    stopper = threading.Thread(target=pooled.stop_greenroom)
    stopper.start()
    stopper.join(60)
    assert not stopper.is_alive()
    for request in sent:
        assert len(pooled.replies_to(request)) == 1


def test_a_killed_answering_process_is_replaced(pooled: Workspace) -> None:
    victim = _pid(pooled)
    os.kill(victim, signal.SIGKILL)
    _wait_until_dead(victim)  # a question it accepted while dying would be lost with it
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    while len(seen) < 2 and time.monotonic() < deadline:
        seen.add(_pid(pooled))
        time.sleep(0.05)
    assert victim not in seen
    assert len(seen) == 2  # the survivor and the replacement


@pytest.mark.parametrize(
    ("scheduling", "niceness", "policy"),
    [("batch", 0, os.SCHED_BATCH), ("normal", 3, os.SCHED_OTHER)],
)
def test_answering_processes_run_with_the_configured_scheduling_and_niceness(
    serve_greenroom: Callable[..., Workspace],
    acme: None,
    scheduling: str,
    niceness: int,
    policy: int,
) -> None:
    workspace = serve_greenroom(
        (*CAPABILITIES, answering_process),
        answer_processes=1,
        answer_scheduling=scheduling,
        answer_niceness=niceness,
    )
    answering = _stat(_pid(workspace))
    assert int(answering[_POLICY]) == policy
    assert int(answering[_NICE]) == int(_stat(os.getpid())[_NICE]) + niceness
    assert int(_stat(os.getpid())[_POLICY]) == os.SCHED_OTHER  # the web process's is unchanged


def test_answers_see_a_sync_made_after_the_processes_started(
    serve_greenroom: Callable[..., Workspace], write_catalog: Callable[[str], None]
) -> None:
    write_catalog(ACME)
    pooled = serve_greenroom(answer_processes=2, listener_threads=2)
    assert "zebrafish-api" not in pooled.text(pooled.reply(pooled.command("find zebrafish")))
    write_catalog(
        ACME
        + """---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: zebrafish-api, description: Zebrafish sightings.}
spec: {type: service, lifecycle: production, owner: search}
"""
    )
    for _ in range(4):  # whichever process answers reads the new generation itself
        assert "zebrafish-api" in pooled.text(pooled.reply(pooled.command("find zebrafish")))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"command": "/greenroom", "text": "owner x"}, True),
        ({"command": "/other", "text": "owner x"}, False),
        ({"type": "event_callback", "event": {"type": "app_mention"}}, True),
        ({"type": "block_actions", "actions": []}, True),
        ({"type": "view_submission", "view": {}}, False),
        ({"type": "block_suggestion", "value": "x"}, False),
        ({"type": "url_verification", "challenge": "c"}, False),
    ],
)
def test_only_requests_acked_empty_leave_the_web_process(
    payload: dict[str, object], expected: bool
) -> None:
    assert acked_by_web(payload, "/greenroom") is expected


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _wait_until_dead(pid: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return  # already reaped
        if state in {"Z", "X"}:
            return
        assert time.monotonic() < deadline, f"process {pid} did not die"
        time.sleep(0.01)
