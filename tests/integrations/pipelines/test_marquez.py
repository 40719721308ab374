"""The Marquez client against the loopback Marquez: the graph around a job as nodes and
data-flow edges, an unknown node as None, failures in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.loopback.marquez_api import FakeMarquez
from integrations.pipelines.config import MarquezConfig
from integrations.pipelines.errors import EngineUnreachable
from integrations.pipelines.marquez import LineageEdge, MarquezClient


@pytest.fixture
def marquez() -> Iterator[FakeMarquez]:
    with FakeMarquez() as fake:
        fake.add_job(
            "airflow://prod",
            "orders_hourly",
            inputs=(("postgres://db:5432", "public.orders"),),
            outputs=(("s3://lake", "orders/hourly"),),
        )
        yield fake


def client(fake: FakeMarquez, timeout: float = 2.5) -> MarquezClient:
    return MarquezClient(MarquezConfig(url=fake.url), timeout=timeout)


def test_the_graph_has_namespaces_with_colons_and_edges_in_the_flow(marquez: FakeMarquez) -> None:
    answer = client(marquez).lineage("job:airflow://prod:orders_hourly", depth=2)

    assert answer is not None
    nodes, edges = answer
    by_id = {n.id: n for n in nodes}
    assert by_id["dataset:postgres://db:5432:public.orders"].namespace == "postgres://db:5432"
    assert LineageEdge("job:airflow://prod:orders_hourly", "dataset:s3://lake:orders/hourly") in (
        edges
    )


def test_an_unknown_node_is_none(marquez: FakeMarquez) -> None:
    assert client(marquez).lineage("job:nowhere:nothing") is None


def test_failures_are_said_in_words(marquez: FakeMarquez) -> None:
    marquez.fail(500)
    with pytest.raises(EngineUnreachable, match="Marquez answered 500: Server Error"):
        client(marquez).lineage("job:airflow://prod:orders_hourly")
    marquez.heal()
    marquez.hang()
    with pytest.raises(EngineUnreachable, match=r"did not answer within 0\.3 s"):
        client(marquez, timeout=0.3).lineage("job:airflow://prod:orders_hourly")
