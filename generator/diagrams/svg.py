"""SVG primitives the diagrams share: the palette, boxes, escaped text and elements.

All user text goes through :func:`esc` (escaped, control characters dropped as on every
page, whitespace collapsed), so an element never spans a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..model import Playbook, Team
from ..text import drop_controls

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
CORNER = 6
LABEL_SIZE = 11
LABEL_LINE = 14


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


def team_colours(playbook: Playbook, team: Team) -> tuple[str, str]:
    return PALETTE[playbook.teams.index(team) % len(PALETTE)]


def path(points: list[Point]) -> str:
    """An orthogonal polyline with rounded corners."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    commands = [f"M{num(points[0][0])},{num(points[0][1])}"]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        radius = min(CORNER, distance(before, corner) / 2, distance(corner, after) / 2)
        a, b = toward(corner, before, radius), toward(corner, after, radius)
        commands.append(
            f"L{num(a[0])},{num(a[1])}Q{num(corner[0])},{num(corner[1])} {num(b[0])},{num(b[1])}"
        )
    commands.append(f"L{num(points[-1][0])},{num(points[-1][1])}")
    return "".join(commands)


def distance(a: Point, b: Point) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def toward(start: Point, end: Point, length: float) -> Point:
    total = distance(start, end) or 1
    return (
        start[0] + (end[0] - start[0]) * length / total,
        start[1] + (end[1] - start[1]) * length / total,
    )


def svg_root(
    name: str, width: float, height: float, title: str, desc: str, defs: str, body: list[str]
) -> str:
    """The root element: sized, labelled for assistive technology, on a white background."""
    root = {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": f"playbook-diagram {name}",
        "role": "group",
        "aria-labelledby": f"{name}-title",
        "aria-describedby": f"{name}-desc",
        "viewBox": f"0 0 {num(width)} {num(height)}",
        "width": width,
        "height": height,
        "font-family": FONT,
        "font-size": NAME_SIZE,
    }
    lines = [
        f"<svg{attributes(root)}>",
        f'<title id="{name}-title">{esc(title)}</title>',
        f'<desc id="{name}-desc">{esc(desc)}</desc>',
        f"<defs>{defs}</defs>",
        tag("rect", {"width": width, "height": height, "rx": 6, "fill": "#ffffff"}),
        *body,
        "</svg>",
    ]
    return "\n".join(lines)


def empty_svg(name: str, title: str, message: str) -> str:
    text = svg_text(MARGIN, 26, message, NAME_SIZE, anchor="start", fill=MUTED)
    return svg_root(name, 360, 42, title, message, "", [text])


def arrow_marker(marker_id: str, colour: str) -> str:
    return tag(
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
        tag("path", {"d": "M0,0L10,5L0,10z", "fill": colour}),
    )


def box_rect(box: Box, attrs: Mapping[str, object]) -> str:
    return tag("rect", {"x": box.x, "y": box.y, "width": box.w, "height": box.h, **attrs})


def linked(element: str, href: str | None) -> str:
    return tag("a", {"href": href}, element) if href is not None else element


def svg_text(
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
    return tag("text", attrs, esc(text))


def tag(name: str, attrs: Mapping[str, object], content: str | None = None) -> str:
    """One element; ``content`` must already be markup."""
    if content is None:
        return f"<{name}{attributes(attrs)}/>"
    return f"<{name}{attributes(attrs)}>{content}</{name}>"


def attributes(attrs: Mapping[str, object]) -> str:
    """Escaped attributes, numbers rounded; ``None`` values are left out."""
    return "".join(
        f" {key}={quoteattr(num(value) if isinstance(value, (int, float)) else clean(str(value)))}"
        for key, value in attrs.items()
        if value is not None
    )


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def clean(text: str) -> str:
    """User text on one line: a newline would end an HTML block inside Markdown; control
    characters (Python-Markdown's placeholders among them) and lone surrogates go."""
    return " ".join(drop_controls(text).split())


def esc(text: str) -> str:
    return escape(clean(text))


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


def chars(width: float, size: float) -> int:
    """How many characters fit in ``width`` at font ``size``."""
    return max(4, int(width / (size * CHAR_EM)))


def truncate(text: str, limit: int) -> str:
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` characters, breaking long words after hyphens (or
    anywhere, if they have none); past ``max_lines`` the last line ends with "…"."""
    lines: list[str] = []
    for separator, piece in pieces(clean(text), width):
        if lines and len(lines[-1]) + len(separator) + len(piece) <= width:
            lines[-1] += separator + piece
        else:
            lines.append(piece)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1].rstrip() + "…"]
    return lines


def pieces(text: str, width: int) -> Iterator[tuple[str, str]]:
    """(separator, piece) pairs: words, then hyphenated parts, then hard chunks of ``width``."""
    for number, word in enumerate(text.split(" ")):
        separator = " " if number else ""
        for part in re.findall(r"[^-]+-*|-+", word):
            for start in range(0, len(part), width):
                yield separator, part[start : start + width]
                separator = ""


def either(items: list[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
