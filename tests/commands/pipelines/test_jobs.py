"""``pipelines.sweep`` as a job: scheduled every ``pipelines.sweep_interval_minutes`` when
Airflow or a cluster is configured, never otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.capabilities import job_registry
from commands.pipelines.jobs import PIPELINES_SWEEP
from jobs import plan_schedules
from runtime.settings import load_settings


def settings_for(tmp_path: Path, database_url: str, **extra: Any) -> Any:
    return load_settings(None, environ={}, database_url=database_url, data_dir=tmp_path, **extra)


def test_the_sweep_runs_every_interval_when_an_engine_is_configured(
    tmp_path: Path, database_url: str
) -> None:
    registry = job_registry()
    airflow = {"name": "prod", "url": "https://airflow.example", "username": "greenroom"}
    configured = settings_for(
        tmp_path, database_url, pipelines={"airflow": [airflow], "sweep_interval_minutes": 15}
    )

    [planned] = [
        s for s in plan_schedules(registry, configured).schedules if s.kind == PIPELINES_SWEEP
    ]

    assert planned.spec.expression == "every 15m"
    plain = plan_schedules(registry, settings_for(tmp_path, database_url))
    assert PIPELINES_SWEEP not in {s.id for s in plain.schedules}


def test_secrets_in_the_file_are_refused_and_read_from_the_environment(
    tmp_path: Path, database_url: str
) -> None:
    airflow = {"name": "prod", "url": "https://a.example", "password_env": "AIRFLOW_PW"}
    settings = load_settings(
        None,
        environ={"AIRFLOW_PW": "from-env"},
        database_url=database_url,
        data_dir=tmp_path,
        pipelines={"airflow": [airflow]},
    )

    password = settings.pipelines.airflow[0].password
    assert password is not None and password.get_secret_value() == "from-env"
    assert "from-env" not in repr(settings.pipelines)
