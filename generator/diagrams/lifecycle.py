"""The lifecycle diagram: stages as boxes in rows, transitions routed between them."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Playbook, Stage
from .layout import LifecycleLayout, Route, stage_lines
from .svg import (
    FORWARD,
    MARGIN,
    MUTED,
    NAME_LINE,
    NAME_SIZE,
    NEUTRAL,
    RECYCLE,
    SMALL_LINE,
    SMALL_SIZE,
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
        return empty_svg("pb-lifecycle", "Lifecycle", "The playbook defines no stages.")
    layout = LifecycleLayout(playbook)
    names = [stage.name for stage in playbook.stages]
    title = "Lifecycle: " + " → ".join(names if len(names) <= 6 else [*names[:2], "…", names[-1]])
    desc = " ".join(_stage_sentence(playbook, stage) for stage in playbook.stages)
    markers = arrow_marker("pb-lifecycle-arrow", FORWARD) + arrow_marker(
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
    return svg_root("pb-lifecycle", layout.width, height, title, desc, markers, [*body, *legend])


def _stage_colours(playbook: Playbook, stage: Stage) -> tuple[str, str]:
    if stage.owner is None:
        return NEUTRAL
    return team_colours(playbook, playbook.team_of(stage.owner))


def _stage_element(playbook: Playbook, stage: Stage, box: Box, link: Link | None) -> str:
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
    name, small = stage_lines(stage)
    y = box.cy - (len(name) * NAME_LINE + len(small) * SMALL_LINE) / 2
    for line in name:
        y += NAME_LINE
        parts.append(svg_text(box.cx, y - 4, line, NAME_SIZE, weight="600"))
    for line in small:
        y += SMALL_LINE
        parts.append(svg_text(box.cx, y - 4, line, SMALL_SIZE, fill=MUTED))
    classes = "stage terminal" if stage.terminal else "stage"
    group = tag("g", {"class": classes, "data-stage": stage.id}, "".join(parts))
    return linked(group, link(stage.id) if link else None)


def _edge_element(playbook: Playbook, route: Route, points: list[Point]) -> str:
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
    kind: str  # "box", "end" (a double border) or "line"
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
    return entries


def _legend(entries: list[_LegendEntry], top: float, width: float) -> tuple[list[str], float]:
    """The legend's elements, flowed into lines across ``width``, and the diagram's new bottom."""
    elements: list[str] = []
    x, y = float(MARGIN), top + 8
    for entry in entries:
        label = truncate(entry.label, 32)
        entry_w = 30 + text_width(label, SMALL_SIZE) + 18
        if x > MARGIN and x + entry_w > width - MARGIN:
            x, y = MARGIN, y + 22
        elements.append(_swatch(entry, x, y))
        elements.append(svg_text(x + 30, y + 11, label, SMALL_SIZE, anchor="start"))
        x += entry_w
    return [tag("g", {"class": "legend"}, "".join(elements))], y + 14 + MARGIN


def _swatch(entry: _LegendEntry, x: float, y: float) -> str:
    if entry.kind == "line":
        recycle = entry.stroke == RECYCLE
        attrs = {
            "d": f"M{num(x)},{num(y + 7)}h22",
            "stroke": entry.stroke,
            "stroke-width": 1.5,
            "stroke-dasharray": "6 4" if recycle else None,
            "marker-end": f"url(#pb-lifecycle-arrow{'-recycle' if recycle else ''})",
        }
        return tag("path", attrs)
    square = box_rect(
        Box(x + 4, y, 14, 14),
        {"rx": 2, "fill": entry.fill, "stroke": entry.stroke, "stroke-width": 1.5},
    )
    if entry.kind == "box":
        return square
    return square + box_rect(Box(x + 7, y + 3, 8, 8), {"fill": "none", "stroke": entry.stroke})
