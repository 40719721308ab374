"""The DAG file parses and says what the catalog says (dag id, schedule, dataset), checked
without Airflow installed: Airflow imports it the same way in the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

DAG_FILE = Path(__file__).resolve().parent.parent / "dags" / "{{ cookiecutter.dag_id }}.py"


def _dag_call() -> ast.Call:
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "dag":
                    return decorator
    raise AssertionError("no @dag(...) in the DAG file")


def _keyword(name: str) -> object:
    found = next(k for k in _dag_call().keywords if k.arg == name)
    return ast.literal_eval(found.value)


def test_the_dag_id_matches_the_catalog_annotation() -> None:
    assert _keyword("dag_id") == {{ cookiecutter.dag_id | jsonify }}


def test_the_dag_has_a_schedule_and_no_catchup() -> None:
    assert _keyword("schedule") == {{ cookiecutter.schedule | jsonify }}
    assert _keyword("catchup") is False


def test_the_dag_writes_its_dataset() -> None:
    assert {{ cookiecutter.output_uri | jsonify }} in DAG_FILE.read_text(encoding="utf-8")
