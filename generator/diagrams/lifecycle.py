"""The lifecycle diagram: stages as boxes in rows, transitions routed between them."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Playbook, Stage
from .layout import LifecycleLayout, Route, Text
from .svg import (
    FORWARD,
    MARGIN,
    MUTED,
    NEUTRAL,
    RECYCLE,
    Box,
    Link,
    Point,
    arrow_marker,
    box_rect,
    either,
    empty_svg,
    esc,
    linked,
    num,
    path,
    svg_root,
    svg_text,
    tag,
    team_colours,
    text_width,
    truncate,
)

PERCENT_MEANS = "chance of winning from that stage"
"""What a stage's percentage (its ``probability``) means, as the legend says it."""


def lifecycle_svg(playbook: Playbook, link: Link | None = None, *, narrow: bool = False) -> str:
    """The lifecycle as an SVG diagram.

    Stages are boxes in list order, filled with the colour of the owning role's team. The
    wide layout (the default) wraps them onto rows; the ``narrow`` one, for phones, puts one
    under the other, with larger text and no wider than a phone's page column. Forward
    transitions are solid arrows; transitions back to an earlier or the same stage
    (``playbook.recycle_edges``) are dashed and coloured differently. Every arrow runs on a
    track of its own between the boxes, never through one, and the tracks are ordered to
    keep crossings few (see :mod:`.router`). Terminal stages have a double border and an
    "■ end" line. The legend names the teams and says what the arrows, the percentages and
    the double border mean.

    Args:
        playbook: The validated playbook.
        link: Maps a stage id to the URL its box links to; no links when ``None``.
        narrow: Draw the layout for narrow screens. Its root has the class
            ``pb-lifecycle-narrow`` (the wide one ``pb-lifecycle``) and ids of its own, so
            both can be on one page (see :func:`lifecycle_figure`).

    Returns:
        The ``<svg>`` element as one block of text with no blank lines. Test hooks: each
        stage is a ``g.stage`` (``g.stage.terminal``) with ``data-stage`` and a ``rect.box``
        in absolute coordinates; each transition is a ``path.edge`` (``path.edge.recycle``)
        with ``data-from`` and ``data-to``.
    """
    name = "pb-lifecycle-narrow" if narrow else "pb-lifecycle"
    if not playbook.stages:
        return empty_svg(name, "Lifecycle", "The playbook defines no stages.")
    layout = _layout(playbook, narrow)
    names = [stage.name for stage in playbook.stages]
    title = "Lifecycle: " + " → ".join(names if len(names) <= 6 else [*names[:2], "…", names[-1]])
    desc = " ".join(_stage_sentence(playbook, stage) for stage in playbook.stages)
    if any(stage.probability is not None for stage in playbook.stages):
        desc += f" A percentage is the {PERCENT_MEANS}."
    markers = arrow_marker(f"{name}-arrow", FORWARD) + arrow_marker(
        f"{name}-arrow-recycle", RECYCLE
    )
    body = [
        *(_edge_element(playbook, route, points, name) for route, points in layout.paths()),
        *(
            _stage_element(playbook, stage, box, link, layout)
            for stage, box in zip(playbook.stages, layout.boxes, strict=True)
        ),
    ]
    legend, height = _legend(
        _lifecycle_legend(playbook), layout.legend_top, layout.width, layout.text, name
    )
    return svg_root(name, layout.width, height, title, desc, markers, [*body, *legend])


_LAYOUTS: list[tuple[Playbook, bool, LifecycleLayout]] = []
"""The layouts of the last playbooks drawn: the front page and the lifecycle page draw the
same lifecycle with different links, and the layout (the routing of the arrows) is most of
the cost."""


def _layout(playbook: Playbook, narrow: bool) -> LifecycleLayout:
    for drawn, was_narrow, layout in _LAYOUTS:
        if drawn is playbook and was_narrow == narrow:
            return layout
    layout = LifecycleLayout(playbook, narrow=narrow)
    _LAYOUTS[:] = [*_LAYOUTS[-3:], (playbook, narrow, layout)]
    return layout


def lifecycle_figure(playbook: Playbook, link: Link | None = None) -> str:
    """Both layouts, wide then narrow, as one block: a page shows one of them.

    The page's style sheet decides which::

        .pb-lifecycle-narrow { display: none; }
        @media screen and (max-width: 44.984375em) {
          svg.pb-lifecycle { display: none; }
          svg.pb-lifecycle-narrow { display: block; }
        }

    A hidden SVG is out of the accessibility tree too, so a screen reader meets one diagram.
    """
    return lifecycle_svg(playbook, link) + "\n" + lifecycle_svg(playbook, link, narrow=True)


def _stage_colours(playbook: Playbook, stage: Stage) -> tuple[str, str]:
    if stage.owner is None:
        return NEUTRAL
    return team_colours(playbook, playbook.team_of(stage.owner))


