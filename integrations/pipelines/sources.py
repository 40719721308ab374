"""Where lineage comes from, merged into one graph: the catalog's relations (``A dependsOn B``
means data flows from B to A: a pipeline reads what it depends on and writes what it is a
dependency of), OpenLineage via Marquez, and Airflow's datasets or Airflow 3's assets
(producing tasks and the DAGs that read them). The catalog's graph is built once per catalog
generation; Marquez and Airflow are asked per question, within the deadline, and one that is
silent is named instead of waited for.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from functools import partial

from catalog import Catalog, EntityRef, GreenroomError, StoredEntity, parse_ref
from catalog.annotations import (
    AIRFLOW_DAG_ID,
    AIRFLOW_DATASET_URI,
    OPENLINEAGE_NAME,
    OPENLINEAGE_NAMESPACE,
)
from catalog.errors import InvalidRef
from catalog.relations import DEPENDS_ON
from integrations.pipelines.health import Engines
from integrations.pipelines.lineage import (
    Direction,
    Impact,
    LineageGraph,
    LineageWalk,
    NodeInfo,
    Role,
    impact_of,
)
from integrations.pipelines.marquez import MarquezClient, node_id
from integrations.pipelines.model import DATASET_TYPES, PIPELINE_TYPES

__all__ = ["LineageAnswer", "catalog_lineage", "lineage_of", "role_of"]

_AIRFLOW_DATASETS_TTL = 300.0
Extra = tuple[list[NodeInfo], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class LineageAnswer:
    """A walk and, downstream, who is affected; ``notes`` say which source was not heard."""

    walks: tuple[LineageWalk, ...]
    impact: Impact | None
    sources: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def walk(self) -> LineageWalk:
        return self.walks[0]


def role_of(kind: str, spec_type: str | None) -> Role:
    if kind == "component" and (spec_type or "") in PIPELINE_TYPES:
        return Role.PIPELINE
    if kind == "resource" and (spec_type or "") in DATASET_TYPES:
        return Role.DATASET
    return Role.OTHER


def _entity_node(stored: StoredEntity, owner: EntityRef | None) -> NodeInfo:
    entity = stored.entity
    return NodeInfo(
        str(stored.ref),
        entity.display_name,
        role_of(stored.ref.kind, entity.spec_str("type")),
        stored.ref,
        owner,
    )


def build_catalog_lineage(catalog: Catalog) -> LineageGraph:
    """The catalog's lineage now: pipelines, datasets and what reads them."""
    graph = LineageGraph()
    stored = list(catalog.entities(kinds=["component", "resource"]))
    owners = catalog.owners([s.ref for s in stored])
    for item in stored:
        info = _entity_node(item, owners.get(item.ref))
        graph.add_node(info)
        annotations = item.entity.metadata.annotations
        if info.role is Role.PIPELINE and annotations.get(AIRFLOW_DAG_ID):
            graph.by_annotation[("airflow-dag", annotations[AIRFLOW_DAG_ID].strip())] = info.id
        if annotations.get(AIRFLOW_DATASET_URI):
            uri = annotations[AIRFLOW_DATASET_URI].strip()
            graph.by_annotation[("airflow-dataset", uri)] = info.id
        namespace, name = annotations.get(OPENLINEAGE_NAMESPACE), annotations.get(OPENLINEAGE_NAME)
        if namespace and name:
            kind = "job" if info.role is Role.PIPELINE else "dataset"
            graph.by_annotation[(f"openlineage-{kind}", f"{namespace}\0{name}")] = info.id
    for subject, _, obj in catalog.edges_of_type([DEPENDS_ON]):
        ends: list[NodeInfo] = []
        for key in (obj, subject):
            found = graph.info(key) or _dangling(key)
            if found is None:
                break
            graph.add_node(found)
            ends.append(found)
        if len(ends) == 2 and any(e.role is not Role.OTHER for e in ends):
            graph.add_edge(ends[0].id, ends[1].id)  # data flows from what is depended on
    return graph.seal()


def _dangling(key: str) -> NodeInfo | None:
    """A relation's target that is not in the catalog: kept (a resource is a dataset the
    catalog lacks), so a gap shows instead of cutting the lineage short."""
    try:
        ref = parse_ref(key)
    except InvalidRef:
        return None
    if ref.kind not in ("component", "resource"):
        return None
    role = Role.DATASET if ref.kind == "resource" else Role.OTHER
    return NodeInfo(key, ref.name, role, ref, None, "catalog relation", in_catalog=False)


_graphs: weakref.WeakKeyDictionary[Catalog, tuple[int, LineageGraph]] = weakref.WeakKeyDictionary()
_building = threading.Lock()


def catalog_lineage(catalog: Catalog) -> LineageGraph:
    """The catalog's lineage graph, rebuilt only when the catalog has changed."""
    generation = catalog.generation()
    cached = _graphs.get(catalog)
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _building:
        cached = _graphs.get(catalog)
        if cached is None or cached[0] != generation:
            cached = (generation, build_catalog_lineage(catalog))
            _graphs[catalog] = cached
    return cached[1]


