"""How tangled a diagram's arrows are: crossings and shared tracks, from the drawn geometry.

An arrow is an orthogonal polyline. Two arrows *cross* where a horizontal segment of one meets
a vertical segment of the other (each meeting point counts once per pair of arrows). Two
arrows *overlap* where parallel segments run side by side closer than ``gap`` for some length,
or one continues the other on the same line with less than ``gap`` between them: a reader
can no longer tell which line is which. The lifecycle layout keeps overlaps at zero and
crossings low; the tests hold it to that with :func:`measure`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Point = tuple[float, float]

MIN_GAP = 8.0
"""Parallel arrows closer than this (in SVG user units) read as one line."""

_EPS = 0.01
_EDGE_PATH = re.compile(r"<path\b(?=[^>]*\bclass=\"edge\b)[^>]*\bd=\"([^\"]*)\"")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True, slots=True)
class Tangle:
    """Crossings and overlaps among a diagram's arrows."""

    crossings: int
    overlaps: int


@dataclass(frozen=True, slots=True)
class _Segment:
    arrow: int
    horizontal: bool
    at: float  # y of a horizontal segment, x of a vertical one
    low: float  # the extent along the segment
    high: float


def measure(arrows: Iterable[Sequence[Point]], gap: float = MIN_GAP) -> Tangle:
    """Count the crossings and overlaps between different arrows (not within one).

    Raises:
        ValueError: a segment is neither horizontal nor vertical.
    """
    segments = [s for index, arrow in enumerate(arrows) for s in _segments(index, arrow)]
    overlapping: set[tuple[int, int]] = set()
    for group in ([s for s in segments if s.horizontal], [s for s in segments if not s.horizontal]):
        group.sort(key=lambda s: s.at)
        for index, a in enumerate(group):
            for b in group[index + 1 :]:
                if b.at - a.at >= gap:
                    break
                if a.arrow != b.arrow and _too_close(a, b, gap):
                    overlapping.add((min(a.arrow, b.arrow), max(a.arrow, b.arrow)))
    return Tangle(len(_meetings(segments)), len(overlapping))


def crossings_by_arrow(arrows: Sequence[Sequence[Point]]) -> list[int]:
    """How many crossings each arrow is part of."""
    counts = [0] * len(arrows)
    segments = [s for index, arrow in enumerate(arrows) for s in _segments(index, arrow)]
    for a, b, _, _ in _meetings(segments):
        counts[a] += 1
        counts[b] += 1
    return counts


def _meetings(segments: list[_Segment]) -> set[tuple[int, int, float, float]]:
    """Where a horizontal segment of one arrow meets a vertical one of another:
    (lower arrow, higher arrow, x, y)."""
    vertical = sorted((s for s in segments if not s.horizontal), key=lambda s: s.at)
    places = [s.at for s in vertical]
    found = set()
    for h in segments:
        if not h.horizontal:
            continue
        low, high = bisect_left(places, h.low - _EPS), bisect_right(places, h.high + _EPS)
        for v in vertical[low:high]:
            if v.arrow != h.arrow and v.low - _EPS <= h.at <= v.high + _EPS:
                pair = (h.arrow, v.arrow) if h.arrow < v.arrow else (v.arrow, h.arrow)
                found.add((*pair, round(v.at, 2), round(h.at, 2)))
    return found


def _too_close(a: _Segment, b: _Segment, gap: float) -> bool:
    apart = abs(a.at - b.at)
    shared = min(a.high, b.high) - max(a.low, b.low)
    if apart < _EPS:
        return shared > -gap
    return apart < gap and shared > _EPS


def _segments(arrow: int, points: Sequence[Point]) -> list[_Segment]:
    """The arrow's segments, collinear neighbours merged and zero-length ones dropped."""
    segments: list[_Segment] = []
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if abs(x1 - x2) < _EPS and abs(y1 - y2) < _EPS:
            continue
        if abs(y1 - y2) < _EPS:
            segment = _Segment(arrow, True, y1, min(x1, x2), max(x1, x2))
        elif abs(x1 - x2) < _EPS:
            segment = _Segment(arrow, False, x1, min(y1, y2), max(y1, y2))
        else:
            raise ValueError(f"a slanted segment from {(x1, y1)} to {(x2, y2)}")
        last = segments[-1] if segments else None
        if (
            last is not None
            and last.horizontal == segment.horizontal
            and abs(last.at - segment.at) < _EPS
        ):
            low, high = min(last.low, segment.low), max(last.high, segment.high)
            segments[-1] = _Segment(arrow, segment.horizontal, segment.at, low, high)
        else:
            segments.append(segment)
    return segments


def path_points(d: str) -> list[Point]:
    """The corner points of an orthogonal path as :func:`.svg.path` writes it.

    Its rounded corners are quadratic curves whose control point is the corner, so every
    number pair, in order, is a point of the orthogonal polyline.
    """
    numbers = [float(n) for n in _NUMBER.findall(d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def svg_arrows(svg: str) -> list[list[Point]]:
    """The polylines of the ``path.edge`` elements of a lifecycle SVG, in document order."""
    return [path_points(d) for d in _EDGE_PATH.findall(svg)]


def measure_svg(svg: str, gap: float = MIN_GAP) -> Tangle:
    """:func:`measure` on the arrows drawn in an SVG (the ``path.edge`` elements)."""
    return measure(svg_arrows(svg), gap)
