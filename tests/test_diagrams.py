"""The lifecycle and swimlane SVG diagrams: structure, layout, accessibility, escaping."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagrams import NEUTRAL, PALETTE, TEXT, lifecycle_svg, swimlane_svg
from generator.model import Playbook
from generator.validate import check

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>" onload="x'

TEAMS_AND_ROLES = """\
organisation:
  name: Northwind
teams:
  - {id: marketing, name: Marketing}
  - {id: sales, name: Sales}
  - {id: ops, name: Operations}
  - {id: legal, name: Legal}
roles:
  - {id: marketer, name: Marketer, team: marketing}
  - {id: sdr, name: Sales Development Representative, team: sales}
  - {id: closer, name: Account Executive, team: sales}
  - {id: fulfiller, name: Operations Manager, team: ops}
  - {id: lawyer, name: Counsel, team: legal}
"""

EIGHT_STAGES = """\
stages:
  - {id: cold, name: Cold lead, owner: marketer, next: [warm, lost]}
  - {id: warm, name: Warm lead, owner: marketer, probability: 10, next: [accepted, nurture]}
  - {id: accepted, name: Sales-accepted lead, owner: sdr, next: [qualified, nurture]}
  - {id: qualified, name: Sales-qualified lead, owner: closer, probability: 40}
  - {id: proposal, name: Proposal, owner: closer, next: [won, lost, proposal]}
  - {id: nurture, name: Nurture, next: [warm, lost]}
  - {id: won, name: Closed won, owner: fulfiller, probability: 100, terminal: true}
  - {id: lost, name: Closed lost, owner: closer, probability: 0, terminal: true}
handoffs:
  - id: mql-to-sdr
    from: marketer
    to: sdr
    sla: {accept: 4 business hours, first_contact: 1 business day}
  - {id: sql-to-ae, from: sdr, to: closer, sla: {accept: 1 business day}}
  - {id: won-to-ops, from: closer, to: fulfiller}
"""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load(root: Path, files: dict[str, str]) -> Playbook:
    result = check(write_tree(root, files))
    assert result.playbook is not None, result.errors
    return result.playbook


@pytest.fixture
def eight(tmp_path: Path) -> Playbook:
    return load(tmp_path, {"org.yaml": TEAMS_AND_ROLES, "lifecycle.yaml": EIGHT_STAGES})


def base_data() -> dict[str, Any]:
    return yaml.safe_load(TEAMS_AND_ROLES)


def eight_stages() -> Playbook:
    """The ``eight`` fixture without files, for parametrised tests."""
    return Playbook.model_validate(yaml.safe_load(TEAMS_AND_ROLES + EIGHT_STAGES))


def chain(count: int) -> Playbook:
    """``count`` stages in a row, the last terminal, owners cycling through four teams."""
    owners = ["marketer", "sdr", "fulfiller", "lawyer"]
    stages: list[dict[str, Any]] = [
        {"id": f"s{i}", "name": f"Stage {i}", "owner": owners[i * 4 // count]} for i in range(count)
    ]
    stages[-1]["terminal"] = True
    return Playbook.model_validate({**base_data(), "stages": stages})


def forty() -> Playbook:
    """40 stages with skips to the end, loops back across rows, and two terminal stages."""
    stages: list[dict[str, Any]] = []
    for i in range(40):
        targets = [f"s{i + 1}"] if i < 38 else []
        if i % 7 == 3:
            targets.append("s39")
        if i % 9 == 5 and i > 9:
            targets.append(f"s{i - 8}")
        stages.append({"id": f"s{i}", "name": f"Stage number {i}", "next": targets or None})
    stages[38]["terminal"] = stages[39]["terminal"] = True
    return Playbook.model_validate({**base_data(), "stages": stages})


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def having_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def box_of(stage: ET.Element) -> tuple[float, float, float, float]:
    rect = next(el for el in stage.iter(f"{SVG}rect") if el.get("class") == "box")
    x, y, w, h = (float(rect.get(key, "nan")) for key in ("x", "y", "width", "height"))
    return x, y, w, h


def view_box(root: ET.Element) -> tuple[float, ...]:
    return tuple(float(value) for value in root.get("viewBox", "").split())


def texts(element: ET.Element) -> list[str]:
    return [el.text or "" for el in element.iter(f"{SVG}text")]


def path_points(d: str) -> list[tuple[float, float]]:
    """The points of an orthogonal path (its rounded corners are quadratic curves whose
    control point is the corner, so consecutive points are joined by straight segments)."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def crosses_interior(
    a: tuple[float, float], b: tuple[float, float], box: tuple[float, ...]
) -> bool:
    x, y, w, h = box
    left, right = min(a[0], b[0]), max(a[0], b[0])
    top, bottom = min(a[1], b[1]), max(a[1], b[1])
    return left < x + w - 0.5 and right > x + 0.5 and top < y + h - 0.5 and bottom > y + 0.5


