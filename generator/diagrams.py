"""Model → SVG: the lifecycle diagram and the handoff swimlane. No I/O.

The diagrams are drawn at build time: plain SVG, no JavaScript, no fonts to fetch, printable.
The same playbook gives byte-identical SVG. All user text is escaped, and its whitespace
collapsed, so the result is a single block without blank lines that starts with ``<svg``.

Python-Markdown treats a bare ``<svg>`` as inline HTML (it would turn ``*a*`` inside a stage
name into emphasis), so embed the SVG inside a block-level element::

    <figure class="playbook-diagram">
    {{ svg }}
    </figure>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .model import Handoff, Playbook, Stage, Team

Link = Callable[[str], str]
Point = tuple[float, float]

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
CHAR_EM = 0.55  # estimated average character width, in ems (7 px at 13 px)
TEXT = "#1f2937"
MUTED = "#4b5563"
FORWARD = "#4b5563"
RECYCLE = "#b45309"
NEUTRAL = ("#f3f4f6", "#6b7280")
# (fill, stroke) per team, in team order: light fills keep TEXT above 12:1 and print well;
# the strokes follow the Okabe–Ito hues, which stay apart for colour-blind readers.
PALETTE = (
    ("#dbeafe", "#0072b2"),
    ("#fde8c8", "#c77c00"),
    ("#d1f2e6", "#009e73"),
    ("#f6dcea", "#b5487f"),
    ("#e0f0fb", "#3a8fc4"),
    ("#fbd9c6", "#d55e00"),
    ("#f7f3c4", "#a39400"),
    ("#e8e2f4", "#6f52a8"),
)

MARGIN = 16
NAME_SIZE = 13
SMALL_SIZE = 11.5
NAME_LINE = 16
SMALL_LINE = 15
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
CORNER = 6

LANE_LABEL_W = 150
LANE_H = 124
COLUMN_W = 150
PILL_W = 136
PILL_H = 36
PILL_INSET = 10
LABEL_SIZE = 11
LABEL_LINE = 14
ARROW_DX = 16


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in SVG user units."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def lifecycle_svg(playbook: Playbook, link: Link | None = None) -> str:
    """The lifecycle as an SVG diagram.

    Stages are boxes in list order, left to right, wrapped onto rows of at most
    ``MAX_PER_ROW``, filled with the colour of the owning role's team (a legend names the
    teams). Forward transitions are solid arrows; transitions back to an earlier or the same
    stage (``playbook.recycle_edges``) are dashed and coloured differently. Arrows that skip
    stages or change rows run in the gaps between rows and beside the grid, never through a
    box. Terminal stages have a double border and an "■ end" line.

    Args:
        playbook: The validated playbook.
        link: Maps a stage id to the URL its box links to; no links when ``None``.

    Returns:
        The ``<svg>`` element as one block of text with no blank lines. Test hooks: each
        stage is a ``g.stage`` (``g.stage.terminal``) with ``data-stage`` and a ``rect.box``
        in absolute coordinates; each transition is a ``path.edge`` (``path.edge.recycle``)
        with ``data-from`` and ``data-to``.
    """
    if not playbook.stages:
        return _empty_svg("pb-lifecycle", "Lifecycle", "The playbook defines no stages.")
    layout = _LifecycleLayout(playbook)
    names = [stage.name for stage in playbook.stages]
    title = "Lifecycle: " + " → ".join(names if len(names) <= 6 else [*names[:2], "…", names[-1]])
    desc = " ".join(_stage_sentence(playbook, stage) for stage in playbook.stages)
    markers = _arrow_marker("pb-lifecycle-arrow", FORWARD) + _arrow_marker(
        "pb-lifecycle-arrow-recycle", RECYCLE
    )
    body = [
        *(_edge_element(playbook, route, points) for route, points in layout.paths()),
        *(
            _stage_element(playbook, stage, box, link)
            for stage, box in zip(playbook.stages, layout.boxes, strict=True)
        ),
    ]
    legend, height = _legend(_lifecycle_legend(playbook), layout.legend_top, layout.width)
    return _svg("pb-lifecycle", layout.width, height, title, desc, markers, [*body, *legend])


def swimlane_svg(playbook: Playbook, link: Link | None = None) -> str:
    """The handoffs as an SVG swimlane.

    One horizontal lane per team with a role in a handoff (in team order, labelled with the
    team name), one column per handoff (in order). Each handoff is an arrow from the sending
    role's lane to the receiving role's lane, with the role names at both ends and its first
    SLA clock beside the arrow ("accept: 4 business hours").

    The width grows by ``COLUMN_W`` per handoff and the text is never shrunk, so past about
    30 handoffs the diagram is valid but very wide; a caller may prefer a table there.

    Args:
        playbook: The validated playbook.
        link: Maps a handoff id to the URL its column links to; no links when ``None``.

    Returns:
        The ``<svg>`` element as one block of text with no blank lines. Test hooks: each lane
        is a ``g.lane`` with ``data-team``; each handoff a ``g.handoff`` with
        ``data-handoff``, ``data-from`` and ``data-to``.
    """
    if not playbook.handoffs:
        return _empty_svg("pb-swimlane", "Handoffs", "The playbook defines no handoffs.")
    lanes = _lanes(playbook)
    lane_of = {team.id: index for index, team in enumerate(lanes)}
    width = 2 * MARGIN + LANE_LABEL_W + len(playbook.handoffs) * COLUMN_W
    height = 2 * MARGIN + len(lanes) * LANE_H
    body = [
        *(_lane_element(playbook, team, index, width) for index, team in enumerate(lanes)),
        *(
            _handoff_element(playbook, handoff, index, lane_of, link)
            for index, handoff in enumerate(playbook.handoffs)
        ),
    ]
    title = "Handoffs between " + _or([team.name for team in lanes], "and")
    desc = " ".join(
        f"{index}. {_handoff_sentence(playbook, handoff)}"
        for index, handoff in enumerate(playbook.handoffs, start=1)
    )
    marker = _arrow_marker("pb-swimlane-arrow", FORWARD)
    return _svg("pb-swimlane", width, height, title, desc, marker, body)


# Lifecycle layout: a grid of boxes with "channels" (the gaps above, between and below the rows)
# and "corridors" (left and right of the grid). A transition that is not a plain step to the
# next box leaves a box through the bottom (or, going back up, the top), runs along one track
# of a channel, and enters its target's top or bottom; one that crosses two or more rows also
# runs down the right corridor (forward) or up the left one (back). Tracks in a channel are
# assigned so that no two horizontal runs overlap; edges that meet in a corridor share the
# corridor's track and their last run because they go to the same stage.


@dataclass(frozen=True, slots=True)
class _Route:
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


def _route(index: int, source: int, target: int, recycle: bool, columns: int) -> _Route:
    row, target_row = source // columns, target // columns
    edge = (index, source, target, recycle)
    if row == target_row:
        if not recycle and target == source + 1:
            return _Route(*edge, "right", "left", -1, -1, None)
        return _Route(*edge, "bottom", "bottom", row + 1, row + 1, None)
    if target_row > row:
        corridor = "right" if target_row > row + 1 else None
        return _Route(*edge, "bottom", "top", row + 1, target_row, corridor)
    corridor = "left" if target_row < row - 1 else None
    return _Route(*edge, "top", "bottom", row, target_row + 1, corridor)


class _LifecycleLayout:
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

    def corridor_x(self, route: _Route) -> float:
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

    def _runs(self, route: _Route) -> Iterator[tuple[int, tuple[object, ...], float, float]]:
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

    def paths(self) -> Iterator[tuple[_Route, list[Point]]]:
        """Every transition with its polyline, recycle edges last (drawn on top)."""
        for route in sorted(self.routes, key=lambda route: route.recycle):
            yield route, self._points(route)

    def _points(self, route: _Route) -> list[Point]:
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


def _band(route: _Route, run: tuple[object, ...]) -> int:
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


def _stage_lines(stage: Stage) -> tuple[list[str], list[str]]:
    """The name, wrapped to fit a box, and the small lines under it."""
    name = _wrap(stage.name, _chars(BOX_W - 2 * BOX_PAD, NAME_SIZE), MAX_NAME_LINES)
    small = []
    if stage.probability is not None:
        small.append(f"{stage.probability:g} %")
    if stage.terminal:
        small.append("■ end")
    return name, small


def _stage_content_height(stage: Stage) -> float:
    name, small = _stage_lines(stage)
    return len(name) * NAME_LINE + len(small) * SMALL_LINE


def _stage_colours(playbook: Playbook, stage: Stage) -> tuple[str, str]:
    if stage.owner is None:
        return NEUTRAL
    return _team_colours(playbook, playbook.team_of(stage.owner))


def _team_colours(playbook: Playbook, team: Team) -> tuple[str, str]:
    return PALETTE[playbook.teams.index(team) % len(PALETTE)]


def _stage_element(playbook: Playbook, stage: Stage, box: Box, link: Link | None) -> str:
    fill, stroke = _stage_colours(playbook, stage)
    parts = [
        f"<title>{_esc(stage.name)}</title>",
        _rect(box, {"class": "box", "rx": 6, "fill": fill, "stroke": stroke, "stroke-width": 1.5}),
    ]
    if stage.terminal:
        inner = Box(box.x + 4, box.y + 4, box.w - 8, box.h - 8)
        parts.append(_rect(inner, {"rx": 3, "fill": "none", "stroke": stroke, "stroke-width": 1.5}))
    name, small = _stage_lines(stage)
    y = box.cy - (len(name) * NAME_LINE + len(small) * SMALL_LINE) / 2
    for line in name:
        y += NAME_LINE
        parts.append(_text(box.cx, y - 4, line, NAME_SIZE, weight="600"))
    for line in small:
        y += SMALL_LINE
        parts.append(_text(box.cx, y - 4, line, SMALL_SIZE, fill=MUTED))
    classes = "stage terminal" if stage.terminal else "stage"
    group = _tag("g", {"class": classes, "data-stage": stage.id}, "".join(parts))
    return _linked(group, link(stage.id) if link else None)


def _edge_element(playbook: Playbook, route: _Route, points: list[Point]) -> str:
    source, target = playbook.stages[route.source], playbook.stages[route.target]
    style = {"stroke": FORWARD, "marker-end": "url(#pb-lifecycle-arrow)"}
    if route.recycle:
        style = {
            "stroke": RECYCLE,
            "stroke-dasharray": "6 4",
            "marker-end": "url(#pb-lifecycle-arrow-recycle)",
        }
    attrs = {
        "class": "edge recycle" if route.recycle else "edge",
        "data-from": source.id,
        "data-to": target.id,
        "d": _path(points),
        "fill": "none",
        "stroke-width": 1.5,
        **style,
    }
    return _tag("path", attrs, f"<title>{_esc(source.name)} → {_esc(target.name)}</title>")


def _path(points: list[Point]) -> str:
    """An orthogonal polyline with rounded corners."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    commands = [f"M{_num(points[0][0])},{_num(points[0][1])}"]
    for before, corner, after in zip(points, points[1:], points[2:]):
        radius = min(CORNER, _distance(before, corner) / 2, _distance(corner, after) / 2)
        a, b = _toward(corner, before, radius), _toward(corner, after, radius)
        commands.append(
            f"L{_num(a[0])},{_num(a[1])}Q{_num(corner[0])},{_num(corner[1])} "
            f"{_num(b[0])},{_num(b[1])}"
        )
    commands.append(f"L{_num(points[-1][0])},{_num(points[-1][1])}")
    return "".join(commands)