def _stage_element(
    playbook: Playbook, stage: Stage, box: Box, link: Link | None, layout: LifecycleLayout
) -> str:
    fill, stroke = _stage_colours(playbook, stage)
    parts = [
        f"<title>{esc(stage.name)}</title>",
        box_rect(
            box, {"class": "box", "rx": 6, "fill": fill, "stroke": stroke, "stroke-width": 1.5}
        ),
    ]
    if stage.terminal:
        inner = Box(box.x + 4, box.y + 4, box.w - 8, box.h - 8)
        parts.append(
            box_rect(inner, {"rx": 3, "fill": "none", "stroke": stroke, "stroke-width": 1.5})
        )
    name, small = layout.stage_lines(stage)
    text = layout.text
    y = box.cy - (len(name) * text.name_line + len(small) * text.small_line) / 2
    for line in name:
        y += text.name_line
        parts.append(svg_text(box.cx, y - 4, line, text.name_size, weight="600"))
    for line in small:
        y += text.small_line
        parts.append(svg_text(box.cx, y - 4, line, text.small_size, fill=MUTED))
    classes = "stage terminal" if stage.terminal else "stage"
    group = tag("g", {"class": classes, "data-stage": stage.id}, "".join(parts))
    return linked(group, link(stage.id) if link else None)


def _edge_element(playbook: Playbook, route: Route, points: list[Point], name: str) -> str:
    source, target = playbook.stages[route.source], playbook.stages[route.target]
    style = {"stroke": FORWARD, "marker-end": f"url(#{name}-arrow)"}
    if route.recycle:
        style = {
            "stroke": RECYCLE,
            "stroke-dasharray": "6 4",
            "marker-end": f"url(#{name}-arrow-recycle)",
        }
    attrs = {
        "class": "edge recycle" if route.recycle else "edge",
        "data-from": source.id,
        "data-to": target.id,
        "d": path(points),
        "fill": "none",
        "stroke-width": 1.5,
        **style,
    }
    return tag("path", attrs, f"<title>{esc(source.name)} → {esc(target.name)}</title>")


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
        moves.append(f"goes to {either(forward)}")
    if back:
        moves.append(f"goes back to {either(back)}")
    if stage.terminal:
        moves.append("end stage")
    about = f" ({'; '.join(facts)})" if facts else ""
    return f"{stage.name}{about}: {'; '.join(moves) or 'no next stage'}."


@dataclass(frozen=True, slots=True)
class _LegendEntry:
    kind: str  # "box", "end" (a double border), "line" or "percent"
    fill: str
    stroke: str
    label: str


def _lifecycle_legend(playbook: Playbook) -> list[_LegendEntry]:
    owners = {playbook.team_of(s.owner).id for s in playbook.stages if s.owner is not None}
    entries = [
        _LegendEntry("box", *team_colours(playbook, team), team.name)
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
    if any(stage.probability is not None for stage in playbook.stages):
        entries.append(_LegendEntry("percent", "", MUTED, PERCENT_MEANS))
    return entries


def _legend(
    entries: list[_LegendEntry], top: float, width: float, text: Text, name: str
) -> tuple[list[str], float]:
    """The legend's elements, flowed into lines across ``width``, and the diagram's new bottom."""
    elements: list[str] = []
    size, line = text.small_size, text.small_size + 10.5
    x, y = float(MARGIN), top + 8
    for entry in entries:
        label = truncate(entry.label, 32) if entry.kind == "box" else entry.label
        swatch_w = text_width("n %", size) + 10 if entry.kind == "percent" else 30
        entry_w = swatch_w + text_width(label, size) + 18
        if x > MARGIN and x + entry_w > width - MARGIN:
            x, y = MARGIN, y + line
        elements.append(_swatch(entry, x, y, size, name))
        elements.append(svg_text(x + swatch_w, y + 11, label, size, anchor="start"))
        x += entry_w
    return [tag("g", {"class": "legend"}, "".join(elements))], y + 14 + MARGIN


def _swatch(entry: _LegendEntry, x: float, y: float, size: float, name: str) -> str:
    if entry.kind == "percent":
        return svg_text(x, y + 11, "n %", size, anchor="start", fill=MUTED)
    if entry.kind == "line":
        recycle = entry.stroke == RECYCLE
        attrs = {
            "d": f"M{num(x)},{num(y + 7)}h22",
            "stroke": entry.stroke,
            "stroke-width": 1.5,
            "stroke-dasharray": "6 4" if recycle else None,
            "marker-end": f"url(#{name}-arrow{'-recycle' if recycle else ''})",
        }
        return tag("path", attrs)
    square = box_rect(
        Box(x + 4, y, 14, 14),
        {"rx": 2, "fill": entry.fill, "stroke": entry.stroke, "stroke-width": 1.5},
    )
    if entry.kind == "box":
        return square
    return square + box_rect(Box(x + 7, y + 3, 8, 8), {"fill": "none", "stroke": entry.stroke})
