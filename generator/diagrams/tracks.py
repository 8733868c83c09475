"""Step 2 of routing: every run of an arrow gets a track, every arrow end a port (no drawing).

Inside each channel and gap (see :mod:`.grid`), every run of an arrow gets a track, and on every
box side every arrow end gets a port. Runs that come near each other never share a track and
ends never share a port, so no two arrows overlap (as long as the tracks and ports are at least
:data:`.measure.MIN_GAP` apart). The orders of tracks and ports are chosen to remove crossings:
for each channel, gap and port pool, the crossings that depend on its order are counted exactly
for every pair of runs (or ends), and the order is improved by moving one at a time while the
others stay. This repeats, a kind of region at a time, until nothing improves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from .grid import Piece, Placement, PortKey, Region, Route, RunKey, Side, Spacing
from .measure import Point

K = TypeVar("K")
V = TypeVar("V", bound=tuple[int, int])

LOP_PASSES = 6
Orders = tuple[dict[Piece, list[PortKey]], dict[Region, list[RunKey]]]
"""The order of the ports in each pool and of the runs in each region."""


class Tracks:
    """The ports and tracks of ``routes`` (the router's list: it changes ways in place and
    then calls :meth:`sync`) between boxes laid out ``columns`` to a row, and their orders."""

    def __init__(
        self,
        routes: list[Route],
        columns: int,
        rows: int,
        spacing: Spacing,
        box_w: float,
        box_h: float,
    ) -> None:
        self.placements = 0
        """Work done, for tests: placements computed."""
        self.routes = routes
        self.columns, self.rows = columns, rows
        self.spacing = spacing
        self.box_w, self.box_h = box_w, box_h
        self.pools: dict[Piece, list[PortKey]] = {}
        self.regions: dict[Region, list[RunKey]] = {}
        self.sync()

    def saved(self) -> Orders:
        """A copy of the orders, for :meth:`restore`."""
        return _copy(self.pools), _copy(self.regions)

    def restore(self, orders: Orders) -> None:
        """Orders from :meth:`saved`, after the routes changed back."""
        self.pools, self.regions = orders
        self.sync()

    def sync(self) -> None:
        """Lines, ports and runs from the routes; ports and runs already placed keep their
        order, new ones go last (the optimiser then moves them)."""
        self.port_pool: dict[PortKey, Piece] = {}
        self.run_region: dict[RunKey, Region] = {}
        self.run_cells: dict[RunKey, tuple[int, int]] = {}
        for number, route in enumerate(self.routes):
            if route.direct:
                route.lines = [("port", (number, 2))]
                self.port_pool[number, 2] = route.pieces[0]
                continue
            lines: list[tuple[str, tuple[int, int]]] = [("port", (number, 0))]
            self.port_pool[number, 0] = route.pieces[0]
            for at, piece in enumerate(route.pieces):
                if at == 0 or piece[0] != route.pieces[at - 1][0]:
                    key = (number, len(lines))
                    lines.append(("run", key))
                    self.run_region[key] = (piece[0], piece[1])
            lines.append(("port", (number, 1)))
            self.port_pool[number, 1] = route.pieces[-1]
            route.lines = lines
        for key in self.run_region:
            self.run_cells[key] = self._run_cells(key)
        self.pools = _regroup(self.pools, self.port_pool)
        self.regions = _regroup(self.regions, self.run_region)

    def _run_cells(self, key: RunKey) -> tuple[int, int]:
        """The run's extent in grid cells (generous: an end anywhere in a cell covers it)."""
        route = self.routes[key[0]]
        cells = []
        for neighbour in (key[1] - 1, key[1] + 1):
            kind, other = route.lines[neighbour]
            if kind == "port":
                cells.append(2 * self.port_pool[other][2] + 1)
            else:
                cells.append(2 * self.run_region[other][1])
        return min(cells), max(cells)

    def place(self, box_w: float, box_h: float) -> Placement:
        """Coordinates for boxes of this size, with the current orders."""
        self.placements += 1
        sp = self.spacing
        box_h = max([box_h, *(self._pool_need(p) for p in self.pools if p[0] == "v")])
        box_w = max([box_w, *(self._pool_need(p) for p in self.pools if p[0] == "h")])
        tracks: dict[RunKey, int] = {}
        counts: dict[Region, int] = {}
        for region, runs in self.regions.items():
            layered = _layer([self.run_cells[run] for run in runs])
            tracks.update(zip(runs, layered, strict=True))
            counts[region] = max(layered, default=-1) + 1

        def extent(kind: str, index: int, last: int, least: float) -> float:
            count = counts.get((kind, index), 0)
            need = 2 * sp.pad + (count - 1) * sp.track_gap if count else 0.0
            return need if index in (0, last) else max(need, least)

        gaps = [extent("v", g, self.columns, sp.gap_x) for g in range(self.columns + 1)]
        channels = [extent("h", h, self.rows, sp.gap_y) for h in range(self.rows + 1)]
        columns_x, gap_x = _stack(sp.margin, gaps, box_w)
        rows_y, channel_y = _stack(sp.margin, channels, box_h)
        width = columns_x[-1] + box_w + gaps[-1] + sp.margin
        height = rows_y[-1] + box_h + channels[-1] + sp.margin

        starts = {"v": gap_x, "h": channel_y}
        sizes = {"v": gaps, "h": channels}

        def track_at(run: RunKey) -> float:
            kind, index = self.run_region[run]
            block = (counts[kind, index] - 1) * sp.track_gap
            offset = (sizes[kind][index] - block) / 2 + tracks[run] * sp.track_gap
            return starts[kind][index] + offset

        slot: dict[PortKey, float] = {}
        for piece, members in self.pools.items():
            kind, _, b = piece
            origin, along = (columns_x[b], box_w) if kind == "h" else (rows_y[b], box_h)
            for rank, port in enumerate(members):
                slot[port] = origin + along * (rank + 1) / (len(members) + 1)
        arrows = []
        for route in self.routes:
            values = [slot[key] if kind == "port" else track_at(key) for kind, key in route.lines]
            arrows.append(self._polyline(route, values, columns_x, rows_y, box_w, box_h))
        return Placement(columns_x, rows_y, width, height, box_w, box_h, arrows)

    def _pool_need(self, piece: Piece) -> float:
        return (len(self.pools[piece]) + 1) * self.spacing.port_gap

    def _polyline(
        self,
        route: Route,
        values: list[float],
        columns_x: list[float],
        rows_y: list[float],
        box_w: float,
        box_h: float,
    ) -> list[Point]:
        def border(cell: int, side: Side, value: float) -> Point:
            r, c = divmod(cell, self.columns)
            x, y = columns_x[c], rows_y[r]
            if side == "top":
                return (value, y)
            if side == "bottom":
                return (value, y + box_h)
            if side == "left":
                return (x, value)
            return (x + box_w, value)

        points = [border(route.edge.source, route.start, values[0])]
        vertical = route.start in ("top", "bottom")
        for here, after in zip(values, values[1:], strict=False):
            points.append((here, after) if vertical else (after, here))
            vertical = not vertical
        points.append(border(route.edge.target, route.end, values[-1]))
        return points

    def optimise(self, sweeps: int) -> None:
        """Order ports and tracks to remove crossings: coordinate descent, one kind of
        region at a time, each region's order improved with all the others fixed."""
        for _ in range(sweeps):
            changed = False
            for step in (self._order_regions, self._order_pools):
                changed |= step(self.place(self.box_w, self.box_h).arrows)
            if not changed:
                break
        self._keep_loops_together()

    def _order_regions(self, arrows: list[list[Point]]) -> bool:
        changed = False
        for region, runs in self.regions.items():
            horizontal = region[0] == "h"
            items = [_RunShape.of(arrows[route], line, horizontal) for route, line in runs]
            order = _improve(_run_costs(items))
            if order != list(range(len(runs))):
                self.regions[region] = [runs[i] for i in order]
                changed = True
        return changed

    def _order_pools(self, arrows: list[list[Point]]) -> bool:
        changed = False
        for piece, members in self.pools.items():
            items = [self._end_shape(arrows, port) for port in members]
            order = _improve([[a.cost_before(b) for b in items] for a in items])
            if order != list(range(len(members))):
                self.pools[piece] = [members[i] for i in order]
                changed = True
        return changed

    def _end_shape(self, arrows: list[list[Point]], port: PortKey) -> _EndShape:
        number, end = port
        points = arrows[number]
        axis = 0 if self.port_pool[port][0] == "h" else 1  # the axis the ports spread along

        def along(point: Point) -> float:
            return point[axis]

        def across(point: Point) -> float:
            return point[1 - axis]

        if end == 2:
            first, last = points[0], points[-1]
            return _EndShape(along(first), across(first), across(last), None)
        if end == 0:
            border, turn, far = points[0], points[1], points[2]
        else:
            border, turn, far = points[-1], points[-2], points[-3]
        edge = self.routes[number].edge
        heading = None if edge.source == edge.target else (1 if along(far) > along(turn) else -1)
        return _EndShape(along(turn), across(border), across(turn), heading)

    def _keep_loops_together(self) -> None:
        """The two ends of an arrow from a box back to itself sit next to each other."""
        for members in self.pools.values():
            for port in [p for p in members if p[1] == 1]:
                edge = self.routes[port[0]].edge
                if edge.source == edge.target and (port[0], 0) in members:
                    members.remove(port)
                    members.insert(members.index((port[0], 0)) + 1, port)


