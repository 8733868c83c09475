"""The role page and the person pages as a new starter sees them, in headless Chromium.

Issue 13, "Onboarding: the role page": the first screen says what lands on the desk, how fast,
and what is handed on; the long Informed list is folded; nothing is cut off on a phone; everyone
named in ``holders`` has a page that lists the engagements they sign and each meeting once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_browser import audit
from test_site import letters_by_role, raw_example

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLE = "sdr"
"""The example's Sales Development Representative (playbook/roles.yaml)."""


@pytest.fixture(scope="module")
def site_url(example_site: Path, serve) -> str:
    return serve(example_site)


@pytest.fixture
def open_page(browser, site_url: str):
    """A function opening a path of the site at a viewport size; records outside requests."""
    contexts = []

    def open_at(path: str, viewport: dict[str, int], scheme: str = "light"):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        contexts.append(context)
        tab = context.new_page()
        outside: list[str] = []
        tab.on("request", lambda r: None if r.url.startswith(site_url) else outside.append(r.url))
        tab.outside = outside
        tab.goto(site_url + path)
        return tab

    yield open_at
    for context in contexts:
        context.close()


def _role(ident: str) -> dict:
    return next(r for r in raw_example()["roles"] if r["id"] == ident)


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_role_page_first_screen_says_what_lands_on_the_desk(open_page, artifacts: Path) -> None:
    page = open_page(f"roles/{ROLE}/", DESKTOP)
    page.screenshot(path=str(artifacts / "role-sdr-1366.png"))
    page.screenshot(path=str(artifacts / "role-sdr-1366-full.png"), full_page=True)
    headings = page.locator("article h2").all_inner_texts()
    handoffs = next(i for i, h in enumerate(headings) if h.startswith("Handoffs"))
    own = next(i for i, h in enumerate(headings) if h.startswith("What you own"))
    assert handoffs < own, headings
    # The heading, every handoff in and out and the first clock are on the first screen.
    assert _inside_viewport(page, page.locator("article h2").nth(handoffs))
    cards = page.locator(".pb-handoffs > ul > li")
    assert cards.count() >= 2
    assert _inside_viewport(page, page.locator(".pb-handoffs .pb-clock").first)
    first = cards.first.inner_text()
    assert first.startswith("You receive") and "Your clock:" in first
    assert "accept within 4 business hours" in first
    sends = [c for c in cards.all_inner_texts() if c.startswith("You send")]
    assert sends and _inside_viewport(page, cards.filter(has_text="You send").first)
    # The summary reads as plain text near the top, not as a low-contrast quote.
    summary = " ".join(_role(ROLE)["summary"].split())[:40]
    assert page.locator("article blockquote").count() == 0
    assert _inside_viewport(page, page.locator("article p", has_text=summary))
    # An empty letter is one short line, not "Nothing" first.
    assert "Nothing" not in page.locator("article").inner_text()
    assert page.outside == []


def test_role_page_folds_the_informed_list(open_page, site_url: str) -> None:
    page = open_page(f"roles/{ROLE}/", DESKTOP)
    informed = letters_by_role(raw_example(), ROLE)["I"]
    assert len(informed) > 5
    fold = page.locator("article details.pb-fold")
    assert fold.count() == 1
    assert str(len(informed)) in fold.locator("summary").inner_text()
    item = fold.locator("li").first
    assert not item.is_visible()
    fold.locator("summary").click()
    item.wait_for(state="visible", timeout=5000)
    assert fold.locator("li").count() == len(informed)
    # The count's link opens the matrix filtered to the role's Informed letter.
    link = page.locator("article a", has_text="in the matrix")
    href = link.get_attribute("href")
    assert href is not None and f"role={ROLE}" in href and "letter=I" in href
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(site_url + "raci/")
    assert page.locator("table.pb-matrix").count() == 1


