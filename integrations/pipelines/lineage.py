"""Lineage as an in-memory graph of data flow: an edge ``a -> b`` means data flows from a to b
(a dataset read by a pipeline, a pipeline writing a dataset, a table a view is built on).
Walking it upstream answers "what feeds this"; downstream answers "who is hurt when it is
late". Walks are breadth first, level by level, safe on cycles (each cycle is named once), and
touch only integer ids and lists: 50,000 nodes walk in a few milliseconds.

Nodes are catalog entities (by ref) or things only a lineage source knows (an OpenLineage
dataset, an Airflow dataset URI) that the catalog lacks: those are kept and named as missing,
so a gap in the catalog shows instead of cutting the walk short.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from catalog import EntityRef

__all__ = [
    "Direction",
    "Impact",
    "LineageGraph",
    "LineageStep",
    "LineageWalk",
    "NodeInfo",
    "Role",
    "impact_of",
]

MAX_NODES = 5000
_MAX_CYCLES = 100


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class Role(StrEnum):
    PIPELINE = "pipeline"
    DATASET = "dataset"
    OTHER = "other"  # a service or dashboard that reads a dataset


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a walk shows of a node; ``in_catalog`` is False for a node only a relation or a
    lineage source names (``ref`` is then the dangling ref, or None)."""

    id: str
    label: str
    role: Role
    ref: EntityRef | None = None
    owner: EntityRef | None = None
    source: str = "catalog"  # where the node was learnt: catalog, openlineage, airflow
    in_catalog: bool = True


@dataclass(frozen=True, slots=True)
class LineageStep:
    """A node reached by a walk: how far, and from which node."""

    node: NodeInfo
    level: int
    via: str  # id of the node it was reached from


class LineageWalk:
    """Everything reached from the root in one direction, nearest first, level by level.
    Steps (and which node each was reached from) are made when first read: a walk over 50,000
    nodes should not pay for 50,000 objects nobody shows."""

    def __init__(
        self,
        info: list[NodeInfo],
        back: list[list[int] | tuple[int, ...]],
        root: int,
        direction: Direction,
        levels: list[list[int]],
        cycles: list[tuple[int, int]],
        truncated: bool,
        depth: int | None,
    ) -> None:
        self._info = info
        self._back = back  # edges against the walk's direction: where a node came from
        self._levels = levels
        self._cycles = cycles
        self._root = root
        self.root = info[root]
        self.direction = direction
        self.truncated = truncated
        self.depth = depth

    def __len__(self) -> int:
        return sum(len(level) for level in self._levels)

    @cached_property
    def steps(self) -> tuple[LineageStep, ...]:
        info, back = self._info, self._back
        found: list[LineageStep] = []
        previous = {self._root}
        for number, level in enumerate(self._levels, start=1):
            for node in sorted(level):
                via = next((p for p in back[node] if p in previous), self._root)
                found.append(LineageStep(info[node], number, info[via].id))
            previous = set(level)
        return tuple(found)

    @cached_property
    def cycles(self) -> tuple[tuple[str, str], ...]:
        """(from, to) edges that close a loop, each once."""
        info = self._info
        return tuple(dict.fromkeys((info[a].id, info[b].id) for a, b in self._cycles))

    @property
    def missing(self) -> tuple[NodeInfo, ...]:
        """Nodes a lineage source knows and the catalog does not."""
        return tuple(s.node for s in self.steps if not s.node.in_catalog)

    def levels(self) -> list[list[LineageStep]]:
        grouped: dict[int, list[LineageStep]] = defaultdict(list)
        for step in self.steps:
            grouped[step.level].append(step)
        return [grouped[level] for level in sorted(grouped)]


