"""Where the lifecycle diagram's boxes, tracks and corridors go (no drawing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Playbook, Stage
from .svg import MARGIN, NAME_LINE, NAME_SIZE, SMALL_LINE, Box, Point, chars, wrap

MAX_NAME_LINES = 3

MAX_PER_ROW = 5
BOX_W = 156
BOX_PAD = 10
GAP_X = 52
ROW_GAP = 36
CHANNEL_PAD = 16
TRACK_GAP = 10
CORRIDOR_PAD = 20
CORRIDOR_GAP = 12


# Lifecycle layout: a grid of boxes with "channels" (the gaps above, between and below the rows)
# and "corridors" (left and right of the grid). A transition that is not a plain step to the
# next box leaves a box through the bottom (or, going back up, the top), runs along one track
# of a channel, and enters its target's top or bottom; one that crosses two or more rows also
# runs down the right corridor (forward) or up the left one (back). Tracks in a channel are
# assigned so that no two horizontal runs overlap; edges that meet in a corridor share the
# corridor's track and their last run because they go to the same stage.


@dataclass(frozen=True, slots=True)
class Route:
    index: int
    source: int
    target: int
    recycle: bool
    exit_side: str  # "right" (a plain step to the next box), "bottom" or "top"
    enter_side: str  # "left", "bottom" or "top"
    out_channel: int
    in_channel: int
    corridor: str | None  # "left", "right" or None

    @property
    def straight(self) -> bool:
        return self.exit_side == "right"

    @property
    def exit_key(self) -> tuple[object, ...]:
        return ("exit", self.index)

    @property
    def entry_key(self) -> tuple[object, ...]:
        """Routes through a corridor to one stage merge, so they share their way in."""
        return ("entry", self.corridor, self.target) if self.corridor else ("entry", self.index)


def _route(index: int, source: int, target: int, recycle: bool, columns: int) -> Route:
    row, target_row = source // columns, target // columns
    edge = (index, source, target, recycle)
    if row == target_row:
        if not recycle and target == source + 1:
            return Route(*edge, "right", "left", -1, -1, None)
        return Route(*edge, "bottom", "bottom", row + 1, row + 1, None)
    if target_row > row:
        corridor = "right" if target_row > row + 1 else None
        return Route(*edge, "bottom", "top", row + 1, target_row, corridor)
    corridor = "left" if target_row < row - 1 else None
    return Route(*edge, "top", "bottom", row, target_row + 1, corridor)


class LifecycleLayout:
    """Where every box, track and corridor of the lifecycle diagram goes."""

    def __init__(self, playbook: Playbook) -> None:
        stages = playbook.stages
        order = {stage.id: index for index, stage in enumerate(stages)}
        self.rows = -(-len(stages) // MAX_PER_ROW)
        self.columns = -(-len(stages) // self.rows)
        self.box_h = max(_stage_content_height(stage) for stage in stages) + 2 * BOX_PAD
        edges = [
            (order[stage.id], order[target], (stage.id, target) in playbook.recycle_edges)
            for stage in stages
            for target in playbook.next_stages(stage)
            if target in order
        ]
        self.routes = [_route(index, *edge, self.columns) for index, edge in enumerate(edges)]
        self._place_corridors()
        self._place_ports()
        self._place_tracks()
        self._place_rows(len(stages))

    def _place_corridors(self) -> None:
        self.corridor_track: dict[tuple[str, int], int] = {}
        for side in ("left", "right"):
            targets = sorted({r.target for r in self.routes if r.corridor == side})
            self.corridor_track.update({(side, t): k for k, t in enumerate(targets)})
        lefts = sum(1 for side, _ in self.corridor_track if side == "left")
        rights = len(self.corridor_track) - lefts
        self.grid_x = MARGIN + _corridor_width(lefts)
        self.grid_right = self.grid_x + self.columns * BOX_W + (self.columns - 1) * GAP_X
        self.width = self.grid_right + _corridor_width(rights) + MARGIN

    def column_x(self, stage: int) -> float:
        return self.grid_x + (stage % self.columns) * (BOX_W + GAP_X)

    def corridor_x(self, route: Route) -> float:
        assert route.corridor is not None
        offset = CORRIDOR_PAD + self.corridor_track[route.corridor, route.target] * CORRIDOR_GAP
        return self.grid_x - offset if route.corridor == "left" else self.grid_right + offset

    def _place_ports(self) -> None:
        """Spread the ends of routed edges along the box sides facing each channel.

        The bottom of a box and the top of the box below face the same channel, so they
        share one set of positions: no two vertical runs in a channel can coincide. Ends are
        ordered by where the edge heads, which avoids most crossings.
        """
        pools: dict[tuple[int, int], dict[tuple[object, ...], tuple[float, int]]] = {}
        for route in self.routes:
            if route.straight:
                continue
            if route.corridor:
                toward_target = toward_source = self.corridor_x(route)
            else:
                toward_target = self.column_x(route.target)
                toward_source = self.column_x(route.source)
            exit_pool = pools.setdefault((route.out_channel, route.source % self.columns), {})
            exit_pool[route.exit_key] = (toward_target, route.index)
            entry_pool = pools.setdefault((route.in_channel, route.target % self.columns), {})
            entry_pool.setdefault(route.entry_key, (toward_source, route.index))
        self.port_x: dict[tuple[object, ...], float] = {}
        for (_, column), pool in pools.items():
            left = self.column_x(column)
            for rank, key in enumerate(sorted(pool, key=pool.__getitem__)):
                self.port_x[key] = left + BOX_W * (rank + 1) / (len(pool) + 1)

    def _runs(self, route: Route) -> Iterator[tuple[int, tuple[object, ...], float, float]]:
        """The horizontal runs of a routed edge: (channel, key, from x, to x)."""
        start, end = self.port_x[route.exit_key], self.port_x[route.entry_key]
        if route.corridor is None:
            yield route.out_channel, route.exit_key, start, end
            return
        corridor = self.corridor_x(route)
        yield route.out_channel, route.exit_key, start, corridor
        yield route.in_channel, route.entry_key, corridor, end

    def _place_tracks(self) -> None:
        """Give every horizontal run a track in its channel, in four bands from the top.

        Runs that leave and re-enter the row above (skips within a row, loops) hug that row;
        then the last runs of edges coming up the left corridor; then the other runs; then the
        last runs of edges coming down the right corridor, one track each, the leftmost
        target highest, so that they step down without crossing one another.
        """
        bands: dict[tuple[int, int], dict[tuple[object, ...], tuple[float, float]]] = {}
        for route in self.routes:
            if route.straight:
                continue
            for channel, key, a, b in self._runs(route):
                bands.setdefault((channel, _band(route, key)), {})[key] = (min(a, b), max(a, b))
        self.track: dict[tuple[int, tuple[object, ...]], int] = {}
        self.tracks_in = [0] * (self.rows + 1)
        for (channel, _), runs in sorted(bands.items()):
            tracks = [self.tracks_in[channel] + t for t in _assign_tracks(list(runs.values()))]
            self.track.update({(channel, key): t for key, t in zip(runs, tracks, strict=True)})
            self.tracks_in[channel] = max(tracks) + 1

    def _place_rows(self, count: int) -> None:
        self.channel_y: list[float] = []
        row_y: list[float] = []
        y = 0.0
        for channel in range(self.rows + 1):
            self.channel_y.append(y)
            tracks = self.tracks_in[channel]
            if tracks:
                y += 2 * CHANNEL_PAD + (tracks - 1) * TRACK_GAP
            else:
                y += MARGIN if channel in (0, self.rows) else ROW_GAP
            if channel < self.rows:
                row_y.append(y)
                y += self.box_h
        self.legend_top = y + 4
        self.boxes = [
            Box(self.column_x(i), row_y[i // self.columns], BOX_W, self.box_h) for i in range(count)
        ]

    def paths(self) -> Iterator[tuple[Route, list[Point]]]:
        """Every transition with its polyline, recycle edges last (drawn on top)."""
        for route in sorted(self.routes, key=lambda route: route.recycle):
            yield route, self._points(route)

    def _points(self, route: Route) -> list[Point]:
        source, target = self.boxes[route.source], self.boxes[route.target]
        if route.straight:
            return [(source.right, source.cy), (target.x, target.cy)]
        points: list[Point] = []
        for channel, key, a, b in self._runs(route):
            y = self.channel_y[channel] + CHANNEL_PAD + self.track[channel, key] * TRACK_GAP
            points += [(a, y), (b, y)]
        start_y = source.bottom if route.exit_side == "bottom" else source.y
        end_y = target.bottom if route.enter_side == "bottom" else target.y
        return [(points[0][0], start_y), *points, (points[-1][0], end_y)]


def _band(route: Route, run: tuple[object, ...]) -> int:
    if route.exit_side == route.enter_side == "bottom":
        return 0
    if route.corridor is not None and run == route.entry_key:
        return 1 if route.corridor == "left" else 3
    return 2


def _corridor_width(tracks: int) -> float:
    return CORRIDOR_PAD + (tracks - 1) * CORRIDOR_GAP if tracks else 0


def _assign_tracks(spans: list[tuple[float, float]]) -> list[int]:
    """Greedy interval colouring: the lowest track whose last run ends before this one starts."""
    ends: list[float] = []
    tracks = [0] * len(spans)
    for index in sorted(range(len(spans)), key=lambda i: spans[i]):
        start, end = spans[index]
        free = [t for t, last in enumerate(ends) if last + TRACK_GAP < start]
        tracks[index] = free[0] if free else len(ends)
        if free:
            ends[free[0]] = end
        else:
            ends.append(end)
    return tracks


def stage_lines(stage: Stage) -> tuple[list[str], list[str]]:
    """The name, wrapped to fit a box, and the small lines under it."""
    name = wrap(stage.name, chars(BOX_W - 2 * BOX_PAD, NAME_SIZE), MAX_NAME_LINES)
    small = []
    if stage.probability is not None:
        small.append(f"{stage.probability:g} %")
    if stage.terminal:
        small.append("■ end")
    return name, small


def _stage_content_height(stage: Stage) -> float:
    name, small = stage_lines(stage)
    return len(name) * NAME_LINE + len(small) * SMALL_LINE
