"""The synthetic M playbook of the benchmarks is valid, writes what real handbooks write, and
renders completely (no timings)."""

from __future__ import annotations

import re
from pathlib import Path

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
        text
        for path, text in site.pages.items()
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