def transitions(playbook: Playbook) -> set[tuple[str, str]]:
    return {(s.id, t) for s in playbook.stages for t in playbook.next_stages(s)}


def test_lifecycle_is_a_sized_accessible_svg_block(eight: Playbook) -> None:
    svg = lifecycle_svg(eight)
    root = parse(svg)

    assert svg.startswith("<svg") and "\n\n" not in svg
    assert not any(line[:1].isspace() for line in svg.splitlines())
    assert root.get("role") == "group"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    assert desc is not None and root.get("aria-describedby") == desc.get("id")
    assert title.text == "Lifecycle: Cold lead → Warm lead → … → Closed lost"
    _, _, width, height = view_box(root)
    assert (float(root.get("width", 0)), float(root.get("height", 0))) == (width, height)
    assert width > 0 and height > 0
    assert "system-ui" in root.get("font-family", "")


def test_lifecycle_description_says_where_every_stage_goes(eight: Playbook) -> None:
    desc = parse(lifecycle_svg(eight)).find(f"{SVG}desc")

    assert desc is not None and desc.text is not None
    assert "Cold lead (owner Marketer, Marketing): goes to Warm lead or Closed lost." in desc.text
    assert "Nurture: goes to Closed lost; goes back to Warm lead." in desc.text
    assert "Closed won (owner Operations Manager, Operations; 100 %): end stage." in desc.text


