"""{{ cookiecutter.project_name }}: {{ cookiecutter.description | replace('\\', '/') | replace('"', "'") }}

Writes the Airflow Dataset {{ cookiecutter.output_uri }}; DAGs scheduled on it run after
each successful run of this one.
"""

from __future__ import annotations

import pendulum
from airflow.datasets import Dataset
from airflow.decorators import dag, task

OUTPUT = Dataset({{ cookiecutter.output_uri | jsonify }})


@dag(
    dag_id={{ cookiecutter.dag_id | jsonify }},
    schedule={{ cookiecutter.schedule | jsonify }},
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": {{ cookiecutter.owner | jsonify }}, "retries": 2},
    tags=["greenroom"],
)
def pipeline() -> None:
    @task
    def extract() -> list[dict[str, object]]:
        """Read this run's input (replace with the real source)."""
        return [{"id": 1}]

    @task(outlets=[OUTPUT])
    def load(rows: list[dict[str, object]]) -> int:
        """Write the output; marking OUTPUT as updated triggers the DAGs that read it."""
        return len(rows)

    load(extract())


pipeline()
