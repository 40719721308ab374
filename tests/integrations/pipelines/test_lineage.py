"""The lineage graph: walks by level, loops named once, nodes the catalog lacks kept, depth
and size limits, merged views that leave the base graph alone, and who to tell."""

from __future__ import annotations

from catalog import parse_ref
from integrations.pipelines.lineage import Direction, LineageGraph, NodeInfo, Role, impact_of


def node(key: str, role: Role = Role.DATASET, owner: str | None = "group:data") -> NodeInfo:
    ref = parse_ref(key)
    return NodeInfo(key, ref.name, role, ref, parse_ref(owner) if owner else None)


def graph(*edges: tuple[str, str]) -> LineageGraph:
    made = LineageGraph()
    for a, b in edges:
        for key in (a, b):
            role = Role.PIPELINE if key.startswith("component:") else Role.DATASET
            made.add_node(node(key, role))
        made.add_edge(a, b)
    return made.seal()


RAW, ETL, ORDERS, REPORT, REVENUE = (
    "resource:default/raw",
    "component:default/etl",
    "resource:default/orders",
    "component:default/report",
    "resource:default/revenue",
)


def test_downstream_is_listed_level_by_level_with_where_each_came_from() -> None:
    lineage = graph((RAW, ETL), (ETL, ORDERS), (ORDERS, REPORT), (REPORT, REVENUE))

    walk = lineage.walk(RAW, direction=Direction.DOWN)

    assert [[s.node.id for s in level] for level in walk.levels()] == [
        [ETL],
        [ORDERS],
        [REPORT],
        [REVENUE],
    ]
    assert walk.steps[1].via == ETL and walk.cycles == () and not walk.truncated


def test_upstream_walks_against_the_flow_and_depth_stops_it() -> None:
    lineage = graph((RAW, ETL), (ETL, ORDERS), (ORDERS, REPORT), (REPORT, REVENUE))

    walk = lineage.walk(REVENUE, direction=Direction.UP, depth=2)

    assert [s.node.id for s in walk.steps] == [REPORT, ORDERS]


def test_a_loop_is_named_once_and_every_node_listed_once() -> None:
    lineage = graph((ORDERS, REPORT), (REPORT, REVENUE), (REVENUE, ETL), (ETL, ORDERS))

    walk = lineage.walk(ORDERS, direction=Direction.DOWN)

    assert [s.node.id for s in walk.steps] == [REPORT, REVENUE, ETL]
    assert walk.cycles == ((ETL, ORDERS),)


def test_a_diamond_is_not_a_loop() -> None:
    lineage = graph((RAW, ETL), (RAW, REPORT), (ETL, ORDERS), (REPORT, ORDERS))

    walk = lineage.walk(RAW, direction=Direction.DOWN)

    assert walk.cycles == () and len(walk) == 3


def test_nodes_the_catalog_lacks_are_kept_and_named() -> None:
    lineage = graph((RAW, ETL))
    outside = NodeInfo(
        "openlineage:dataset:s3://lake:x",
        "s3://lake/x",
        Role.DATASET,
        None,
        None,
        "openlineage",
        in_catalog=False,
    )

    view = lineage.merged([outside], [(ETL, outside.id)])
    walk = view.walk(RAW, direction=Direction.DOWN)

    assert [n.label for n in walk.missing] == ["s3://lake/x"]
    assert len(lineage.walk(RAW, direction=Direction.DOWN)) == 1  # the base graph is unchanged


def test_a_walk_stops_at_its_limit_and_says_so() -> None:
    lineage = graph(*[(RAW, f"component:default/p{i}") for i in range(20)])

    walk = lineage.walk(RAW, direction=Direction.DOWN, limit=5)

    assert len(walk) == 5 and walk.truncated


def test_impact_groups_downstream_by_team_and_leaves_out_the_owner() -> None:
    lineage = LineageGraph()
    lineage.add_node(node(ORDERS, owner="group:data"))
    lineage.add_node(node(REPORT, Role.PIPELINE, owner="group:finance"))
    lineage.add_node(node(REVENUE, owner="group:finance"))
    lineage.add_node(node("resource:default/ghost", owner=None))
    for a, b in ((ORDERS, REPORT), (REPORT, REVENUE), (ORDERS, "resource:default/ghost")):
        lineage.add_edge(a, b)

    impact = impact_of(
        lineage.walk(ORDERS, direction=Direction.DOWN), skip_owner=parse_ref("group:data")
    )

    assert [(str(team), [n.id for n in nodes]) for team, nodes in impact.teams] == [
        ("group:default/finance", [REPORT, REVENUE])
    ]
    assert [n.id for n in impact.unowned] == ["resource:default/ghost"]


def test_a_loop_closed_by_a_lineage_sources_edge_is_found_in_the_merged_view() -> None:
    lineage = graph((ORDERS, REPORT), (REPORT, REVENUE))
    extra = NodeInfo("openlineage:job:x", "x", Role.PIPELINE, None, None, "openlineage", False)

    view = lineage.merged([extra], [(REVENUE, extra.id), (extra.id, ORDERS)])

    assert view.walk(ORDERS, direction=Direction.DOWN).cycles == ((extra.id, ORDERS),)
    assert lineage.walk(ORDERS, direction=Direction.DOWN).cycles == ()