@dataclass(frozen=True, slots=True)
class _RunShape:
    """A run of an arrow along a channel (or gap) and the two turns at its ends."""

    low: float
    high: float
    ends: tuple[tuple[float, int], ...]  # (position along the run, -1 or +1 across it)

    @staticmethod
    def of(points: list[Point], line: int, horizontal: bool) -> _RunShape:
        axis = 0 if horizontal else 1
        a, b = points[line], points[line + 1]
        before, after = points[line - 1], points[line + 2]
        ends = (
            (a[axis], 1 if before[1 - axis] > a[1 - axis] else -1),
            (b[axis], 1 if after[1 - axis] > b[1 - axis] else -1),
        )
        return _RunShape(min(a[axis], b[axis]), max(a[axis], b[axis]), ends)

    def cost_before(self, other: _RunShape) -> int:
        """Crossings between the two if this run's track comes first (above, or left)."""
        if self.high <= other.low or other.high <= self.low:
            return 0
        cost = 0
        for at, way in other.ends:
            if way < 0 and self.low < at < self.high:
                cost += 1
        for at, way in self.ends:
            if way > 0 and other.low < at < other.high:
                cost += 1
        return cost


def _run_costs(items: list[_RunShape]) -> list[list[int]]:
    """``cost[i][j]``: crossings between runs ``i`` and ``j`` if ``i`` comes first; only
    runs that share some stretch of the channel can cross."""
    cost = [[0] * len(items) for _ in items]
    by_start = sorted(range(len(items)), key=lambda i: items[i].low)
    for position, i in enumerate(by_start):
        a = items[i]
        for j in by_start[position + 1 :]:
            b = items[j]
            if b.low >= a.high:
                break
            cost[i][j], cost[j][i] = a.cost_before(b), b.cost_before(a)
    return cost


