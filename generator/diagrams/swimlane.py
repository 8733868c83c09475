"""The handoff swimlane: a lane per team, a column per handoff."""

from __future__ import annotations

from ..model import Handoff, Playbook, Team
from .svg import (
    FONT,
    FORWARD,
    LABEL_LINE,
    LABEL_SIZE,
    MARGIN,
    MUTED,
    NAME_LINE,
    NAME_SIZE,
    TEXT,
    Box,
    Link,
    arrow_marker,
    box_rect,
    chars,
    either,
    empty_svg,
    esc,
    linked,
    path,
    svg_root,
    svg_text,
    tag,
    team_colours,
    wrap,
)

LANE_LABEL_W = 150
LANE_H = 140
COLUMN_W = 164
PILL_W = 136
PILL_H = 36
PILL_INSET = 10
ARROW_DX = 10
BOLD = 1.1
"""How much wider semibold text runs than the width estimate."""
ROUTED_LINES = 5
"""Lines a routed handoff's box may take to name every route's role."""


def swimlane_svg(playbook: Playbook, link: Link | None = None) -> str:
    """The handoffs as an SVG swimlane.

    One horizontal lane per team with a role in a handoff (in team order, labelled with the
    team name), one column per handoff (in order). Each handoff is an arrow from the sending
    role's lane to the receiving role's lane, with the role names at both ends and its first
    SLA clock beside the arrow ("accept: 4 business hours", wrapped, never cut). A routed
    handoff ends in the lane of its last route (the role that receives it when no condition
    applies) in a dashed box marked "routed:" naming every route's role ("BDR / AE / SDR").

    The width grows by ``COLUMN_W`` per handoff and the text is never shrunk, so past about
    30 handoffs the diagram is valid but very wide; a caller may prefer a table there.

    Args:
        playbook: The validated playbook.
        link: Maps a handoff id to the URL its column links to; no links when ``None``.

    Returns:
        The ``<svg>`` element as one block of text with no blank lines. Test hooks: each lane
        is a ``g.lane`` with ``data-team``; each handoff a ``g.handoff`` with
        ``data-handoff``, ``data-from`` and ``data-to`` (and ``data-routed`` when routed).
    """
    if not playbook.handoffs:
        return empty_svg("pb-swimlane", "Handoffs", "The playbook defines no handoffs.")
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
    title = "Handoffs between " + either([team.name for team in lanes], "and")
    desc = " ".join(
        f"{index}. {_handoff_sentence(playbook, handoff)}"
        for index, handoff in enumerate(playbook.handoffs, start=1)
    )
    marker = arrow_marker("pb-swimlane-arrow", FORWARD)
    return svg_root("pb-swimlane", width, height, title, desc, marker, body)


def swimlane_figure(playbook: Playbook, link: Link | None = None) -> str:
    """The swimlane with a copy of its lane labels laid over it, for a page that scrolls it.

    The copy is a second, narrow SVG hidden from assistive technology; the page's style
    sheet stacks both in one grid cell and makes the copy sticky, so the team names stay in
    view while the drawing scrolls sideways::

        .pb-swimlane-grid { display: grid; width: max-content; }
        .pb-swimlane-grid > svg { grid-area: 1 / 1; }
        .pb-swimlane-grid > svg.pb-swimlane-lanes { position: sticky; left: 0; }
    """
    drawing = swimlane_svg(playbook, link)
    if not playbook.handoffs:
        return drawing
    lanes = _lanes(playbook)
    width = MARGIN + LANE_LABEL_W - 10
    height = 2 * MARGIN + len(lanes) * LANE_H
    labels = [_lane_label(playbook, team, index) for index, team in enumerate(lanes)]
    attrs = {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": "pb-swimlane-lanes",
        "aria-hidden": "true",
        "viewBox": f"0 0 {width} {height}",
        "width": width,
        "height": height,
        "font-family": FONT,
        "font-size": NAME_SIZE,
    }
    background = tag("rect", {"width": width, "height": height, "fill": "#ffffff"})
    overlay = tag("svg", attrs, background + "".join(labels))
    return f'<div class="pb-swimlane-grid">{drawing}{overlay}</div>'


def _lanes(playbook: Playbook) -> list[Team]:
    involved = {
        playbook.team_of(role).id for h in playbook.handoffs for role in (h.from_, h.receiver)
    }
    return [team for team in playbook.teams if team.id in involved]


def _lane_element(playbook: Playbook, team: Team, index: int, width: float) -> str:
    lane = Box(MARGIN, _lane_y(index), width - 2 * MARGIN, LANE_H)
    parts = [
        box_rect(lane, {"fill": "#f9fafb" if index % 2 else "#ffffff", "stroke": "#d1d5db"}),
        _lane_label(playbook, team, index),
    ]
    return tag("g", {"class": "lane", "data-team": team.id}, "".join(parts))


def _lane_label(playbook: Playbook, team: Team, index: int) -> str:
    fill, stroke = team_colours(playbook, team)
    label = Box(MARGIN, _lane_y(index), LANE_LABEL_W - 10, LANE_H)
    parts = [box_rect(label, {"fill": fill, "stroke": stroke, "stroke-width": 1.5})]
    lines = wrap(team.name, chars(label.w - 16, NAME_SIZE), 3)
    top = label.cy - len(lines) * NAME_LINE / 2
    for number, line in enumerate(lines, start=1):
        parts.append(
            svg_text(label.cx, top + number * NAME_LINE - 4, line, NAME_SIZE, weight="600")
        )
    return "".join(parts)


