"""A large playbook (its matrix split by area) puts its activities on pages of an area's
activities, a section each, instead of a page each: every activity is there once, with what
its own page would say, and every link to an activity lands on its section."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import load_synth

from generator.site import Site, render
from generator.site.plan import ACTIVITIES_PER_PAGE, page_url
from generator.validate import check


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Site]:
    folder = tmp_path_factory.mktemp("large") / "playbook"
    load_synth().write("M", folder, seed=2)
    result = check(folder)
    assert result.playbook is not None and len(result.playbook.activities) > 150
    return result.playbook, render(result.playbook)


class _Sections(HTMLParser):
    """The ``h2`` ids of a page, each with the text of its section."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self.current = dict(attrs).get("id")
            assert self.current is not None
            self.sections[self.current] = []

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.sections[self.current].append(data)


def _sections(site: Site) -> dict[str, tuple[str, str]]:
    """Activity id → (its page, the text of its section)."""
    found: dict[str, tuple[str, str]] = {}
    for path, page in site.pages.items():
        if not path.startswith("activities/"):
            continue
        reader = _Sections()
        reader.feed(page.html())
        for ident, words in reader.sections.items():
            assert ident not in found, (ident, path, found.get(ident))
            found[ident] = (path, " ".join(" ".join(words).split()))
    return found


def test_every_activity_has_one_section_on_a_page_of_its_area(large: tuple) -> None:
    playbook, site = large
    sections = _sections(site)
    assert set(sections) == {a.id for a in playbook.activities}
    pages = {path for path, _ in sections.values()}
    assert len(pages) < len(playbook.activities) / 5  # pages of activities, not one each
    for activity in playbook.activities:
        path, words = sections[activity.id]
        area_pages = [
            p for p in pages if site.titles[p].startswith(f"Activities: {activity.area or 'Other'}")
        ]
        assert path in area_pages, (activity.id, path)
        assert words.startswith(" ".join(activity.name.split())), (activity.id, words[:80])
        for key in activity.raci:
            letter = playbook.model.letters[key].name
            assert f"{letter} ({key}):" in words, (activity.id, key)
    for path in pages:
        count = len(re.findall(r"<h2 id=", site.pages[path].html()))
        assert 0 < count <= ACTIVITIES_PER_PAGE, (path, count)


def test_a_section_is_one_search_entry_and_its_parts_stay_out_of_the_outline(
    large: tuple,
) -> None:
    _, site = large
    path = next(p for p in site.pages if p.startswith("activities/"))
    page = site.pages[path]
    assert page.search == "boost"
    outline = [token["id"] for token in page.toc()[0]["children"]]
    assert outline == re.findall(r'<h2 id="([^"]+)"', page.html())
    assert '<h3 class="pb-part">Who</h3>' in page.html()


def test_every_link_to_an_activity_lands_on_its_section(large: tuple) -> None:
    playbook, site = large
    sections = _sections(site)
    seen = 0
    for path, page in site.pages.items():
        here = page_url(path)
        base = here.rstrip("/") if here.endswith("/") or not here else posixpath.dirname(here)
        for href in re.findall(r'href="([^"]*activities/[^"]*)"', page.html()):
            target, _, fragment = href.partition("#")
            resolved = posixpath.normpath(posixpath.join(base or ".", target))
            owner = sections[fragment][0] if fragment in sections else None
            assert owner is not None, (path, href)
            assert page_url(owner).rstrip("/") == resolved, (path, href, owner)
            seen += 1
    assert seen > len(playbook.activities)  # roles, stages, the matrix … all link to them


def test_a_small_playbook_keeps_a_page_per_activity(tmp_path: Path) -> None:
    result = check(Path(__file__).resolve().parent.parent / "playbook")
    assert result.playbook is not None
    site = render(result.playbook)
    for activity in result.playbook.activities:
        page = site.pages[f"activities/{activity.id}.md"]
        assert page.headings[0].level == 1