def test_one_stage_node_per_stage_and_one_edge_per_transition(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    stages = [el.get("data-stage") for el in having_class(root, "stage")]
    edges = {(el.get("data-from"), el.get("data-to")) for el in having_class(root, "edge")}
    assert stages == [stage.id for stage in eight.stages]
    assert len(having_class(root, "edge")) == len(transitions(eight)) == 12
    assert edges == transitions(eight)


def test_recycle_edges_are_dashed_and_marked(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    recycled = {(el.get("data-from"), el.get("data-to")) for el in having_class(root, "recycle")}
    assert recycled == eight.recycle_edges == {("nurture", "warm"), ("proposal", "proposal")}
    for edge in having_class(root, "edge"):
        assert (edge.get("stroke-dasharray") is not None) == ("recycle" in edge.get("class", ""))


@pytest.mark.parametrize(("draw", "arrows"), [(lifecycle_svg, "edge"), (swimlane_svg, "handoff")])
def test_every_arrow_has_a_defined_arrowhead(draw: Any, arrows: str, eight: Playbook) -> None:
    root = parse(draw(eight))

    markers = {el.get("id") for el in root.iter(f"{SVG}marker")}
    paths = [path for el in having_class(root, arrows) for path in el.iter(f"{SVG}path")]
    assert len(paths) in (len(transitions(eight)), len(eight.handoffs))
    for path in paths:
        head = path.get("marker-end", "")
        assert head.startswith("url(#") and head[5:-1] in markers


@pytest.mark.parametrize("count", [1, 3, 8, 12, 40])
def test_boxes_never_overlap_and_stay_inside_the_view_box(count: int) -> None:
    root = parse(lifecycle_svg(chain(count)))

    boxes = [box_of(stage) for stage in having_class(root, "stage")]
    _, _, width, height = view_box(root)
    assert len(boxes) == count
    for index, (x, y, w, h) in enumerate(boxes):
        assert 0 <= x and x + w <= width and 0 <= y and y + h <= height
        for other in boxes[index + 1 :]:
            assert not crosses_interior((x, y), (x + w, y + h), other)


def test_forty_stages_wrap_into_rows_without_shrinking_the_text() -> None:
    root = parse(lifecycle_svg(forty()))

    tops = [box_of(stage)[1] for stage in having_class(root, "stage")]
    sizes = {el.get("font-size") for stage in having_class(root, "stage") for el in stage.iter()}
    assert max(tops.count(top) for top in tops) <= 3, "rows of up to three fit a page column"
    assert len(set(tops)) in (14, 20)
    assert sizes <= {None, "13", "11.5"}


@pytest.mark.parametrize("make", [forty, lambda: chain(3), lambda: eight_stages()])
def test_no_edge_runs_through_a_box(make: Any) -> None:
    root = parse(lifecycle_svg(make()))

    boxes = [box_of(stage) for stage in having_class(root, "stage")]
    _, _, width, height = view_box(root)
    for edge in having_class(root, "edge"):
        points = path_points(edge.get("d", ""))
        for a, b in itertools.pairwise(points):
            assert a[0] == b[0] or a[1] == b[1], "segments are horizontal or vertical"
            assert not any(crosses_interior(a, b, box) for box in boxes), edge.get("d")
            assert 0 <= min(a[0], b[0]) and max(a[0], b[0]) <= width
            assert 0 <= min(a[1], b[1]) and max(a[1], b[1]) <= height


def test_edges_start_and_end_on_their_stages(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    boxes = {stage.get("data-stage"): box_of(stage) for stage in having_class(root, "stage")}
    for edge in having_class(root, "edge"):
        points = path_points(edge.get("d", ""))
        for (px, py), stage in (
            (points[0], edge.get("data-from")),
            (points[-1], edge.get("data-to")),
        ):
            x, y, w, h = boxes[stage]
            assert x <= px <= x + w and y <= py <= y + h
            assert px in (x, x + w) or py in (y, y + h), "on the border"


def test_terminal_stages_have_a_double_border_and_an_end_marker(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    terminal = {el.get("data-stage"): el for el in having_class(root, "terminal")}
    assert set(terminal) == {"won", "lost"}
    for stage in having_class(root, "stage"):
        is_terminal = stage.get("data-stage") in terminal
        assert ("■ end" in texts(stage)) == is_terminal
        assert len(stage.findall(f"{SVG}rect")) == (2 if is_terminal else 1)


def test_probability_is_shown_under_the_name(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    shown = {el.get("data-stage"): texts(el) for el in having_class(root, "stage")}
    assert shown["qualified"] == ["Sales-qualified", "lead", "40 %"]
    assert shown["lost"] == ["Closed lost", "0 %", "■ end"]
    assert shown["cold"] == ["Cold lead"]


def test_stages_are_filled_by_team_and_the_legend_names_the_teams(eight: Playbook) -> None:
    root = parse(lifecycle_svg(eight))

    fills = {
        el.get("data-stage"): next(r.get("fill") for r in el.iter(f"{SVG}rect"))
        for el in having_class(root, "stage")
    }
    assert fills["cold"] == fills["warm"] == PALETTE[0][0]
    assert fills["accepted"] == fills["qualified"] == PALETTE[1][0]
    assert fills["won"] == PALETTE[2][0]
    assert fills["nurture"] == NEUTRAL[0]
    legend = texts(having_class(root, "legend")[0])
    assert legend[:4] == ["Marketing", "Sales", "Operations", "No owner"]
    assert "Legal" not in legend


def test_long_names_wrap_onto_three_lines_then_end_with_an_ellipsis() -> None:
    name = "An extraordinarily long stage name that no reasonable box could ever hold on one line"
    playbook = Playbook.model_validate(
        {**base_data(), "stages": [{"id": "long", "name": name}, {"id": "b", "name": "B"}]}
    )
    root = parse(lifecycle_svg(playbook))

    stage = having_class(root, "stage")[0]
    lines = texts(stage)
    _, _, width, _ = box_of(stage)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) * 7 <= width - 16 for line in lines)
    assert " ".join(lines).rstrip("…") in name
    assert stage.findtext(f"{SVG}title") == name


def test_boxes_link_to_their_stage_pages_only_when_asked(eight: Playbook) -> None:
    linked = parse(lifecycle_svg(eight, link=lambda sid: f"lifecycle/{sid}/"))
    plain = parse(lifecycle_svg(eight))

    hrefs = [(a.get("href"), a[0].get("data-stage")) for a in linked.iter(f"{SVG}a")]
    assert hrefs == [(f"lifecycle/{s.id}/", s.id) for s in eight.stages]
    assert list(plain.iter(f"{SVG}a")) == []


def hostile_playbook() -> Playbook:
    data = base_data()
    data["teams"][0]["name"] = HOSTILE
    data["roles"][0]["name"] = HOSTILE
    data["stages"] = [
        {"id": "a", "name": HOSTILE, "owner": "marketer"},
        {"id": "b", "name": "Line one\n\nline two", "terminal": True},
    ]
    data["handoffs"] = [{"id": "h", "from": "marketer", "to": "sdr", "sla": {"accept": "1 day"}}]
    return Playbook.model_validate(data)


@pytest.mark.parametrize("draw", [lifecycle_svg, swimlane_svg])
def test_user_text_is_escaped_never_markup(draw: Any) -> None:
    svg = draw(hostile_playbook(), link=lambda _: '" onmouseover="x')
    root = parse(svg)

    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert not [el for el in root.iter() if {"onload", "onmouseover"} & set(el.attrib)]
    assert {a.get("href") for a in root.iter(f"{SVG}a")} == {'" onmouseover="x'}
    assert '<script>alert(1)</script>" onload="x' in (root.findtext(f"{SVG}desc") or "")
    assert "\n\n" not in svg


def test_a_name_with_blank_lines_stays_on_one_line() -> None:
    root = parse(lifecycle_svg(hostile_playbook()))

    assert having_class(root, "stage")[1].findtext(f"{SVG}title") == "Line one line two"


def test_the_palette_keeps_text_readable() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for fill, _ in (*PALETTE, NEUTRAL):
        lighter, darker = sorted((luminance(fill), luminance(TEXT)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, fill
    assert len({fill for fill, _ in PALETTE}) == len(PALETTE)


@pytest.mark.parametrize("draw", [lifecycle_svg, swimlane_svg])
def test_the_same_playbook_gives_the_same_bytes(draw: Any, eight: Playbook) -> None:
    assert draw(eight) == draw(eight)
    assert draw(forty()) == draw(forty())


@pytest.mark.parametrize("draw", [lifecycle_svg, swimlane_svg])
def test_an_empty_playbook_still_gives_valid_svg(draw: Any) -> None:
    root = parse(draw(Playbook.model_validate({"organisation": {"name": "Empty"}})))

    assert root.get("role") == "group" and float(root.get("width", 0)) > 0


def test_swimlane_has_one_lane_per_team_involved_in_a_handoff(eight: Playbook) -> None:
    root = parse(swimlane_svg(eight))

    lanes = having_class(root, "lane")
    assert [lane.get("data-team") for lane in lanes] == ["marketing", "sales", "ops"]
    assert [texts(lane) for lane in lanes] == [["Marketing"], ["Sales"], ["Operations"]]
    assert root.findtext(f"{SVG}title") == "Handoffs between Marketing, Sales and Operations"


def test_swimlane_draws_one_labelled_arrow_per_handoff(eight: Playbook) -> None:
    root = parse(swimlane_svg(eight))

    handoffs = having_class(root, "handoff")
    assert [h.get("data-handoff") for h in handoffs] == ["mql-to-sdr", "sql-to-ae", "won-to-ops"]
    assert [len(h.findall(f"{SVG}path")) for h in handoffs] == [1, 1, 1]
    assert texts(handoffs[0]) == [
        "Marketer",
        "Sales Development",
        "Representative",
        "accept:",
        "4 business hours",
    ]
    assert texts(handoffs[2]) == ["Account Executive", "Operations Manager"]


def test_swimlane_arrows_run_from_the_sender_lane_to_the_receiver_lane(eight: Playbook) -> None:
    root = parse(swimlane_svg(eight))

    lanes = {
        lane.get("data-team"): (
            float(rect.get("y", 0)),
            float(rect.get("y", 0)) + float(rect.get("height", 0)),
        )
        for lane in having_class(root, "lane")
        for rect in lane.findall(f"{SVG}rect")[:1]
    }
    teams = {"marketer": "marketing", "sdr": "sales", "closer": "sales", "fulfiller": "ops"}
    for handoff in having_class(root, "handoff"):
        arrow = handoff.find(f"{SVG}path")
        assert arrow is not None
        (_, start), *_, (_, end) = path_points(arrow.get("d", ""))
        top, bottom = lanes[teams[handoff.get("data-from", "")]]
        assert top <= start <= bottom
        top, bottom = lanes[teams[handoff.get("data-to", "")]]
        assert top <= end <= bottom


def test_swimlane_describes_every_handoff_in_words(eight: Playbook) -> None:
    desc = parse(swimlane_svg(eight)).findtext(f"{SVG}desc") or ""

    assert desc.startswith(
        "1. Marketer (Marketing) hands over to Sales Development Representative (Sales); "
        "accept within 4 business hours, first contact within 1 business day. 2. "
    )
    assert "3. Account Executive (Sales) hands over to Operations Manager (Operations)." in desc


def test_a_routed_handoff_ends_in_its_last_routes_lane_naming_every_route(
    tmp_path: Path,
) -> None:
    routed = """\
    handoffs:
      - id: inbound
        name: Inbound routing
        from: marketer
        to:
          - {role: closer, when: the account is open}
          - {role: sdr}
        sla:
          first_touch: {within: 15 business minutes, target: 5 business minutes, label: FT}
    """
    playbook = load(tmp_path, {"org.yaml": TEAMS_AND_ROLES, "routes.yaml": routed})
    root = parse(swimlane_svg(playbook))

    (handoff,) = having_class(root, "handoff")
    assert handoff.get("data-to") == "sdr"
    assert "Account Executive /" in " ".join(texts(handoff))
    assert texts(handoff)[-2] == "FT:" and texts(handoff)[-1].startswith("15 business min")
    assert root.findtext(f"{SVG}desc") == (
        "1. Inbound routing: Marketer (Marketing) hands over to Account Executive (Sales) if "
        "the account is open or Sales Development Representative (Sales) otherwise; "
        "FT within 15 business minutes."
    )


def test_swimlane_links_each_handoff_when_asked(eight: Playbook) -> None:
    root = parse(swimlane_svg(eight, link=lambda hid: f"handoffs/{hid}/"))

    hrefs = [(a.get("href"), a[0].get("data-handoff")) for a in root.iter(f"{SVG}a")]
    assert hrefs == [(f"handoffs/{h.id}/", h.id) for h in eight.handoffs]


def test_swimlane_with_300_handoffs_is_valid_and_grows_wider() -> None:
    roles = ["marketer", "sdr", "closer", "fulfiller"]
    handoffs = [
        {"id": f"h{i}", "from": roles[i % 4], "to": roles[(i + 1) % 4], "sla": {"ack": "1 day"}}
        for i in range(300)
    ]

    def drawn(count: int) -> ET.Element:
        data = {**base_data(), "handoffs": handoffs[:count]}
        return parse(swimlane_svg(Playbook.model_validate(data)))

    many = drawn(300)
    column = view_box(drawn(3))[2] - view_box(drawn(2))[2]
    assert len(having_class(many, "handoff")) == 300
    assert view_box(many)[2] == pytest.approx(view_box(drawn(3))[2] + 297 * column)
    assert view_box(many)[3] == view_box(drawn(3))[3]


def test_the_output_does_not_depend_on_hash_randomisation(tmp_path: Path) -> None:
    write_tree(tmp_path, {"org.yaml": TEAMS_AND_ROLES, "lifecycle.yaml": EIGHT_STAGES})
    script = (
        "import sys; from generator.validate import check; "
        "from generator.diagrams import lifecycle_svg, swimlane_svg; "
        "p = check(sys.argv[1]).playbook; print(lifecycle_svg(p) + swimlane_svg(p))"
    )

    def drawn(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", script, str(tmp_path)]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    assert drawn("1") == drawn("2") != ""