class LineageGraph:
    """Nodes and data-flow edges, indexed both ways. Build once, walk many times; ``merged``
    lays extra edges (a lineage source's, for one question) over it without copying it."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._info: list[NodeInfo] = []
        self._down: list[list[int] | tuple[int, ...]] = []
        self._up: list[list[int] | tuple[int, ...]] = []
        self.by_annotation: dict[tuple[str, str], str] = {}
        self._loop_of: list[int] | None = None
        self._in_loops: set[int] = set()

    def __len__(self) -> int:
        return len(self._info)

    def __contains__(self, node: str) -> bool:
        return node in self._index

    def info(self, node: str) -> NodeInfo | None:
        at = self._index.get(node)
        return None if at is None else self._info[at]

    def add_node(self, info: NodeInfo) -> int:
        """Add (or, for a node first seen as a bare edge end, describe) a node."""
        at = self._index.get(info.id)
        if at is None:
            at = len(self._info)
            self._index[info.id] = at
            self._info.append(info)
            self._down.append([])
            self._up.append([])
            self._loop_of = None
        elif self._info[at].source != "catalog" or info.source == "catalog":
            self._info[at] = info
        return at

    def add_edge(self, origin: str, destination: str) -> None:
        """Data flows from ``origin`` to ``destination`` (both must be added first)."""
        a, b = self._index[origin], self._index[destination]
        if a != b and b not in self._down[a]:
            self._down[a] = [*self._down[a], b]
            self._up[b] = [*self._up[b], a]
            self._loop_of = None

    def seal(self) -> LineageGraph:
        """Turn the rows into tuples once built: tuples of ints drop out of the garbage
        collector's view, so a full collection does not walk 100,000 lists mid-answer."""
        self._down = [tuple(row) for row in self._down]
        self._up = [tuple(row) for row in self._up]
        self._loops()
        return self

    def merged(self, nodes: Iterable[NodeInfo], edges: Iterable[tuple[str, str]]) -> LineageGraph:
        """A graph with extra nodes and edges over this one (this one is not changed)."""
        extra_nodes = list(nodes)
        extra_edges = list(edges)
        if not extra_nodes and not extra_edges:
            return self
        view = LineageGraph()
        view._index = dict(self._index)
        view._info = list(self._info)
        view._down = list(self._down)  # rows are copied only when written below
        view._up = list(self._up)
        view.by_annotation = self.by_annotation
        view._loop_of = None
        for info in extra_nodes:
            if info.id not in view._index:
                view.add_node(info)
        added: list[tuple[int, int]] = []
        for origin, destination in extra_edges:
            a, b = view._index.get(origin), view._index.get(destination)
            if a is None or b is None or a == b or b in view._down[a]:
                continue
            view._down[a] = [*view._down[a], b]  # a new row: this graph's stays as it is
            view._up[b] = [*view._up[b], a]
            added.append((a, b))
        if not view._closes_a_loop(added):
            # the usual case: this graph's loops are the view's, no second pass over it all
            base = self._loops()
            view._loop_of = base + [-1] * (len(view._info) - len(base))
            view._in_loops = self._in_loops
        return view

    def _closes_a_loop(self, added: list[tuple[int, int]]) -> bool:
        """Can any added edge's end reach any added edge's start (then there may be a new
        loop)? One breadth-first pass from all the ends at once, in C like a walk."""
        if not added:
            return False
        starts = {a for a, _ in added}
        seen = {b for _, b in added}
        frontier = list(seen)
        while frontier:
            if not starts.isdisjoint(frontier):
                return True
            reached = set().union(*map(self._down.__getitem__, frontier)) - seen
            seen |= reached
            frontier = list(reached)
        return False

    def walk(
        self,
        root: str,
        *,
        direction: Direction,
        depth: int | None = None,
        limit: int = MAX_NODES,
    ) -> LineageWalk:
        """Breadth-first from ``root``; KeyError when the graph does not have it.

        Each level is one set union over the frontier's rows and one set difference, so the
        per-edge work happens in C; only nodes inside a loop are looked at one by one."""
        start = self._index[root]
        down = direction is Direction.DOWN
        edges, back = (self._down, self._up) if down else (self._up, self._down)
        loops = self._loops()
        in_loops = self._in_loops
        seen = {start}
        levels: list[list[int]] = []
        cycles: list[tuple[int, int]] = []
        frontier = [start]
        count = 0
        truncated = False
        while frontier and (depth is None or len(levels) < depth):
            reached = set().union(*map(edges.__getitem__, frontier))
            looped = in_loops.intersection(frontier) if len(cycles) < _MAX_CYCLES else ()
            for node in looped:
                loop = loops[node]
                cycles += [(node, t) for t in edges[node] if t in seen and loops[t] == loop][
                    : _MAX_CYCLES - len(cycles)
                ]
            reached -= seen
            if not reached:
                break
            seen |= reached
            level = list(reached)  # sorted when steps are made, not on every walk
            if count + len(level) > limit:
                level, truncated = sorted(level)[: limit - count], True
            levels.append(level)
            count += len(level)
            if truncated:
                break
            frontier = level
        return LineageWalk(self._info, back, start, direction, levels, cycles, truncated, depth)

    def _loops(self) -> list[int]:
        """For each node, the id of the loop (strongly connected group of two or more) it is
        in, or -1; computed once per graph (iterative Tarjan, no recursion limit)."""
        if self._loop_of is not None and len(self._loop_of) == len(self._info):
            return self._loop_of
        count = len(self._info)
        down = self._down
        index = [-1] * count
        low = [0] * count
        on_stack = [False] * count
        loop_of = [-1] * count
        stack: list[int] = []
        counter = 0
        loops = 0
        for first in range(count):
            if index[first] >= 0:
                continue
            work = [(first, 0)]
            index[first] = low[first] = counter
            counter += 1
            stack.append(first)
            on_stack[first] = True
            while work:
                node, at = work[-1]
                targets = down[node]
                if at < len(targets):
                    work[-1] = (node, at + 1)
                    target = targets[at]
                    if index[target] < 0:
                        index[target] = low[target] = counter
                        counter += 1
                        stack.append(target)
                        on_stack[target] = True
                        work.append((target, 0))
                    elif on_stack[target] and index[target] < low[node]:
                        low[node] = index[target]
                    continue
                work.pop()
                if work:
                    above = work[-1][0]
                    if low[node] < low[above]:
                        low[above] = low[node]
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        members.append(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        for member in members:
                            loop_of[member] = loops
                        loops += 1
        self._loop_of = loop_of
        self._in_loops = {n for n, loop in enumerate(loop_of) if loop >= 0}
        return loop_of


@dataclass(frozen=True, slots=True)
class Impact:
    """Who is affected if the root is late: each owning team with what of theirs is
    downstream (nearest first), and downstream nodes nobody owns."""

    teams: tuple[tuple[EntityRef, tuple[NodeInfo, ...]], ...]
    unowned: tuple[NodeInfo, ...]


def impact_of(walk: LineageWalk, *, skip_owner: EntityRef | None = None) -> Impact:
    """Group a downstream walk by owner (the root's own team left out: it already knows)."""
    by_owner: dict[EntityRef, list[NodeInfo]] = defaultdict(list)
    unowned: list[NodeInfo] = []
    for step in walk.steps:
        owner = step.node.owner
        if owner is None:
            unowned.append(step.node)
        elif owner != skip_owner:
            by_owner[owner].append(step.node)
    teams = sorted(by_owner.items(), key=lambda item: (-len(item[1]), str(item[0])))
    return Impact(tuple((o, tuple(n)) for o, n in teams), tuple(unowned))