def _distance(a: Point, b: Point) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _toward(start: Point, end: Point, length: float) -> Point:
    total = _distance(start, end) or 1
    return (
        start[0] + (end[0] - start[0]) * length / total,
        start[1] + (end[1] - start[1]) * length / total,
    )


def _stage_sentence(playbook: Playbook, stage: Stage) -> str:
    names = {s.id: s.name for s in playbook.stages}
    facts = []
    if stage.owner is not None:
        role = playbook.role(stage.owner)
        facts.append(f"owner {role.name}, {playbook.team_of(role).name}")
    if stage.probability is not None:
        facts.append(f"{stage.probability:g} %")
    targets = [t for t in playbook.next_stages(stage) if t in names]
    forward = [names[t] for t in targets if (stage.id, t) not in playbook.recycle_edges]
    back = [names[t] for t in targets if (stage.id, t) in playbook.recycle_edges]
    moves = []
    if forward:
        moves.append(f"goes to {_or(forward)}")
    if back:
        moves.append(f"goes back to {_or(back)}")
    if stage.terminal:
        moves.append("end stage")
    about = f" ({'; '.join(facts)})" if facts else ""
    return f"{stage.name}{about}: {'; '.join(moves) or 'no next stage'}."


@dataclass(frozen=True, slots=True)
class _LegendEntry:
    kind: str  # "box", "end" (a double border) or "line"
    fill: str
    stroke: str
    label: str