def test_role_page_on_a_phone_cuts_nothing_off(open_page, artifacts: Path) -> None:
    page = open_page(f"roles/{ROLE}/", PHONE)
    page.screenshot(path=str(artifacts / "role-sdr-390.png"))
    page.screenshot(path=str(artifacts / "role-sdr-390-full.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    clocks = page.locator(".pb-handoffs .pb-clock")
    assert clocks.count() >= 2
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.pb-handoffs .pb-clock, .pb-handoffs li')]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent.slice(0, 60))"""
    )
    assert clipped == []
    # Every clock is wholly inside the screen's width.
    for box in (clocks.nth(i).bounding_box() for i in range(clocks.count())):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # A table wider than the screen sits in a scroll box of its own, not the page.
    loose = page.evaluate(
        """() => [...document.querySelectorAll('article table')].filter(t => {
            const box = t.closest('.md-typeset__scrollwrap');
            return t.getBoundingClientRect().right > window.innerWidth + 1 &&
                !(box && getComputedStyle(box).overflowX === 'auto');
        }).length"""
    )
    assert loose == 0


def test_every_holder_has_a_person_page(open_page, site_url: str, artifacts: Path) -> None:
    holders = [name for r in raw_example()["roles"] for name in r.get("holders", [])]
    one_role = [name for name, n in Counter(holders).items() if n == 1]
    assert "Jade Thompson" in one_role
    page = open_page(f"roles/{ROLE}/", DESKTOP)
    links = page.locator("article p em a", has_text="Jade Thompson")
    assert links.count() == 1
    links.click()
    page.wait_for_load_state()
    assert page.url == site_url + "people/jade-thompson/"
    assert page.locator("article h1").inner_text().startswith("Jade Thompson")
    assert "Sales Development Representative" in page.locator("article").inner_text()
    assert _inside_viewport(page, page.locator(".pb-handoffs .pb-clock").first)
    folded = page.locator("article details.pb-fold li")
    assert folded.count() == len(letters_by_role(raw_example(), ROLE)["I"])
    assert not folded.first.is_visible()
    page.screenshot(path=str(artifacts / "person-jade-1366.png"), full_page=True)
    people = open_page("people/", DESKTOP).locator("article table tbody tr")
    assert people.count() == len(
        set(holders) | {p["name"] for p in raw_example().get("people", [])}
    )


def test_person_page_lists_engagements_signed_and_each_meeting_once(
    open_page, artifacts: Path
) -> None:
    page = open_page("people/priya-raman/", DESKTOP)
    headings = page.locator("article h2").all_inner_texts()
    assert any(h.startswith("Engagements") for h in headings), headings
    section = page.locator("article h2", has_text="Engagements").locator(
        "xpath=following-sibling::ul[1]"
    )
    words = section.inner_text()
    assert "signatory" in words and "approver" in words and "client contact" in words
    page.screenshot(path=str(artifacts / "person-priya-1366.png"), full_page=True)
    phone = open_page("people/daniel-osei/", PHONE)
    phone.screenshot(path=str(artifacts / "person-daniel-390.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    meetings = (
        phone.locator("article h2", has_text="Meetings")
        .locator("xpath=following-sibling::ul[1]/li/strong")
        .all_inner_texts()
    )
    assert meetings and len(meetings) == len(set(meetings)), meetings
    signs = phone.locator("article h2", has_text="Engagements").locator(
        "xpath=following-sibling::ul[1]"
    )
    assert "signatory (as Owner" in signs.inner_text()


def test_glossary_terms_in_headings_are_not_underlined(open_page) -> None:
    page = open_page("handoffs/mql-to-sdr/", DESKTOP)
    styles = page.evaluate(
        """() => [...document.querySelectorAll('article h1 abbr, article h2 abbr')].map(a => {
            const s = getComputedStyle(a);
            return [s.textDecorationLine, s.borderBottomStyle];
        })"""
    )
    assert styles, "the page has no glossary term in a heading"
    assert all(line == "none" and border == "none" for line, border in styles), styles


@pytest.mark.parametrize("path", [f"roles/{ROLE}/", "people/daniel-osei/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_role_and_person_pages_pass_the_accessibility_audit(
    open_page, axe_source: str, artifacts: Path, path: str, scheme: str
) -> None:
    page = open_page(path, DESKTOP, scheme)
    for summary in page.locator("article details.pb-fold summary").all():
        summary.click()  # the folded list is audited too
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=str(artifacts / f"{name}-{scheme}-1366.png"))
    violations = audit(page, axe_source)
    assert violations == [], "\n".join(map(str, violations))