@dataclass(frozen=True, slots=True)
class _EndShape:
    """An arrow end in a port pool: its stub across the channel (or gap) from the box border
    to the turn, and the way its run heads along (``None``: no run, or one that stays)."""

    at: float
    border: float
    turn: float
    heading: int | None

    def spans(self, across: float) -> bool:
        return min(self.border, self.turn) < across < max(self.border, self.turn)

    def cost_before(self, other: _EndShape) -> int:
        """Crossings between the two if this end comes first along the side."""
        cost = 0
        if other.heading == -1 and self.spans(other.turn):
            cost += 1
        if self.heading == 1 and other.spans(self.turn):
            cost += 1
        return cost


def _improve(cost: list[list[int]]) -> list[int]:
    """An order of items with a low total of ``cost[i][j]`` over the pairs where ``i`` comes
    before ``j``: from the given order, move one item at a time to its best place while that
    lowers the total."""
    order = list(range(len(cost)))
    if len(order) < 2:
        return order
    for _ in range(LOP_PASSES):
        improved = False
        for item in list(order):
            position = order.index(item)
            rest = order[:position] + order[position + 1 :]
            total = sum(cost[item][other] for other in rest)
            best, best_at, current = total, 0, total if position == 0 else None
            for at, other in enumerate(rest, start=1):
                total += cost[other][item] - cost[item][other]
                if at == position:
                    current = total
                if total < best:
                    best, best_at = total, at
            if current is not None and best < current:
                rest.insert(best_at, item)
                order = rest
                improved = True
        if not improved:
            break
    return order


def _layer(spans: list[tuple[int, int]]) -> list[int]:
    """Tracks for runs in order: each below (or right of) every earlier run it meets."""
    tracks: list[int] = []
    for index, (low, high) in enumerate(spans):
        below = [tracks[j] + 1 for j in range(index) if spans[j][0] <= high and low <= spans[j][1]]
        tracks.append(max(below, default=0))
    return tracks


def _stack(margin: float, gaps: list[float], size: float) -> tuple[list[float], list[float]]:
    """Positions of boxes of ``size`` with ``gaps`` before, between and after them, and
    where each gap starts."""
    boxes, starts = [], []
    at = margin
    for index, gap in enumerate(gaps):
        starts.append(at)
        at += gap
        if index < len(gaps) - 1:
            boxes.append(at)
            at += size
    return boxes, starts


def _copy(orders: dict[K, list[V]]) -> dict[K, list[V]]:
    return {key: list(values) for key, values in orders.items()}


def _regroup(old: dict[K, list[V]], home: dict[V, K]) -> dict[K, list[V]]:
    """Members grouped by ``home``: those in ``old`` keep their order there, the rest follow
    in key order."""
    groups: dict[K, list[V]] = {}
    for key, members in old.items():
        kept = [m for m in members if home.get(m) == key]
        if kept:
            groups[key] = kept
    placed = {m for members in groups.values() for m in members}
    for member in sorted(home):
        if member not in placed:
            groups.setdefault(home[member], []).append(member)
    return groups