def _handoff_element(
    playbook: Playbook, handoff: Handoff, index: int, lane_of: dict[str, int], link: Link | None
) -> str:
    sender, receiver = playbook.role(handoff.from_), playbook.role(handoff.receiver)
    receivers = " / ".join(dict.fromkeys(playbook.role(r.role).name for r in handoff.routes))
    routed = len(handoff.routes) > 1
    column_x = MARGIN + LANE_LABEL_W + index * COLUMN_W + (COLUMN_W - PILL_W) / 2
    from_lane, to_lane = lane_of[sender.team], lane_of[receiver.team]
    from_pill, to_pill = _pills(column_x, from_lane, to_lane)
    to_name = f"routed: {receivers}" if routed else receivers
    # A routed box may grow to name every route, where the lanes leave room (not within one).
    most = ROUTED_LINES if routed and from_lane != to_lane else 2
    lines = len(wrap(to_name, chars(PILL_W - 12, LABEL_SIZE), most))
    if lines > 2:
        height = lines * LABEL_LINE + 8
        to_pill = Box(to_pill.x, to_pill.cy - height / 2, PILL_W, height)
    down = to_pill.y > from_pill.y
    arrow_x = column_x + ARROW_DX
    start = (arrow_x, from_pill.bottom if down else from_pill.y)
    end = (arrow_x, to_pill.y if down else to_pill.bottom)
    parts = [
        f"<title>{esc(_handoff_sentence(playbook, handoff))}</title>",
        tag(
            "path",
            {
                "d": path([start, end]),
                "stroke": FORWARD,
                "stroke-width": 1.5,
                "marker-end": "url(#pb-swimlane-arrow)",
            },
        ),
        _pill(playbook, from_pill, sender.name, sender.team),
        _pill(playbook, to_pill, to_name, receiver.team, dashed=routed, lines=most),
    ]
    if handoff.sla:
        right = MARGIN + LANE_LABEL_W + (index + 1) * COLUMN_W - 2
        parts.append(_sla_label(handoff, arrow_x + 6, (start[1], end[1]), right))
    attrs = {
        "class": "handoff",
        "data-handoff": handoff.id,
        "data-from": sender.id,
        "data-to": receiver.id,
    }
    if routed:
        attrs["data-routed"] = "true"
    return linked(tag("g", attrs, "".join(parts)), link(handoff.id) if link else None)


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


def _pill(
    playbook: Playbook, box: Box, name: str, team_id: str, dashed: bool = False, lines: int = 2
) -> str:
    fill, stroke = team_colours(playbook, playbook.team(team_id))
    text = wrap(name, chars(box.w - 12, LABEL_SIZE), lines)
    style: dict[str, str | float] = {"rx": 8, "fill": fill, "stroke": stroke, "stroke-width": 1.2}
    if dashed:
        style["stroke-dasharray"] = "5 3"
    rect = box_rect(box, style)
    top = box.cy - len(text) * LABEL_LINE / 2
    texts = [
        svg_text(box.cx, top + number * LABEL_LINE - 3.5, line, LABEL_SIZE)
        for number, line in enumerate(text, start=1)
    ]
    return rect + "".join(texts)


def _sla_label(handoff: Handoff, x: float, ends: tuple[float, float], right: float) -> str:
    """The first clock beside the arrow, wrapped to the column; never cut short."""
    clock = handoff.clocks[0]
    width = chars(right - x - 4, LABEL_SIZE)
    head = wrap(clock.label + ":", width, 9)
    value = wrap(str(clock.within), chars(right - x - 4, LABEL_SIZE * BOLD), 9)
    lines: list[tuple[str, str, str | None]] = [(line, MUTED, None) for line in head]
    lines += [(line, TEXT, "600") for line in value]
    middle = (ends[0] + ends[1]) / 2
    height = len(lines) * LABEL_LINE + 4
    top = middle - height / 2
    halo = {"rx": 3, "fill": "#ffffff", "fill-opacity": 0.9}
    background = box_rect(Box(x - 3, top, right - x + 3, height), halo)
    texts = [
        svg_text(
            x,
            top + 2 + number * LABEL_LINE - 3,
            line,
            LABEL_SIZE,
            anchor="start",
            fill=fill,
            weight=weight,
        )
        for number, (line, fill, weight) in enumerate(lines, start=1)
    ]
    return tag("g", {"class": "sla"}, background + "".join(texts))


def _handoff_sentence(playbook: Playbook, handoff: Handoff) -> str:
    sender = playbook.role(handoff.from_)
    receivers = []
    for route in handoff.routes:
        role = playbook.role(route.role)
        words = f"{role.name} ({playbook.team_of(role).name})"
        if route.when is not None:
            words += f" if {route.when}"
        elif len(handoff.routes) > 1:
            words += " otherwise"
        receivers.append(words)
    stage = f" at {playbook.stage(handoff.stage).name}" if handoff.stage is not None else ""
    text = f"{sender.name} ({playbook.team_of(sender).name}) hands over"
    if len(handoff.routes) > 1:
        text += f"{stage} to {either(receivers)}"
    else:
        text += f" to {receivers[0]}{stage}"
    if handoff.name is not None:
        text = f"{handoff.name}: {text}"
    if handoff.sla:
        clocks = [f"{clock.label} within {clock.within}" for clock in handoff.clocks]
        text += f"; {', '.join(clocks)}"
    return text + "."