def _lifecycle_legend(playbook: Playbook) -> list[_LegendEntry]:
    owners = {playbook.team_of(s.owner).id for s in playbook.stages if s.owner is not None}
    entries = [
        _LegendEntry("box", *_team_colours(playbook, team), team.name)
        for team in playbook.teams
        if team.id in owners
    ]
    if any(stage.owner is None for stage in playbook.stages):
        entries.append(_LegendEntry("box", *NEUTRAL, "No owner"))
    entries.append(_LegendEntry("line", "", FORWARD, "next stage"))
    if playbook.recycle_edges:
        entries.append(_LegendEntry("line", "", RECYCLE, "back to an earlier stage"))
    if any(stage.terminal for stage in playbook.stages):
        entries.append(_LegendEntry("end", "#ffffff", MUTED, "end stage (■ end)"))
    return entries


def _legend(entries: list[_LegendEntry], top: float, width: float) -> tuple[list[str], float]:
    """The legend's elements, flowed into lines across ``width``, and the diagram's new bottom."""
    elements: list[str] = []
    x, y = float(MARGIN), top + 8
    for entry in entries:
        label = _truncate(entry.label, 32)
        entry_w = 30 + _text_width(label, SMALL_SIZE) + 18
        if x > MARGIN and x + entry_w > width - MARGIN:
            x, y = MARGIN, y + 22
        elements.append(_swatch(entry, x, y))
        elements.append(_text(x + 30, y + 11, label, SMALL_SIZE, anchor="start"))
        x += entry_w
    return [_tag("g", {"class": "legend"}, "".join(elements))], y + 14 + MARGIN


