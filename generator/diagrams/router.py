"""Orthogonal arrows between boxes on a grid, each on a track of its own (no drawing).

The boxes sit in cells of a grid. Between the rows run *channels* (one above the first row and
one below the last as well) and between the columns run *gaps* (one left of the grid and one
right of it as well). A channel is cut into *pieces* by the gaps, a gap into pieces by the
channels; where a channel and a gap meet is a *junction*. A box side faces one piece: its top
and bottom a channel piece, its left and right a gap piece.

Routing has three steps.

1. **Where**: every arrow gets a sequence of pieces from a side of its source box to a side of
   its target box, found by a shortest-path search over the pieces whose costs count length,
   bends, crowding and the crossings the arrows routed before it make likely. An arrow
   between two boxes that face the same piece is *direct*: one straight line.
2. **Which track**: inside each channel and gap, every run of an arrow gets a track, and on
   every box side every arrow end gets a port. Runs that come near each other never share a
   track and ends never share a port, so no two arrows overlap (as long as the tracks and
   ports are at least :data:`.measure.MIN_GAP` apart). The orders of tracks and ports are
   chosen to remove crossings: for each channel, gap and port pool, the crossings that
   depend on its order are counted exactly for every pair of runs (or ends), and the order
   is improved by moving one at a time while the others stay. This repeats, a kind of
   region at a time, until nothing improves.
3. **Untangling**: for the arrows that still cross others, most crossed first, other ways
   are tried (every pair of sides to leave and enter by); a way is kept when the whole
   drawing, ordered again, has fewer crossings. ``effort`` bounds the tries.

Everything is deterministic: ties go to the earlier arrow or the earlier position.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from .measure import Point, crossings_by_arrow, measure

K = TypeVar("K")
V = TypeVar("V", bound=tuple[int, int])
Side = Literal["top", "bottom", "left", "right"]
Piece = tuple[str, int, int]
"""``("h", channel, column)`` or ``("v", gap, row)``."""
Region = tuple[str, int]
"""A whole channel ``("h", channel)`` or gap ``("v", gap)``."""
PortKey = tuple[int, int]
"""(route, end): 0 its start, 1 its end, 2 both ends of a direct arrow."""
RunKey = tuple[int, int]
"""(route, line)."""

SIDES: tuple[Side, ...] = ("bottom", "right", "top", "left")
OPPOSITE: dict[Side, Side] = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}

# Search costs, in user units of length.
BEND = 60.0
CROSS = 260.0
LIKELY = 0.35  # a crossing that a good order of tracks may avoid
CROWD = 18.0
SHARE = 100.0  # an end beside a direct arrow
FULL = 1000.0  # an end more than a box side has room for
SWEEPS = 6
LOP_PASSES = 6
TRIES_PER_ARROW = 3


@dataclass(frozen=True, slots=True)
class Spacing:
    """Distances the router keeps, in SVG user units."""

    track_gap: float = 12.0
    """Between neighbouring tracks in a channel or gap."""
    pad: float = 12.0
    """Between a box (or the drawing's margin) and the nearest track."""
    port_gap: float = 12.0
    """Least distance between two arrow ends on one box side."""
    gap_x: float = 40.0
    """Least width of a gap between two columns (room for a straight arrow)."""
    gap_y: float = 32.0
    """Least height of a channel between two rows."""
    margin: float = 16.0


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow from the box in cell ``source`` to the one in cell ``target`` (cell indices
    count along the rows). In a single column, ``back`` arrows (to an earlier box) prefer
    the left side and the others the right."""

    source: int
    target: int
    back: bool = False


@dataclass(slots=True)
class _Route:
    edge: Edge
    start: Side
    end: Side
    pieces: list[Piece]  # one piece for a direct arrow
    direct: bool
    lines: list[tuple[str, tuple[int, int]]] = field(default_factory=list)
    """("port", port key) or ("run", run key); line ``k`` is segment ``k`` of the polyline."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where everything goes for one box size."""

    columns_x: list[float]
    rows_y: list[float]
    width: float
    height: float
    box_w: float
    box_h: float
    arrows: list[list[Point]]
    """One orthogonal polyline per edge, in the order of the edges."""

    def box(self, cell: int) -> tuple[float, float]:
        """The top left corner of the box in ``cell``."""
        columns = len(self.columns_x)
        return self.columns_x[cell % columns], self.rows_y[cell // columns]


class Router:
    """Routes ``edges`` between ``count`` boxes laid out ``columns`` to a row."""

    def __init__(
        self,
        count: int,
        columns: int,
        edges: Sequence[Edge],
        box_w: float,
        box_h: float,
        spacing: Spacing | None = None,
        effort: int = 20,
        sweeps: int = SWEEPS,
    ) -> None:
        """Route and order everything. ``sweeps`` bounds the rounds of ordering, ``effort``
        how many other ways for arrows that cross are tried (each try orders again)."""
        self.searches = 0
        """Work done, for tests: shortest-path searches and placements computed."""
        self.placements = 0
        self.count = count
        self.columns = columns
        self.rows = -(-count // columns)
        self.edges = list(edges)
        self.spacing = spacing or Spacing()
        self.box_w, self.box_h = box_w, box_h
        self._usage = _Usage()
        self._neighbours: dict[Piece, list[tuple[tuple[int, int], Piece, float, float]]] = {}
        self.routes = self._route_all()
        self.pools: dict[Piece, list[PortKey]] = {}
        self.regions: dict[Region, list[RunKey]] = {}
        self._sync()
        self._optimise(sweeps)
        self._untangle(effort)

    # Step 1: pieces

    def _cell(self, index: int) -> tuple[int, int]:
        return divmod(index, self.columns)

    def _side_piece(self, index: int, side: Side) -> Piece:
        r, c = self._cell(index)
        if side == "top":
            return ("h", r, c)
        if side == "bottom":
            return ("h", r + 1, c)
        if side == "left":
            return ("v", c, r)
        return ("v", c + 1, r)

    def _facing(self, piece: Piece) -> list[tuple[int, Side]]:
        """The boxes (cell, side) that face a piece."""
        kind, a, b = piece
        found: list[tuple[int, Side]] = []
        if kind == "h":
            rows: tuple[tuple[int, Side], ...] = ((a - 1, "bottom"), (a, "top"))
            for r, side in rows:
                cell = r * self.columns + b
                if 0 <= r < self.rows and cell < self.count:
                    found.append((cell, side))
        else:
            columns: tuple[tuple[int, Side], ...] = ((a - 1, "right"), (a, "left"))
            for c, side in columns:
                cell = b * self.columns + c
                if 0 <= c < self.columns and cell < self.count:
                    found.append((cell, side))
        return found

    def _crowded(self, piece: Piece, more: int) -> float:
        """What ``more`` ends on the side facing a piece cost beyond what fits there (the
        boxes then grow to keep the ends apart)."""
        along = self.box_w if piece[0] == "h" else self.box_h
        fits = max(1, int(along / self.spacing.port_gap) - 1)
        return FULL * max(0, self._usage.ports.get(piece, 0) + more - fits)

    def _length(self, piece: Piece) -> float:
        if piece[0] == "h":
            return self.box_w + self.spacing.gap_x
        return self.box_h + self.spacing.gap_y

    def _junction_pieces(self, piece: Piece) -> list[tuple[tuple[int, int], list[Piece]]]:
        """For each end of a piece: the junction and the other pieces that meet there."""
        kind, a, b = piece
        ends = [(a, b), (a, b + 1)] if kind == "h" else [(b, a), (b + 1, a)]
        result = []
        for h, g in ends:
            around: list[Piece] = []
            if g > 0:
                around.append(("h", h, g - 1))
            if g < self.columns:
                around.append(("h", h, g))
            if h > 0:
                around.append(("v", g, h - 1))
            if h < self.rows:
                around.append(("v", g, h))
            result.append(((h, g), [p for p in around if p != piece]))
        return result

    def _route_all(self) -> list[_Route]:
        routes: list[_Route | None] = [None] * len(self.edges)
        order = sorted(range(len(self.edges)), key=self._route_rank)
        for _ in range(2):  # the second time, every other arrow is known
            for index in order:
                old = routes[index]
                if old is not None:
                    self._usage.remove(old)
                new = self._route(index)
                routes[index] = new
                self._usage.add(new)
        return [route for route in routes if route is not None]

    def _route_rank(self, index: int) -> tuple[int, int, int]:
        edge = self.edges[index]
        (r1, c1), (r2, c2) = self._cell(edge.source), self._cell(edge.target)
        direct = self._direct(edge) is not None
        return (0 if direct else 1, abs(r1 - r2) + abs(c1 - c2), index)

    def _direct(self, edge: Edge) -> tuple[Side, Side, Piece] | None:
        if edge.source == edge.target:
            return None
        for side in SIDES:
            piece = self._side_piece(edge.source, side)
            if (edge.target, OPPOSITE[side]) in self._facing(piece):
                return side, OPPOSITE[side], piece
        return None

    def _route(self, index: int) -> _Route:
        """The cheapest way for an arrow, given the others."""
        edge = self.edges[index]
        direct = self._direct(edge)
        if direct is not None:
            return _Route(edge, direct[0], direct[1], [direct[2]], True)
        ways = self._ways(edge, SIDES, first=True)
        assert ways, "every side of every box can reach every other"
        return ways[0][1]

    def _ways(
        self, edge: Edge, sides: Sequence[Side], first: bool = False
    ) -> list[tuple[float, _Route]]:
        """The cheapest way to each side of the target that leaves the source by one of
        ``sides``, cheapest first; only the cheapest if ``first``."""
        self.searches += 1
        usage = self._usage
        loop = edge.source == edge.target
        heap: list[tuple[float, int, Piece, Side | None]] = []
        best: dict[Piece, float] = {}
        came: dict[Piece, Piece] = {}
        for number, side in enumerate(sides):
            start = self._side_piece(edge.source, side)
            best[start] = BEND + self._side_bias(edge, side) + usage.end_cost(start)
            best[start] += self._crowded(start, 2 if loop else 1)
            heap.append((best[start], number, start, None))
        heapq.heapify(heap)
        counter = len(heap)
        ends = {self._side_piece(edge.target, end): end for end in SIDES}
        done: set[Piece] = set()
        found: list[tuple[float, _Route]] = []
        while heap:
            cost, _, piece, finish = heapq.heappop(heap)
            if finish is not None:
                pieces = [piece]
                while pieces[-1] in came:
                    pieces.append(came[pieces[-1]])
                pieces.reverse()
                start_side = next(s for s in sides if self._side_piece(edge.source, s) == pieces[0])
                found.append((cost, _Route(edge, start_side, finish, pieces, False)))
                if first or len(found) == len(ends):
                    break
                continue
            if piece in done:
                continue
            done.add(piece)
            end = ends.get(piece)
            if end is not None:
                total = cost + BEND + self._side_bias(edge, end) + usage.end_cost(piece)
                total += self._crowded(piece, 1)
                heapq.heappush(heap, (total, counter, piece, end))
                counter += 1
            for junction, other, length, bend in self._around(piece):
                if other in done:
                    continue
                step = length + bend + usage.junction_cost(junction, piece, other)
                step += usage.piece_cost(other)
                if cost + step < best.get(other, float("inf")):
                    best[other], came[other] = cost + step, piece
                    heapq.heappush(heap, (cost + step, counter, other, None))
                    counter += 1
        return found

    def _around(self, piece: Piece) -> list[tuple[tuple[int, int], Piece, float, float]]:
        """The pieces a way can go on to: (junction, piece, length, bend cost)."""
        known = self._neighbours.get(piece)
        if known is None:
            known = [
                (
                    junction,
                    other,
                    (self._length(other) + self._length(piece)) / 2,
                    BEND if other[0] != piece[0] else 0.0,
                )
                for junction, around in self._junction_pieces(piece)
                for other in around
            ]
            self._neighbours[piece] = known
        return known

    def _side_bias(self, edge: Edge, side: Side) -> float:
        """Ends prefer the top and bottom of a box, where there is room for more of them; in
        a single column, arrows back to an earlier box keep left and the others right."""
        bias = 0.0 if side in ("top", "bottom") else 8.0
        if self.columns == 1 and side in ("left", "right"):
            bias += 0.0 if (side == "left") == edge.back else 20.0
        return bias

    # Step 2: ports and tracks

    def _sync(self) -> None:
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
        route: _Route,
        values: list[float],
        columns_x: list[float],
        rows_y: list[float],
        box_w: float,
        box_h: float,
    ) -> list[Point]:
        def border(cell: int, side: Side, value: float) -> Point:
            r, c = self._cell(cell)
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

    def _optimise(self, sweeps: int) -> None:
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

    def _untangle(self, effort: int) -> None:
        """Try other ways for arrows that cross others, most crossed first, and keep a way
        when the whole drawing then has fewer crossings."""
        tries = 0
        tried: set[tuple[int, Side, Side, tuple[Piece, ...]]] = set()
        arrows = self.place(self.box_w, self.box_h).arrows
        total = measure(arrows).crossings
        while total and tries < effort:
            crossed = crossings_by_arrow(arrows)
            candidates = sorted(
                (i for i, n in enumerate(crossed) if n and not self.routes[i].direct),
                key=lambda i: (-crossed[i], i),
            )
            better = False
            for index in candidates:
                ways = [
                    way
                    for way in self._alternatives(index)
                    if (index, way.start, way.end, tuple(way.pieces)) not in tried
                ]
                for way in ways[:TRIES_PER_ARROW]:
                    if tries >= effort:
                        return
                    tries += 1
                    tried.add((index, way.start, way.end, tuple(way.pieces)))
                    saved = self.routes[index], _copy(self.pools), _copy(self.regions)
                    self._use(index, way)
                    self._optimise(sweeps=3)
                    arrows = self.place(self.box_w, self.box_h).arrows
                    now = measure(arrows).crossings
                    if now < total:
                        total, better = now, True
                        break
                    self._use(index, saved[0])
                    self.pools, self.regions = saved[1], saved[2]
                    self._sync()
                if better:
                    break
            if not better:
                return
            arrows = self.place(self.box_w, self.box_h).arrows

    def _use(self, index: int, route: _Route) -> None:
        self._usage.remove(self.routes[index])
        self.routes[index] = route
        self._usage.add(route)
        self._sync()

    def _alternatives(self, index: int) -> list[_Route]:
        """Other ways for an arrow, cheapest first, given all the others."""
        current = self.routes[index]
        self._usage.remove(current)
        ways = [way for side in SIDES for way in self._ways(current.edge, (side,))]
        self._usage.add(current)
        ways.sort(key=lambda way: way[0])
        seen = [(current.start, current.end, current.pieces)]
        found = []
        for _, way in ways:
            if (way.start, way.end, way.pieces) not in seen:
                seen.append((way.start, way.end, way.pieces))
                found.append(way)
        return found


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


@dataclass(slots=True)
class _Usage:
    """What the arrows routed so far occupy, for the search's costs."""

    pieces: dict[Piece, int] = field(default_factory=dict)
    through: dict[Piece, int] = field(default_factory=dict)
    ports: dict[Piece, int] = field(default_factory=dict)
    directs: dict[Piece, int] = field(default_factory=dict)
    straight: dict[tuple[tuple[int, int], str], int] = field(default_factory=dict)
    turns: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, route: _Route, sign: int = 1) -> None:
        if route.direct:
            _bump(self.directs, route.pieces[0], sign)
            _bump(self.ports, route.pieces[0], sign)
            return
        _bump(self.ports, route.pieces[0], sign)
        _bump(self.ports, route.pieces[-1], sign)
        for at, piece in enumerate(route.pieces):
            _bump(self.pieces, piece, sign)
            if 0 < at < len(route.pieces) - 1:
                _bump(self.through, piece, sign)
        for a, b in itertools.pairwise(route.pieces):
            junction = _junction(a, b)
            if a[0] == b[0]:
                _bump(self.straight, (junction, a[0]), sign)
            else:
                _bump(self.turns, junction, sign)

    def remove(self, route: _Route) -> None:
        self.add(route, -1)

    def piece_cost(self, piece: Piece) -> float:
        """Crowding, direct arrows across the piece, and ends on its sides."""
        cost = CROWD * self.pieces.get(piece, 0)
        cost += CROSS * self.directs.get(piece, 0)
        cost += LIKELY * CROSS * (self.ports.get(piece, 0) - self.directs.get(piece, 0))
        return cost

    def end_cost(self, piece: Piece) -> float:
        """An end on a side that arrows pass along may cross them; one beside a direct
        arrow moves that arrow off the middle of the side."""
        return (
            CROWD * self.pieces.get(piece, 0)
            + LIKELY * CROSS * self.through.get(piece, 0)
            + SHARE * self.directs.get(piece, 0)
        )

    def junction_cost(self, junction: tuple[int, int], a: Piece, b: Piece) -> float:
        across = "v" if a[0] == "h" else "h"
        if a[0] == b[0]:
            return CROSS * self.straight.get((junction, across), 0) + LIKELY * CROSS * (
                self.turns.get(junction, 0)
            )
        return (
            LIKELY
            * CROSS
            * (self.straight.get((junction, "h"), 0) + self.straight.get((junction, "v"), 0))
        )


def _bump(counts: dict[K, int], key: K, sign: int) -> None:
    counts[key] = counts.get(key, 0) + sign


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


def _junction(a: Piece, b: Piece) -> tuple[int, int]:
    """The junction where two neighbouring pieces meet."""

    def ends(p: Piece) -> set[tuple[int, int]]:
        kind, x, y = p
        return {(x, y), (x, y + 1)} if kind == "h" else {(y, x), (y + 1, x)}

    (junction,) = ends(a) & ends(b)
    return junction