def lineage_of(
    catalog: Catalog,
    engines: Engines,
    root: StoredEntity,
    *,
    directions: tuple[Direction, ...],
    depth: int | None,
    deadline: float | None = None,
) -> LineageAnswer:
    """Walk from ``root`` (each of ``directions``) over the catalog's lineage merged with
    Marquez's and Airflow's, asked once."""
    base = catalog_lineage(catalog)
    asks: list[tuple[str, Callable[[], Extra]]] = []
    marquez = engines.settings.marquez
    namespace = root.entity.annotation(OPENLINEAGE_NAMESPACE)
    name = root.entity.annotation(OPENLINEAGE_NAME)
    if marquez is not None and namespace and name:
        is_job = role_of(root.ref.kind, root.entity.spec_str("type")) is Role.PIPELINE
        start = node_id("job" if is_job else "dataset", namespace.strip(), name.strip())

        def ask_marquez() -> Extra:
            return _from_marquez(engines, base, start, depth)

        asks.append(("Marquez", ask_marquez))
    for instance in engines.settings.airflow:
        asks.append(
            (f"Airflow {instance.name}", partial(_from_airflow, engines, base, instance.name))
        )
    nodes: list[NodeInfo] = []
    edges: list[tuple[str, str]] = []
    notes: list[str] = []
    heard = ["catalog"]
    futures = [(label, engines.pool.submit(ask)) for label, ask in asks]
    if futures:
        wait_for([f for _, f in futures], timeout=deadline)
    for label, future in futures:
        if not future.done():
            future.cancel()
            notes.append(f"{label} did not answer within {deadline:g} s: its lineage is missing.")
            continue
        try:
            more_nodes, more_edges = future.result()
        except GreenroomError as error:
            notes.append(f"{error.user_message}: its lineage is missing.")
            continue
        nodes += more_nodes
        edges += more_edges
        heard.append(label)
    owner = next(iter(catalog.owners([root.ref]).values()), None)
    nodes.append(_entity_node(root, owner))
    graph = base.merged(nodes, edges)
    walks = tuple(graph.walk(str(root.ref), direction=d, depth=depth) for d in directions)
    down = next((w for w in walks if w.direction is Direction.DOWN), None)
    impact = impact_of(down, skip_owner=owner) if down is not None else None
    return LineageAnswer(walks, impact, tuple(heard), tuple(notes))


def _mapped(base: LineageGraph, key: tuple[str, str], fallback: NodeInfo) -> NodeInfo:
    known = base.by_annotation.get(key)
    info = base.info(known) if known else None
    return info or fallback


def _from_marquez(engines: Engines, base: LineageGraph, start: str, depth: int | None) -> Extra:
    config = engines.settings.marquez
    assert config is not None
    client = MarquezClient(config, timeout=engines.timeout, transport=engines.transport)
    try:
        answer = client.lineage(start, depth=depth)
    finally:
        client.close()
    if answer is None:
        return [], []
    graph_nodes, graph_edges = answer
    ids: dict[str, str] = {}
    nodes = []
    for node in graph_nodes:
        kind = "job" if node.type.upper() == "JOB" else "dataset"
        fallback = NodeInfo(
            f"openlineage:{node.id}",
            f"{node.namespace}/{node.name}" if node.namespace else node.name,
            Role.PIPELINE if kind == "job" else Role.DATASET,
            None,
            None,
            "openlineage",
            in_catalog=False,
        )
        info = _mapped(base, (f"openlineage-{kind}", f"{node.namespace}\0{node.name}"), fallback)
        ids[node.id] = info.id
        nodes.append(info)
    edges = [
        (ids[e.origin], ids[e.destination])
        for e in graph_edges
        if e.origin in ids and e.destination in ids
    ]
    return nodes, edges


def _from_airflow(engines: Engines, base: LineageGraph, instance: str) -> Extra:
    with engines.lock:
        cached = engines.cache.get(("airflow-datasets", instance))
    if cached is None or time.monotonic() - cached[0] > _AIRFLOW_DATASETS_TTL:
        rows = list(engines.airflow(instance).dataset_links())
        cached = (time.monotonic(), rows)
        with engines.lock:
            engines.cache[("airflow-datasets", instance)] = cached
    nodes: list[NodeInfo] = []
    edges: list[tuple[str, str]] = []

    def dag(dag_id: str) -> str:
        fallback = NodeInfo(
            f"airflow:dag:{dag_id}", dag_id, Role.PIPELINE, None, None, "airflow", False
        )
        info = _mapped(base, ("airflow-dag", dag_id), fallback)
        nodes.append(info)
        return info.id

    for uri, producers, consumers in cached[1]:
        fallback = NodeInfo(
            f"airflow:dataset:{uri}", uri, Role.DATASET, None, None, "airflow", False
        )
        dataset = _mapped(base, ("airflow-dataset", uri), fallback)
        if not producers and not consumers:
            continue
        nodes.append(dataset)
        edges += [(dag(p), dataset.id) for p in producers]
        edges += [(dataset.id, dag(c)) for c in consumers]
    return nodes, edges