def _swatch(entry: _LegendEntry, x: float, y: float) -> str:
    if entry.kind == "line":
        recycle = entry.stroke == RECYCLE
        attrs = {
            "d": f"M{_num(x)},{_num(y + 7)}h22",
            "stroke": entry.stroke,
            "stroke-width": 1.5,
            "stroke-dasharray": "6 4" if recycle else None,
            "marker-end": f"url(#pb-lifecycle-arrow{'-recycle' if recycle else ''})",
        }
        return _tag("path", attrs)
    square = _rect(
        Box(x + 4, y, 14, 14),
        {"rx": 2, "fill": entry.fill, "stroke": entry.stroke, "stroke-width": 1.5},
    )
    if entry.kind == "box":
        return square
    return square + _rect(Box(x + 7, y + 3, 8, 8), {"fill": "none", "stroke": entry.stroke})


def _lanes(playbook: Playbook) -> list[Team]:
    involved = {playbook.team_of(role).id for h in playbook.handoffs for role in (h.from_, h.to)}
    return [team for team in playbook.teams if team.id in involved]


def _lane_element(playbook: Playbook, team: Team, index: int, width: float) -> str:
    fill, stroke = _team_colours(playbook, team)
    y = MARGIN + index * LANE_H
    lane = Box(MARGIN, y, width - 2 * MARGIN, LANE_H)
    label = Box(MARGIN, y, LANE_LABEL_W - 10, LANE_H)
    parts = [
        _rect(lane, {"fill": "#f9fafb" if index % 2 else "#ffffff", "stroke": "#d1d5db"}),
        _rect(label, {"fill": fill, "stroke": stroke, "stroke-width": 1.5}),
    ]
    lines = _wrap(team.name, _chars(label.w - 16, NAME_SIZE), 3)
    top = label.cy - len(lines) * NAME_LINE / 2
    for number, line in enumerate(lines, start=1):
        parts.append(_text(label.cx, top + number * NAME_LINE - 4, line, NAME_SIZE, weight="600"))
    return _tag("g", {"class": "lane", "data-team": team.id}, "".join(parts))


