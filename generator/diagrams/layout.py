"""Where the lifecycle diagram's boxes and arrows go (no drawing).

Two layouts of the same diagram:

- **wide**, for a page column of about 690 px: the stages in list order, left to right,
  wrapped onto rows. Of the column counts that make sense, the one with the fewest crossing
  arrows wins, and a drawing wider than the column counts against it (it would be shrunk,
  and its text with it).
- **narrow**, for a phone: one stage under the other, at most :data:`NARROW_WIDTH` wide with
  larger text, so that the drawing is never shrunk on a 390 px screen. Arrows to the next
  stage go straight down; the others run beside the column, back arrows on the left.

:mod:`.router` gives every arrow a way between the boxes and a track of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..model import Playbook, Stage
from .measure import Point, measure
from .router import Edge, Placement, Router, Spacing
from .svg import NAME_LINE, NAME_SIZE, SMALL_LINE, SMALL_SIZE, Box, chars, wrap

MAX_NAME_LINES = 3
MAX_PER_ROW = 3
BOX_W = 156
BOX_PAD = 10

COLUMN_WIDTH = 686
"""The narrowest page column the wide layout shows in at full size (Material for MkDocs,
from 720 px wide screens up)."""
NARROW_WIDTH = 340
"""The narrow layout's width: a 390 px screen's page column is 358 px."""
NARROW_BOX_W = (168, 260)
NARROW_NAME_SIZE, NARROW_NAME_LINE = 14.0, 17.0
NARROW_SMALL_SIZE, NARROW_SMALL_LINE = 12.5, 16.0
EFFORT = 20
"""How many other ways for crossing arrows the router tries, per layout."""
BUSY = 80
"""More transitions than this (far more than a real lifecycle has) get a quicker layout:
one ordering round less thorough, no other ways tried, rows of three only."""
CROSSING_WORTH = 60.0
"""How many px of width beyond the column one crossing fewer is worth."""

WIDE_SPACING = Spacing(track_gap=10, pad=10, port_gap=12, gap_x=40, gap_y=32, margin=12)
NARROW_SPACING = Spacing(track_gap=10, pad=10, port_gap=12, gap_x=40, gap_y=30, margin=8)


@dataclass(frozen=True, slots=True)
class Route:
    """A transition: from stage ``source`` to stage ``target`` (indices in list order)."""

    index: int
    source: int
    target: int
    recycle: bool


@dataclass(frozen=True, slots=True)
class Text:
    """The type sizes of one layout."""

    name_size: float
    name_line: float
    small_size: float
    small_line: float


WIDE_TEXT = Text(NAME_SIZE, NAME_LINE, SMALL_SIZE, SMALL_LINE)
NARROW_TEXT = Text(NARROW_NAME_SIZE, NARROW_NAME_LINE, NARROW_SMALL_SIZE, NARROW_SMALL_LINE)


class LifecycleLayout:
    """Where every box and arrow of the lifecycle diagram goes."""

    def __init__(self, playbook: Playbook, narrow: bool = False) -> None:
        stages = playbook.stages
        order = {stage.id: index for index, stage in enumerate(stages)}
        self.narrow = narrow
        self.text = NARROW_TEXT if narrow else WIDE_TEXT
        self.routes = [
            Route(index, source, target, recycle)
            for index, (source, target, recycle) in enumerate(
                (order[stage.id], order[target], (stage.id, target) in playbook.recycle_edges)
                for stage in stages
                for target in playbook.next_stages(stage)
                if target in order
            )
        ]
        edges = [Edge(r.source, r.target, r.recycle) for r in self.routes]
        if narrow:
            self.columns, placement = self._narrow(stages, edges)
        else:
            self.columns, placement = self._wide(stages, edges)
        self.box_w, self.box_h = placement.box_w, placement.box_h
        self.width = placement.width
        self.legend_top = placement.height + 4
        self.boxes = [
            Box(*placement.box(index), placement.box_w, placement.box_h)
            for index in range(len(stages))
        ]
        self.arrows = placement.arrows

    def _wide(self, stages: Sequence[Stage], edges: list[Edge]) -> tuple[int, Placement]:
        box_h = _box_height(stages, BOX_W, self.text)
        best: tuple[float, int, Placement] | None = None
        choices = _column_choices(len(stages))
        for columns in choices[:1] if len(edges) > BUSY else choices:
            router = _router(len(stages), columns, edges, BOX_W, box_h, WIDE_SPACING)
            placement = router.place(BOX_W, box_h)
            crossings = measure(placement.arrows).crossings
            overflow = max(0.0, placement.width - COLUMN_WIDTH)
            score = crossings * CROSSING_WORTH + overflow
            if best is None or score < best[0]:
                best = (score, columns, placement)
        assert best is not None
        return best[1], best[2]

    def _narrow(self, stages: Sequence[Stage], edges: list[Edge]) -> tuple[int, Placement]:
        low, high = NARROW_BOX_W
        box_h = _box_height(stages, low, self.text)
        router = _router(len(stages), 1, edges, low, box_h, NARROW_SPACING)
        beside = router.place(low, box_h).width - low
        box_w = max(low, min(high, NARROW_WIDTH - beside))
        return 1, router.place(box_w, _box_height(stages, box_w, self.text))

    def paths(self) -> Iterator[tuple[Route, list[Point]]]:
        """Every transition with its polyline, recycle edges last (drawn on top)."""
        for route in sorted(self.routes, key=lambda route: route.recycle):
            yield route, self.arrows[route.index]

    def stage_lines(self, stage: Stage) -> tuple[list[str], list[str]]:
        return stage_lines(stage, self.box_w, self.text.name_size)


def _router(
    count: int, columns: int, edges: list[Edge], box_w: float, box_h: float, spacing: Spacing
) -> Router:
    if len(edges) > BUSY:
        return Router(count, columns, edges, box_w, box_h, spacing, effort=0, sweeps=2)
    return Router(count, columns, edges, box_w, box_h, spacing, effort=EFFORT)


def _column_choices(count: int) -> list[int]:
    """Column counts worth trying: one row for up to three boxes, else rows of three or two
    (four boxes of :data:`BOX_W` and the room between them are wider than the column)."""
    return [max(1, count)] if count <= MAX_PER_ROW else [3, 2]


def _box_height(stages: Sequence[Stage], box_w: float, text: Text) -> float:
    return max(_content_height(s, box_w, text) for s in stages) + 2 * BOX_PAD


def stage_lines(
    stage: Stage, box_w: float = BOX_W, size: float = NAME_SIZE
) -> tuple[list[str], list[str]]:
    """The name, wrapped to fit a box, and the small lines under it."""
    name = wrap(stage.name, chars(box_w - 2 * BOX_PAD, size), MAX_NAME_LINES)
    small = []
    if stage.probability is not None:
        small.append(f"{stage.probability:g} %")
    if stage.terminal:
        small.append("■ end")
    return name, small


def _content_height(stage: Stage, box_w: float, text: Text) -> float:
    name, small = stage_lines(stage, box_w, text.name_size)
    return len(name) * text.name_line + len(small) * text.small_line
