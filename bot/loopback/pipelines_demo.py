"""The example company's pipelines as a loopback Airflow and Marquez serve them, for
``greenroom demo``: orders_hourly failed its last run at ``load_orders`` (so its dataset goes
late), revenue_daily and fraud_features run fine, and Marquez knows the clickstream sessions
fraud_features reads, which the catalog does not have yet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.loopback.airflow_api import FakeAirflow, dag, dag_run, dataset, task_instance
from bot.loopback.marquez_api import FakeMarquez

__all__ = ["DemoEngines", "demo_engines"]

_USER, _PASSWORD = "greenroom", "demo-only-password"


@dataclass(frozen=True)
class DemoEngines:
    """Where the demo's engines listen, and how to sign in to Airflow."""

    airflow_url: str
    marquez_url: str
    username: str = _USER
    password: str = _PASSWORD


@contextmanager
def demo_engines(now: datetime | None = None) -> Iterator[DemoEngines]:
    """Start the fake Airflow and Marquez with Globex's pipelines; stop them afterwards."""
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    airflow = FakeAirflow(username=_USER, password=_PASSWORD, api_version=2).start()  # Airflow 3
    marquez = FakeMarquez().start()
    try:
        hour = timedelta(hours=1)
        last = now - timedelta(minutes=70)
        good = [dag_run("orders_hourly", last - hour * i, "success") for i in range(1, 6)]
        failed = dag_run(
            "orders_hourly",
            last,
            "failed",
            tasks=(
                task_instance("extract_orders"),
                task_instance("load_orders", "failed", try_number=3, max_tries=2),
                task_instance("publish_partition", "upstream_failed"),
            ),
        )
        airflow.add(dag("orders_hourly", schedule="@hourly", tags=("orders",)), *good, failed)
        day = timedelta(days=1)
        daily = now.replace(hour=0, minute=0, second=0, microsecond=0) - day
        airflow.add(
            dag("revenue_daily", schedule="@daily"),
            *(dag_run("revenue_daily", daily - day * i, "success", interval=day) for i in range(5)),
        )
        six = timedelta(hours=6)
        airflow.add(
            dag("fraud_features", schedule="0 */6 * * *"),
            *(
                dag_run("fraud_features", now - six - six * i - hour, "success", interval=six)
                for i in range(4)
            ),
        )
        airflow.datasets.append(
            dataset(
                "s3://globex-lake/orders/hourly/",
                producers=(("orders_hourly", "publish_partition"),),
                consumers=("revenue_daily", "fraud_features"),
            )
        )
        marquez.add_job(
            "airflow://globex",
            "orders_hourly",
            inputs=(("postgres://orders-db:5432", "public.orders"),),
            outputs=(("s3://globex-lake", "orders/hourly"),),
        )
        marquez.add_job(
            "airflow://globex",
            "fraud_features",
            inputs=(
                ("s3://globex-lake", "orders/hourly"),
                ("kafka://globex", "clickstream.sessions"),
            ),
            outputs=(("s3://globex-lake", "fraud/scores"),),
        )
        yield DemoEngines(airflow.url, marquez.url)
    finally:
        airflow.close()
        marquez.close()
