"""The pipelines step of ``greenroom demo``: the example company's pipelines answered against
a loopback Airflow and Marquez (which the shell starts and passes in: ``engines``), through
the same console as the rest of the tour."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from integrations.pipelines import PipelinesSettings
from runtime.process import Runtime

__all__ = ["TOUR", "pipelines_tour"]

TOUR = ("pipeline orders-hourly-etl", "lineage orders-hourly --down", "lineage fraud-features --up")


class _Engines(Protocol):
    @property
    def airflow_url(self) -> str: ...
    @property
    def marquez_url(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...


class _Printer(Protocol):
    def rule(self, title: str) -> Any: ...

    def print(self, *objects: Any, markup: bool = ..., highlight: bool = ...) -> Any: ...


def pipelines_tour(
    runtime: Runtime,
    out: _Printer,
    *,
    engines: Callable[[], AbstractContextManager[_Engines]],
    console: Callable[[Runtime], AbstractContextManager[Any]],
    email: str | None = None,
) -> int:
    """Ask :data:`TOUR` with the example engines running; returns how many went unanswered."""
    command = runtime.settings.slack.command
    who = f" as {email}" if email else ""
    failed = 0
    with engines() as running:
        settings = PipelinesSettings.model_validate(
            {
                "airflow": [
                    {
                        "name": "globex",
                        "url": running.airflow_url,
                        "username": running.username,
                        "password_env": "GREENROOM_DEMO_AIRFLOW_PASSWORD",
                    }
                ],
                "marquez": {"url": running.marquez_url},
            }
        ).with_env({"GREENROOM_DEMO_AIRFLOW_PASSWORD": running.password})
        demo = Runtime(runtime.settings.model_copy(update={"pipelines": settings}), runtime.engine)
        with console(demo) as asking:
            for question in TOUR:
                out.rule(f"{command} {question}{who}")
                answer = asking.ask(f"{command} {question}", email=email)
                out.print(answer.text(), markup=False, highlight=False)
                failed += 0 if answer.answered else 1
    return failed
