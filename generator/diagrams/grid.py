"""The grid the router works on, and what it and :mod:`.tracks` share (no drawing).

The boxes sit in cells of a grid. Between the rows run *channels* (one above the first row and
one below the last as well) and between the columns run *gaps* (one left of the grid and one
right of it as well). A channel is cut into *pieces* by the gaps, a gap into pieces by the
channels; where a channel and a gap meet is a *junction*. A box side faces one piece: its top
and bottom a channel piece, its left and right a gap piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .measure import Point

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
class Route:
    """One arrow's way: the sides it leaves and enters by, and the pieces between."""

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
