"""The worker fixtures of tests/jobs, for the capabilities' job tests."""

from __future__ import annotations

from tests.jobs.conftest import spawn_worker, sqlite_url, start_worker

__all__ = ["spawn_worker", "sqlite_url", "start_worker"]
