"""A person can trace the lifecycle diagram: no two arrows share a track, few cross, the
percentages are explained, and a narrow layout keeps the text readable on a phone.

The figures, measured on the drawn SVG (crossings / pairs of overlapping arrows):

======================  ========  ===========  ===========
playbook                before    wide after   narrow after
======================  ========  ===========  ===========
example (playbook/)     45 / 4    3 / 0        2 / 0
agency starter          5 / 0     0 / 0        0 / 0
b2b starter             18 / 0    1 / 0        0 / 0
small-business starter  1 / 0     0 / 0        0 / 0
synthetic M, seed 1     6 / 0     1 / 0        0 / 0
synthetic L, seed 1     28 / 3    4 / 0        0 / 0
synthetic XL, seed 1    81 / 16   6 / 0        4 / 0
======================  ========  ===========  ===========

"Before" is the layout this one replaced (every meeting point counts; 12 of the example's 45
were arrows merging into a shared track). The bounds below leave a little room for changes
to the example playbooks.
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import load_synth as _synth

from generator.diagrams import lifecycle_figure, lifecycle_svg
from generator.diagrams.layout import COLUMN_WIDTH, EFFORT, NARROW_WIDTH, LifecycleLayout
from generator.diagrams.lifecycle import PERCENT_MEANS
from generator.diagrams.measure import (
    Tangle,
    crossings_by_arrow,
    measure,
    measure_svg,
    path_points,
    svg_arrows,
)
from generator.diagrams.router import SWEEPS, Edge, Router
from generator.diagrams.svg import path
from generator.model import Playbook
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
PHONE_COLUMN = 358  # the page column of a 390 px wide screen
SMALLEST_TEXT = 11


def synthetic(size: str, seed: int = 1) -> Playbook:
    """The teams, roles and lifecycle of a seeded synthetic playbook (no activities)."""
    data: dict[str, Any] = {}
    for sections in _synth().generate(size, seed).values():
        for key, value in sections.items():
            if key in ("organisation", "teams", "roles", "stages"):
                data[key] = data.get(key, []) + value if isinstance(value, list) else value
    return Playbook.model_validate(data)


def loaded(folder: Path) -> Playbook:
    playbook = check(folder).playbook
    assert playbook is not None
    return playbook


# (name, playbook, most crossings wide, most crossings narrow)
CASES: list[tuple[str, Any, int, int]] = [
    ("example", lambda: loaded(ROOT / "playbook"), 4, 4),
    ("agency", lambda: loaded(ROOT / "generator/examples/agency/playbook"), 1, 1),
    ("b2b", lambda: loaded(ROOT / "generator/examples/b2b/playbook"), 2, 1),
    ("small-business", lambda: loaded(ROOT / "generator/examples/small-business/playbook"), 1, 1),
    ("synthetic M", lambda: synthetic("M"), 2, 1),
    ("synthetic L", lambda: synthetic("L"), 6, 2),
    ("synthetic XL", lambda: synthetic("XL"), 10, 6),
]


@pytest.fixture(scope="module", params=CASES, ids=[case[0] for case in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, Playbook, int, int]:
    name, make, wide, narrow = request.param
    return name, make(), wide, narrow


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def stages_of(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if "stage" in group.get("class", "").split():
            rect = next(r for r in group.iter(f"{SVG}rect") if r.get("class") == "box")
            boxes[group.get("data-stage", "")] = tuple(
                float(rect.get(key, "nan")) for key in ("x", "y", "width", "height")
            )
    return boxes  # type: ignore[return-value]


def edges_of(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}path") if "edge" in el.get("class", "").split()]


def font_sizes(root: ET.Element) -> list[float]:
    return [
        float(el.get("font-size", root.get("font-size", "0"))) for el in root.iter(f"{SVG}text")
    ]


# Measuring


def test_a_crossing_counts_once_per_meeting_point() -> None:
    plus = [[(0, 5), (10, 5)], [(5, 0), (5, 10)]]
    twice = [[(0, 5), (30, 5), (30, 15), (0, 15)], [(5, 0), (5, 20)]]

    assert measure(plus) == Tangle(crossings=1, overlaps=0)
    assert measure(twice) == Tangle(crossings=2, overlaps=0)
    assert crossings_by_arrow(twice) == [2, 2]
    assert measure([[(0, 0), (10, 0), (10, 10), (0, 10), (0, 5), (20, 5)]]).crossings == 0


def test_parallel_arrows_closer_than_the_gap_overlap() -> None:
    def tangle(other: list[tuple[float, float]]) -> Tangle:
        return measure([[(0, 0), (100, 0)], other])

    assert tangle([(50, 4), (200, 4)]) == Tangle(0, 1), "side by side, 4 apart"
    assert tangle([(50, 8), (200, 8)]) == Tangle(0, 0), "8 apart is a readable gap"
    assert tangle([(100, 4), (200, 4)]) == Tangle(0, 0), "close, but never side by side"
    assert tangle([(104, 0), (200, 0)]) == Tangle(0, 1), "one line, 4 apart"
    assert tangle([(120, 0), (200, 0)]) == Tangle(0, 0), "one line, well apart"
    assert tangle([(200, 0), (40, 0)]) == Tangle(0, 1), "on top of each other"


def test_slanted_segments_are_refused() -> None:
    with pytest.raises(ValueError, match="slanted"):
        measure([[(0, 0), (10, 10)]])


def test_measuring_reads_the_drawn_paths() -> None:
    corners = [(0.0, 0.0), (0.0, 40.0), (60.0, 40.0), (60.0, 80.0)]
    svg = (
        f'<svg><path class="edge" d="{path(corners)}"/>'
        '<path class="edge recycle" d="M30,0L30,100"/><path class="other" d="M0,60L100,60"/></svg>'
    )

    drawn = svg_arrows(svg)
    assert len(drawn) == 2
    assert [p for p in drawn[0] if p in corners] == corners
    assert path_points("M1.5,2L3,4") == [(1.5, 2.0), (3.0, 4.0)]
    assert measure_svg(svg) == Tangle(crossings=1, overlaps=0)


# The playbooks


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_no_two_arrows_share_a_track_and_few_cross(
    case: tuple[str, Playbook, int, int], narrow: bool
) -> None:
    name, playbook, most_wide, most_narrow = case
    tangle = measure_svg(lifecycle_svg(playbook, narrow=narrow))

    assert tangle.overlaps == 0, name
    assert tangle.crossings <= (most_narrow if narrow else most_wide), (name, tangle)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_arrows_run_between_boxes_from_border_to_border(
    case: tuple[str, Playbook, int, int], narrow: bool
) -> None:
    check_geometry(case[1], narrow)


def check_geometry(playbook: Playbook, narrow: bool) -> None:
    root = parse(lifecycle_svg(playbook, narrow=narrow))
    boxes = stages_of(root)
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    transitions = {(s.id, t) for s in playbook.stages for t in playbook.next_stages(s)}
    assert {(e.get("data-from"), e.get("data-to")) for e in edges_of(root)} == transitions
    ends: list[tuple[float, float]] = []
    for edge in edges_of(root):
        points = path_points(edge.get("d", ""))
        for a, b in itertools.pairwise(points):
            assert a[0] == b[0] or a[1] == b[1], "horizontal or vertical"
            assert 0 <= min(a[0], b[0]) and max(a[0], b[0]) <= width
            assert 0 <= min(a[1], b[1]) and max(a[1], b[1]) <= height
            for x, y, w, h in boxes.values():
                inside = (
                    min(a[0], b[0]) < x + w - 0.5
                    and max(a[0], b[0]) > x + 0.5
                    and min(a[1], b[1]) < y + h - 0.5
                    and max(a[1], b[1]) > y + 0.5
                )
                assert not inside, f"{edge.get('data-from')} → {edge.get('data-to')}"
        for (px, py), stage in (
            (points[0], edge.get("data-from")),
            (points[-1], edge.get("data-to")),
        ):
            x, y, w, h = boxes[stage or ""]
            assert x <= px <= x + w and y <= py <= y + h
            assert px in (x, x + w) or py in (y, y + h), "on the border"
        ends += [points[0], points[-1]]
    for a, b in itertools.combinations(ends, 2):
        assert abs(a[0] - b[0]) + abs(a[1] - b[1]) >= 12, "every arrow end has a port of its own"


def test_what_feeds_nurture_and_disqualified_can_be_told_apart() -> None:
    playbook = loaded(ROOT / "playbook")
    for narrow in (False, True):
        root = parse(lifecycle_svg(playbook, narrow=narrow))
        for stage in ("nurture", "disqualified"):
            into = [e for e in edges_of(root) if e.get("data-to") == stage]
            sources = {e.get("data-from") for e in into}
            feeders = {s.id for s in playbook.stages if stage in playbook.next_stages(s)}
            assert sources == feeders and len(into) == len(feeders)
            heads = {path_points(e.get("d", ""))[-1] for e in into}
            assert len(heads) == len(into), "each arrow arrives at its own place"
            assert measure([path_points(e.get("d", "")) for e in into]).overlaps == 0


def test_mql_to_sales_rejected_takes_a_short_way() -> None:
    root = parse(lifecycle_svg(loaded(ROOT / "playbook")))
    (arrow,) = [
        e
        for e in edges_of(root)
        if (e.get("data-from"), e.get("data-to")) == ("marketing-qualified", "sales-rejected")
    ]
    points = path_points(arrow.get("d", ""))
    length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in itertools.pairwise(points))
    boxes = stages_of(root)
    (x1, y1, w, _), (x2, y2, _, _) = boxes["marketing-qualified"], boxes["sales-rejected"]
    apart = abs(x1 - x2) + abs(y1 - y2)
    assert length <= apart + w, "no detour around the drawing"


# Reading it


def test_the_legend_says_what_the_percentages_are() -> None:
    playbook = loaded(ROOT / "playbook")
    for narrow in (False, True):
        root = parse(lifecycle_svg(playbook, narrow=narrow))
        legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
        words = [t.text for t in legend.iter(f"{SVG}text")]
        assert words[words.index(PERCENT_MEANS) - 1] == "n %"
        assert PERCENT_MEANS in (root.findtext(f"{SVG}desc") or "")
    plain = Playbook.model_validate(
        {"organisation": {"name": "N"}, "stages": [{"id": "a", "name": "A"}]}
    )
    assert PERCENT_MEANS not in lifecycle_svg(plain)


def test_the_narrow_layout_is_never_shrunk_on_a_phone(case: tuple[str, Playbook, int, int]) -> None:
    name, playbook, _, _ = case
    root = parse(lifecycle_svg(playbook, narrow=True))
    width = float(root.get("width", "0"))
    scale = min(1.0, PHONE_COLUMN / width)
    lefts = {x for x, _, _, _ in stages_of(root).values()}

    assert len(lefts) == 1, "one stage under the other"
    if name in ("example", "agency", "b2b", "small-business"):
        assert width <= NARROW_WIDTH
    assert min(font_sizes(root)) * scale >= SMALLEST_TEXT, name


def test_the_wide_layout_fits_the_page_column_at_full_size(
    case: tuple[str, Playbook, int, int],
) -> None:
    name, playbook, _, _ = case
    root = parse(lifecycle_svg(playbook))
    width = float(root.get("width", "0"))

    if not name.startswith("synthetic"):
        assert width <= COLUMN_WIDTH, name
    assert min(font_sizes(root)) * min(1.0, COLUMN_WIDTH / width) >= SMALLEST_TEXT, name


def test_both_layouts_keep_the_links_and_the_words() -> None:
    playbook = loaded(ROOT / "playbook")

    def link(stage: str) -> str:
        return f"../lifecycle/{stage}/"

    wide, narrow = (parse(lifecycle_svg(playbook, link, narrow=n)) for n in (False, True))
    for root, name in ((wide, "pb-lifecycle"), (narrow, "pb-lifecycle-narrow")):
        assert root.get("class") == f"playbook-diagram {name}"
        assert root.get("role") == "group"
        assert root.get("aria-labelledby") == f"{name}-title"
        assert root.get("aria-describedby") == f"{name}-desc"
        hrefs = [(a.get("href"), a[0].get("data-stage")) for a in root.iter(f"{SVG}a")]
        assert hrefs == [(link(s.id), s.id) for s in playbook.stages]
    for tag in ("title", "desc"):
        assert wide.findtext(f"{SVG}{tag}") == narrow.findtext(f"{SVG}{tag}")


def test_the_figure_holds_both_layouts_with_ids_of_their_own() -> None:
    figure = lifecycle_figure(loaded(ROOT / "playbook"))
    root = ET.fromstring(f'<div xmlns:svg="http://www.w3.org/2000/svg">{figure}</div>')

    assert figure.startswith("<svg") and "\n\n" not in figure
    wide, narrow = list(root)
    assert (wide.get("class"), narrow.get("class")) == (
        "playbook-diagram pb-lifecycle",
        "playbook-diagram pb-lifecycle-narrow",
    )
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for svg in (wide, narrow):
        own = {el.get("id") for el in svg.iter() if el.get("id")}
        heads = {el.get("marker-end") for el in svg.iter() if el.get("marker-end")}
        assert heads and {head[5:-1] for head in heads if head} <= own


# Fast and repeatable


def random_playbook(seed: int) -> Playbook:
    rng = random.Random(seed)
    count = rng.randint(1, 16)
    stages: list[dict[str, Any]] = []
    for index in range(count):
        targets = {f"s{rng.randrange(count)}" for _ in range(rng.choice((0, 1, 2, 3)))}
        stage: dict[str, Any] = {"id": f"s{index}", "name": f"Stage {index}"}
        if rng.random() < 0.2:
            stage["terminal"] = True
        elif targets:
            stage["next"] = sorted(targets)
        if rng.random() < 0.5:
            stage["probability"] = rng.randint(0, 100)
        stages.append(stage)
    return Playbook.model_validate({"organisation": {"name": "Random"}, "stages": stages})


@pytest.mark.parametrize("seed", range(24))
def test_random_lifecycles_never_overlap_or_run_through_a_box(seed: int) -> None:
    playbook = random_playbook(seed)
    for narrow in (False, True):
        assert measure_svg(lifecycle_svg(playbook, narrow=narrow)).overlaps == 0
        check_geometry(playbook, narrow)


def test_forty_stages_lay_out_with_bounded_work() -> None:
    playbook = synthetic("XL")
    layout = LifecycleLayout(playbook)
    edges = [Edge(r.source, r.target, r.recycle) for r in layout.routes]
    router = Router(len(playbook.stages), layout.columns, edges, layout.box_w, layout.box_h)
    per_try = 3 * 2 + 1  # three sweeps of two placements, and the measured one

    assert len(playbook.stages) == 40 and len(edges) == 59
    assert router.placements <= 2 * SWEEPS + 1 + EFFORT * per_try + EFFORT
    assert router.searches <= 2 * len(edges) + EFFORT * 4


def test_the_same_playbook_gives_the_same_figure_whatever_the_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from generator.validate import check; "
        "from generator.diagrams import lifecycle_figure; "
        "print(lifecycle_figure(check(sys.argv[1]).playbook))"
    )

    def drawn(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", script, str(ROOT / "playbook")]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    assert drawn("1") == drawn("2") != ""
