"""The registry of job kinds: what a feature may register, and how mistakes are caught early."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from jobs import InvalidSchedule, JobKind, JobRegistry, RetryPolicy, UnknownJobKind
from runtime.settings import load_settings
from tests.jobs.sample_kinds import flaky, record


def test_a_kind_with_every_gets_one_default_schedule_named_after_it(tmp_path: Path) -> None:
    kind = JobKind("docs.build", record, every=timedelta(minutes=30))
    settings = load_settings(None, environ={}, config_dir=str(tmp_path))
    [default] = kind.default_schedules(settings)
    assert (default.id, default.when) == ("docs.build", "every 30m")
    assert kind.target == "tests.jobs.sample_kinds:record"


def test_bodies_must_be_importable_by_name_in_the_job_process() -> None:
    with pytest.raises(ValueError, match="module-level function"):
        JobKind("bad.lambda", lambda ctx: None)

    def nested(ctx: object) -> None:
        return None

    with pytest.raises(ValueError, match="module-level function"):
        JobKind("bad.nested", nested)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "Docs Build"}, "must look like 'catalog.sync'"),
        ({"every": timedelta(minutes=1), "cron": "mon 09:00"}, "not both"),
        ({"every": timedelta(milliseconds=10)}, "at least 1 second"),
        ({"timeout": timedelta(0)}, "timeout must be positive"),
    ],
)
def test_bad_kind_definitions_are_refused(arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"name": "docs.build", "run": record} | arguments
    with pytest.raises(ValueError, match=message):
        JobKind(**values)  # type: ignore[arg-type]


def test_a_bad_default_cron_is_refused_at_registration() -> None:
    with pytest.raises(InvalidSchedule, match="'25:00' is not a time of day"):
        JobKind("digest", record, cron="mon 25:00")


def test_two_bodies_cannot_share_a_name_but_re_registering_is_harmless() -> None:
    registry = JobRegistry()
    registry.add(JobKind("digest", record))
    registry.add(JobKind("digest", record, timeout=timedelta(minutes=1)))
    with pytest.raises(ValueError, match=r"already registered by tests\.jobs\.sample_kinds:record"):
        registry.add(JobKind("digest", flaky))


def test_an_unknown_kind_suggests_close_names() -> None:
    registry = JobRegistry()
    registry.add(JobKind("migrations.digest", record))
    with pytest.raises(UnknownJobKind) as caught:
        registry.get("migration.digest")
    assert caught.value.suggestions == ["migrations.digest"]


def test_retry_backoff_grows_by_its_factor_up_to_the_cap() -> None:
    policy = RetryPolicy(
        attempts=5, backoff=timedelta(seconds=30), factor=2, max_backoff=timedelta(minutes=1)
    )
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 60, 60]
    with pytest.raises(ValueError, match="attempts >= 1"):
        RetryPolicy(attempts=0)
