"""Orthogonal arrows between boxes on a grid, each on a track of its own (no drawing).

The boxes sit in the cells of a grid, with channels between the rows and gaps between the
columns, cut into pieces (see :mod:`.grid`). Routing has three steps.

1. **Where**: every arrow gets a sequence of pieces from a side of its source box to a side of
   its target box, found by a shortest-path search over the pieces whose costs count length,
   bends, crowding and the crossings the arrows routed before it make likely. An arrow
   between two boxes that face the same piece is *direct*: one straight line.
2. **Which track**: inside each channel and gap, every run of an arrow gets a track, and on
   every box side every arrow end gets a port, in orders chosen to remove crossings (see
   :mod:`.tracks`).
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
from typing import TypeVar

from .grid import OPPOSITE, SIDES, Edge, Piece, Placement, Route, Side, Spacing
from .measure import crossings_by_arrow, measure
from .tracks import Tracks

__all__ = ["SWEEPS", "Edge", "Placement", "Router", "Spacing"]

K = TypeVar("K")

# Search costs, in user units of length.
BEND = 60.0
CROSS = 260.0
LIKELY = 0.35  # a crossing that a good order of tracks may avoid
CROWD = 18.0
SHARE = 100.0  # an end beside a direct arrow
FULL = 1000.0  # an end more than a box side has room for
SWEEPS = 6
TRIES_PER_ARROW = 3


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
        """Work done, for tests: shortest-path searches."""
        self.count = count
        self.columns = columns
        self.rows = -(-count // columns)
        self.edges = list(edges)
        self.spacing = spacing or Spacing()
        self.box_w, self.box_h = box_w, box_h
        self._usage = _Usage()
        self._neighbours: dict[Piece, list[tuple[tuple[int, int], Piece, float, float]]] = {}
        self.routes = self._route_all()
        self.tracks = Tracks(self.routes, columns, self.rows, self.spacing, box_w, box_h)
        self.tracks.optimise(sweeps)
        self._untangle(effort)

    @property
    def placements(self) -> int:
        """Work done, for tests: placements computed."""
        return self.tracks.placements

    def place(self, box_w: float, box_h: float) -> Placement:
        """Coordinates for boxes of this size, with the current orders."""
        return self.tracks.place(box_w, box_h)

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

    def _route_all(self) -> list[Route]:
        routes: list[Route | None] = [None] * len(self.edges)
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

    def _route(self, index: int) -> Route:
        """The cheapest way for an arrow, given the others."""
        edge = self.edges[index]
        direct = self._direct(edge)
        if direct is not None:
            return Route(edge, direct[0], direct[1], [direct[2]], True)
        ways = self._ways(edge, SIDES, first=True)
        assert ways, "every side of every box can reach every other"
        return ways[0][1]

    def _ways(
        self, edge: Edge, sides: Sequence[Side], first: bool = False
    ) -> list[tuple[float, Route]]:
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
        found: list[tuple[float, Route]] = []
        while heap:
            cost, _, piece, finish = heapq.heappop(heap)
            if finish is not None:
                pieces = [piece]
                while pieces[-1] in came:
                    pieces.append(came[pieces[-1]])
                pieces.reverse()
                start_side = next(s for s in sides if self._side_piece(edge.source, s) == pieces[0])
                found.append((cost, Route(edge, start_side, finish, pieces, False)))
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

    # Step 3: untangling

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
                    saved = self.routes[index], self.tracks.saved()
                    self._use(index, way)
                    self.tracks.optimise(sweeps=3)
                    arrows = self.place(self.box_w, self.box_h).arrows
                    now = measure(arrows).crossings
                    if now < total:
                        total, better = now, True
                        break
                    self._use(index, saved[0])
                    self.tracks.restore(saved[1])
                if better:
                    break
            if not better:
                return
            arrows = self.place(self.box_w, self.box_h).arrows

    def _use(self, index: int, route: Route) -> None:
        self._usage.remove(self.routes[index])
        self.routes[index] = route
        self._usage.add(route)
        self.tracks.sync()

    def _alternatives(self, index: int) -> list[Route]:
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


@dataclass(slots=True)
class _Usage:
    """What the arrows routed so far occupy, for the search's costs."""

    pieces: dict[Piece, int] = field(default_factory=dict)
    through: dict[Piece, int] = field(default_factory=dict)
    ports: dict[Piece, int] = field(default_factory=dict)
    directs: dict[Piece, int] = field(default_factory=dict)
    straight: dict[tuple[tuple[int, int], str], int] = field(default_factory=dict)
    turns: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, route: Route, sign: int = 1) -> None:
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

    def remove(self, route: Route) -> None:
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


def _junction(a: Piece, b: Piece) -> tuple[int, int]:
    """The junction where two neighbouring pieces meet."""

    def ends(p: Piece) -> set[tuple[int, int]]:
        kind, x, y = p
        return {(x, y), (x, y + 1)} if kind == "h" else {(y, x), (y + 1, x)}

    (junction,) = ends(a) & ends(b)
    return junction