def _handoff_element(
    playbook: Playbook, handoff: Handoff, index: int, lane_of: dict[str, int], link: Link | None
) -> str:
    sender, receiver = playbook.role(handoff.from_), playbook.role(handoff.to)
    column_x = MARGIN + LANE_LABEL_W + index * COLUMN_W + (COLUMN_W - PILL_W) / 2
    from_lane, to_lane = lane_of[sender.team], lane_of[receiver.team]
    from_pill, to_pill = _pills(column_x, from_lane, to_lane)
    down = to_pill.y > from_pill.y
    arrow_x = column_x + ARROW_DX
    start = (arrow_x, from_pill.bottom if down else from_pill.y)
    end = (arrow_x, to_pill.y if down else to_pill.bottom)
    parts = [
        f"<title>{_esc(_handoff_sentence(playbook, handoff))}</title>",
        _tag(
            "path",
            {
                "d": _path([start, end]),
                "stroke": FORWARD,
                "stroke-width": 1.5,
                "marker-end": "url(#pb-swimlane-arrow)",
            },
        ),
        _pill(playbook, from_pill, sender.name, sender.team),
        _pill(playbook, to_pill, receiver.name, receiver.team),
    ]
    if handoff.sla:
        parts.append(_sla_label(handoff, arrow_x + 8, (start[1] + end[1]) / 2, column_x + PILL_W))
    attrs = {
        "class": "handoff",
        "data-handoff": handoff.id,
        "data-from": sender.id,
        "data-to": receiver.id,
    }
    return _linked(_tag("g", attrs, "".join(parts)), link(handoff.id) if link else None)


def _pills(x: float, from_lane: int, to_lane: int) -> tuple[Box, Box]:
    """The role boxes of a handoff: centred in their lanes, or one above the other in one lane."""
    if from_lane == to_lane:
        top = _lane_y(from_lane)
        return (
            Box(x, top + PILL_INSET, PILL_W, PILL_H),
            Box(x, top + LANE_H - PILL_INSET - PILL_H, PILL_W, PILL_H),
        )
    return (
        Box(x, _lane_y(from_lane) + (LANE_H - PILL_H) / 2, PILL_W, PILL_H),
        Box(x, _lane_y(to_lane) + (LANE_H - PILL_H) / 2, PILL_W, PILL_H),
    )


def _lane_y(lane: int) -> float:
    return MARGIN + lane * LANE_H


def _pill(playbook: Playbook, box: Box, name: str, team_id: str) -> str:
    fill, stroke = _team_colours(playbook, playbook.team(team_id))
    lines = _wrap(name, _chars(box.w - 12, LABEL_SIZE), 2)
    rect = _rect(box, {"rx": 8, "fill": fill, "stroke": stroke, "stroke-width": 1.2})
    top = box.cy - len(lines) * LABEL_LINE / 2
    texts = [
        _text(box.cx, top + number * LABEL_LINE - 3.5, line, LABEL_SIZE)
        for number, line in enumerate(lines, start=1)
    ]
    return rect + "".join(texts)


def _sla_label(handoff: Handoff, x: float, middle: float, right: float) -> str:
    clock, duration = next(iter(handoff.sla.items()))
    width = _chars(right - x - 4, LABEL_SIZE)
    lines = [_truncate(_clock(clock) + ":", width), _truncate(str(duration), width)]
    halo = {"rx": 3, "fill": "#ffffff", "fill-opacity": 0.9}
    background = _rect(Box(x - 3, middle - 15, right - x + 3, 30), halo)
    texts = [
        _text(x, middle - 2.5, lines[0], LABEL_SIZE, anchor="start", fill=MUTED),
        _text(x, middle + 11, lines[1], LABEL_SIZE, anchor="start", weight="600"),
    ]
    return _tag("g", {"class": "sla"}, background + "".join(texts))


def _clock(name: str) -> str:
    return name.replace("_", " ").replace("-", " ")


def _handoff_sentence(playbook: Playbook, handoff: Handoff) -> str:
    sender, receiver = playbook.role(handoff.from_), playbook.role(handoff.to)
    text = (
        f"{sender.name} ({playbook.team_of(sender).name}) hands over to "
        f"{receiver.name} ({playbook.team_of(receiver).name})"
    )
    if handoff.stage is not None:
        text += f" at {playbook.stage(handoff.stage).name}"
    if handoff.sla:
        clocks = [f"{_clock(clock)} within {duration}" for clock, duration in handoff.sla.items()]
        text += f"; {', '.join(clocks)}"
    return text + "."


