"""Job processes: a child that dies without a result is recorded with how it died and what it
said last; what children write still reaches the worker's stderr."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobs.child import ChildTask
from jobs.execution import ChildRunner
from jobs.registry import JobRegistry
from runtime.settings import load_settings


@pytest.fixture(scope="module")
def runner() -> Iterator[ChildRunner]:
    runner = ChildRunner(preload=("jobs.child", "tests.jobs.sample_kinds"))
    runner.start_server()
    yield runner
    runner.abandon_all("tests over")


def task(tmp_path: Path, target: str, **params: Any) -> ChildTask:
    now = datetime.now(UTC)
    return ChildTask(
        target=target,
        settings=load_settings(None, environ={}, database_url=f"sqlite:///{tmp_path}/x.db"),
        kind="test.die",
        params=params,
        slot=now,
        run_id=7,
        attempt=1,
        trigger="request",
        deadline=now + timedelta(minutes=1),
        log_level=20,
        registry=JobRegistry(),
    )


@pytest.mark.parametrize(
    ("how", "first_line"),
    [
        ("kill", "job process was killed by SIGKILL (out of memory? "),
        (
            "segfault",
            "job process was killed by SIGSEGV (a crash in native code): "
            "Fatal Python error: Segmentation fault",
        ),
        ("exit", "job process exited with code 3 without a result: allocating 40 GiB"),
    ],
)
def test_a_job_process_that_dies_is_recorded_with_how_and_its_last_words(
    runner: ChildRunner, tmp_path: Path, how: str, first_line: str
) -> None:
    say = "allocating 40 GiB"
    die = task(tmp_path, "tests.jobs.sample_kinds:die", how=how, say=say)
    outcome = runner.run(die, timeout=60)

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith(first_line)
    assert say in outcome.error
    if how == "segfault":  # faulthandler's traceback names the Python line that crashed
        assert 'sample_kinds.py", line' in outcome.error


def test_what_a_job_writes_reaches_the_worker_stderr(
    runner: ChildRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "tests.jobs.sample_kinds:die"
    runner.run(task(tmp_path, target, how="exit", say="first line\nsecond line"), timeout=60)

    assert "first line\nsecond line\n" in capsys.readouterr().err


def test_a_job_that_fails_in_python_keeps_its_traceback_not_its_output_tail(
    runner: ChildRunner, tmp_path: Path
) -> None:
    flaky = task(tmp_path, "tests.jobs.sample_kinds:flaky", path=str(tmp_path / "a"), failures=1)
    outcome = runner.run(flaky, timeout=60)

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith("RuntimeError: planned failure 1")
    assert "last output" not in outcome.error
