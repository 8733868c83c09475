"""Golden pages: the example's rendered pages are checked in and compared.

Each page is stored as ``Page.markdown()`` — what ``render --out`` writes: the front matter,
the headings as Markdown lines with their ids, the article's HTML — under its Markdown name.

Regenerate after an intended change, then review the diff like code:

    PLAYBOOK_UPDATE_GOLDEN=1 python -m pytest -n0 tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLE

from generator.site import render
from generator.validate import check
from generator.write import nav_yaml

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PLAYBOOK_UPDATE_GOLDEN") == "1"


def rendered() -> dict[str, str]:
    result = check(EXAMPLE)
    assert result.playbook is not None, result.diagnostics
    site = render(result.playbook)
    pages = {path: page.markdown() for path, page in site.pages.items()}
    return {**pages, ".nav.yml": nav_yaml(site)}


def test_golden_pages_match_the_rendered_example() -> None:
    pages = rendered()
    if UPDATE:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, text in pages.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        pytest.skip("golden pages regenerated; review the diff")
    stored = {
        str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }
    assert sorted(stored) == sorted(pages), "page set changed: regenerate (see module docstring)"
    for path, text in pages.items():
        assert text == stored[path], f"{path} differs from tests/golden/{path}"


def test_rendering_twice_gives_identical_pages() -> None:
    assert rendered() == rendered()
