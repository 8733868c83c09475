"""The synthetic M playbook of the benchmarks is valid, writes what real handbooks write, and
renders completely; its shapes differ as they say and are as valid; the benchmark's plan and
targets read as documented (no timings)."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import load_synth as _synth

from generator.cli import cli
from generator.site import render
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("medium") / "playbook"
    _synth().write("M", folder, seed=0)
    return folder


@pytest.fixture(scope="module")
def medium_worst(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("medium-worst") / "playbook"
    _synth().write("M", folder, seed=0, shape="worst")
    return folder


def _activities(files: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        a
        for name, data in files.items()
        if name.startswith("activities")
        for a in data["activities"]
    ]


def test_medium_playbook_passes_a_strict_check(medium: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--strict", str(medium)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("500 activities")


def test_medium_playbook_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    assert _synth().generate("M", seed=3) == _synth().generate("M", seed=3)
    assert _synth().generate("M", seed=3) != _synth().generate("M", seed=4)


def test_medium_render_has_every_role_page_and_every_activity_once_in_the_matrix(
    medium: Path,
) -> None:
    playbook = check(medium).playbook
    assert playbook is not None

    site = render(playbook)

    assert len(playbook.roles) == 50
    assert [r.id for r in playbook.roles if f"roles/{r.id}.md" not in site.pages] == []
    matrix = [
        page if isinstance(page, str) else page.html()  # Markdown text, or a page of HTML parts
        for path, page in site.pages.items()
        if path.startswith("raci/") and path.endswith(".md")
    ]
    rows = [m for text in matrix for m in re.findall(r'<tr id="([^"]+)"', text)]
    assert len(rows) == len(set(rows)) == 500
    assert sorted(rows) == sorted(a.id for a in playbook.activities)


def test_medium_playbook_uses_what_real_handbooks_write(medium: Path) -> None:
    playbook = check(medium).playbook
    assert playbook is not None
    handoffs = playbook.handoffs

    assert 0 < sum(1 for h in handoffs if h.name) < len(handoffs)
    assert any(len(h.routes) > 1 for h in handoffs)
    assert any(c.target and c.start and c.label != c.key for h in handoffs for c in h.clocks)
    assert any(str(c.within).endswith("business minutes") for h in handoffs for c in h.clocks)
    assert any(len(h.outcomes) > 1 and h.outcomes[0].owner for h in handoffs)
    letters = [(a, k) for a in playbook.activities for k in a.raci]
    assert any(h.when for a, k in letters if k == "A" for h in a.holders(k))
    assert any(all(h.when for h in a.holders(k)) for a, k in letters if k == "R")
    assert any(g.period for role in playbook.roles for g in role.goals)
    assert any(r.business_hours and r.business_hours.local for r in playbook.roles)
    assert any(stage.maps_to for stage in playbook.stages)
    terms = [g.term for g in playbook.glossary if g.context]
    assert len(terms) == 2 and len(set(terms)) == 1


def test_worst_medium_playbook_passes_a_strict_check(medium_worst: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--strict", str(medium_worst)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("500 activities")


def test_each_shape_is_the_same_for_the_same_seed_and_differs_by_seed() -> None:
    synth = _synth()
    for shape in synth.SHAPE_NAMES:
        assert synth.generate("M", 3, shape) == synth.generate("M", 3, shape), shape
        assert synth.generate("M", 3, shape) != synth.generate("M", 4, shape), shape


def test_written_files_are_byte_identical_for_the_same_size_seed_and_shape(
    tmp_path: Path,
) -> None:
    synth = _synth()
    synth.write("M", tmp_path / "a", seed=2, shape="worst")
    synth.write("M", tmp_path / "b", seed=2, shape="worst")
    synth.write("M", tmp_path / "c", seed=2)

    def read(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}

    assert read(tmp_path / "a") == read(tmp_path / "b")
    assert read(tmp_path / "a") != read(tmp_path / "c")
    assert b"shape worst" in read(tmp_path / "a")["roles.yaml"].splitlines()[0]


def test_typical_is_the_default_shape_and_the_worst_keeps_the_counts() -> None:
    synth = _synth()
    typical, worst = synth.generate("M", 0, "typical"), synth.generate("M", 0, "worst")

    assert synth.generate("M", 0) == typical
    assert typical != worst
    for section in ("roles", "teams"):
        assert len(typical[f"{section}.yaml"][section]) == len(worst[f"{section}.yaml"][section])
    assert len(_activities(typical)) == len(_activities(worst)) == 500


def test_worst_shape_is_heavier_in_every_trait_it_names() -> None:
    synth = _synth()
    typical = _activities(synth.generate("M", 0, "typical"))
    worst = _activities(synth.generate("M", 0, "worst"))

    def biggest_area(activities: list[dict[str, Any]]) -> int:
        return Counter(a["area"] for a in activities).most_common(1)[0][1]

    def letters(activities: list[dict[str, Any]], letter: str) -> list[int]:
        return [len(a["raci"].get(letter, [])) for a in activities]

    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    assert biggest_area(worst) == 200 > 2 * biggest_area(typical)
    assert (
        sum(n >= 30 for n in letters(worst, "I"))
        > 100
        > sum(n >= 30 for n in letters(typical, "I"))
    )
    assert mean(letters(worst, "C")) > 2 * mean(letters(typical, "C"))
    assert sum("notes" in a for a in worst) > 4 * sum("notes" in a for a in typical)
    assert any(len(a["notes"]) > 1 for a in worst if "notes" in a)
    long = [a["description"] for a in worst if "\n\n" in a["description"]]
    assert len(long) > len(worst) // 3
    assert all(re.search(r"^1\. ", text, re.MULTILINE) for text in long)
    assert not any("\n\n" in a["description"] for a in typical)


def test_the_example_has_one_shape() -> None:
    with pytest.raises(ValueError, match="shapes apply to M, L and XL"):
        _synth().write("S", Path("unused"), shape="worst")
    with pytest.raises(ValueError, match="unknown shape"):
        _synth().generate("M", 0, "heaviest")


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks.run")


def test_a_full_benchmark_measures_both_shapes_at_xl_and_can_be_narrowed(run: ModuleType) -> None:
    cases = run.plan(None, None)

    assert ("XL", "typical") in cases and ("XL", "worst") in cases
    assert [c for c in cases if c[1] == "typical"] == [
        ("S", "typical"),
        ("M", "typical"),
        ("L", "typical"),
        ("XL", "typical"),
    ]
    assert run.plan(["S", "XL"], ["typical", "worst"]) == [
        ("S", "typical"),
        ("XL", "typical"),
        ("XL", "worst"),
    ]
    assert run.plan(["XL"], None) == [("XL", "typical"), ("XL", "worst")]


def test_targets_compare_with_the_baseline_and_report_the_worst_shape(run: ModuleType) -> None:
    def result(size: str, shape: str, build: float, pages: int, index: int) -> Any:
        r = run.Result(size, shape, pages=pages, search_index_bytes=index)
        r.check_runs = r.check_cpu = [0.4]
        r.build_runs = r.build_cpu = [build]
        r.floor_runs = r.floor_cpu = [build]
        r.build_peak_kb = r.floor_peak_kb = [100_000]
        r.largest_page_bytes = 200_000
        return r

    results = [
        result("M", "typical", 1.0, 100, 1_000),
        result("XL", "typical", 12.0, 1000, 3_000_000),
        result("XL", "worst", 14.0, 1000, 4_000_000),
    ]
    baseline = {"cases": {"XL typical": {"search_index_bytes": 8_000_000, "build_s": 90.0}}}

    found = {
        (v.target.split(",")[0].split(" ≤")[0], v.case): v for v in run.verdicts(results, baseline)
    }

    build = found["`playbook build`", "XL"]
    assert (build.before, build.now, build.met) == ("90.00 s", "12.00 s (CPU 12.00 s)", True)
    assert found["`playbook build`", "XL worst"].before == "—"
    index = found["Search index", "XL"]
    assert index.met and "38 %" in index.now
    assert not found["Search index", "XL worst"].met  # no baseline: nothing to be half of
    growth = found["Growth: time per page at XL", "M → XL"]
    assert growth.met and growth.now.startswith("1.20")
    assert ("Growth: time per page at XL", "M → XL worst") not in found