def _svg(
    name: str, width: float, height: float, title: str, desc: str, defs: str, body: list[str]
) -> str:
    """The root element: sized, labelled for assistive technology, on a white background."""
    root = {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": f"playbook-diagram {name}",
        "role": "group",
        "aria-labelledby": f"{name}-title",
        "aria-describedby": f"{name}-desc",
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "width": width,
        "height": height,
        "font-family": FONT,
        "font-size": NAME_SIZE,
    }
    lines = [
        f"<svg{_attributes(root)}>",
        f'<title id="{name}-title">{_esc(title)}</title>',
        f'<desc id="{name}-desc">{_esc(desc)}</desc>',
        f"<defs>{defs}</defs>",
        _tag("rect", {"width": width, "height": height, "rx": 6, "fill": "#ffffff"}),
        *body,
        "</svg>",
    ]
    return "\n".join(lines)


def _empty_svg(name: str, title: str, message: str) -> str:
    text = _text(MARGIN, 26, message, NAME_SIZE, anchor="start", fill=MUTED)
    return _svg(name, 360, 42, title, message, "", [text])


def _arrow_marker(marker_id: str, colour: str) -> str:
    return _tag(
        "marker",
        {
            "id": marker_id,
            "viewBox": "0 0 10 10",
            "refX": 9,
            "refY": 5,
            "markerWidth": 9,
            "markerHeight": 9,
            "markerUnits": "userSpaceOnUse",
            "orient": "auto",
        },
        _tag("path", {"d": "M0,0L10,5L0,10z", "fill": colour}),
    )


def _rect(box: Box, attrs: Mapping[str, object]) -> str:
    return _tag("rect", {"x": box.x, "y": box.y, "width": box.w, "height": box.h, **attrs})


def _linked(element: str, href: str | None) -> str:
    return _tag("a", {"href": href}, element) if href is not None else element


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    anchor: str = "middle",
    weight: str | None = None,
    fill: str = TEXT,
) -> str:
    attrs = {
        "x": x,
        "y": y,
        "font-size": size,
        "text-anchor": anchor,
        "font-weight": weight,
        "fill": fill,
    }
    return _tag("text", attrs, _esc(text))


def _tag(name: str, attrs: Mapping[str, object], content: str | None = None) -> str:
    """One element; ``content`` must already be markup."""
    if content is None:
        return f"<{name}{_attributes(attrs)}/>"
    return f"<{name}{_attributes(attrs)}>{content}</{name}>"


def _attributes(attrs: Mapping[str, object]) -> str:
    """Escaped attributes, numbers rounded; ``None`` values are left out."""
    return "".join(
        f" {key}={quoteattr(_num(value) if isinstance(value, (int, float)) else _clean(str(value)))}"
        for key, value in attrs.items()
        if value is not None
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]|[\ud800-\udfff]")


def _clean(text: str) -> str:
    """User text on one line: a newline would end an HTML block inside Markdown; control
    characters (Python-Markdown's placeholders among them) and lone surrogates go."""
    return " ".join(_CONTROL.sub("", text).split())


def _esc(text: str) -> str:
    return escape(_clean(text))


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


def _chars(width: float, size: float) -> int:
    """How many characters fit in ``width`` at font ``size``."""
    return max(4, int(width / (size * CHAR_EM)))


def _truncate(text: str, limit: int) -> str:
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` characters, breaking long words after hyphens (or
    anywhere, if they have none); past ``max_lines`` the last line ends with "…"."""
    lines: list[str] = []
    for separator, piece in _pieces(_clean(text), width):
        if lines and len(lines[-1]) + len(separator) + len(piece) <= width:
            lines[-1] += separator + piece
        else:
            lines.append(piece)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1].rstrip() + "…"]
    return lines


def _pieces(text: str, width: int) -> Iterator[tuple[str, str]]:
    """(separator, piece) pairs: words, then hyphenated parts, then hard chunks of ``width``."""
    for number, word in enumerate(text.split(" ")):
        separator = " " if number else ""
        for part in re.findall(r"[^-]+-*|-+", word):
            for start in range(0, len(part), width):
                yield separator, part[start : start + width]
                separator = ""


def _or(items: list[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
