"""The role page and the person pages as a new starter sees them, in headless Chromium.

Issue 13, "Onboarding: the role page": the first screen says what lands on the desk, how fast,
and what is handed on; a long Informed list is a count with a link to the filtered matrix; nothing is cut off on a phone; everyone
named in ``holders`` has a page that lists the engagements they sign and each meeting once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_browser import audit
from test_browser_matrix import letters_by_role
from test_site import raw_example

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


def _informed(role: str) -> set[str]:
    """The activities on which ``role`` is Informed in the example's YAML (conditions too)."""
    return letters_by_role(raw_example(), role).get("I", set())


ROWS = "table.pb-matrix tbody tr[id]:not([hidden])"


def _follow_to_matrix(page, link, site_url: str, role: str, expected: set[str]) -> None:
    """``link`` opens the matrix with the role and the Informed letter chosen and exactly
    ``expected`` rows showing."""
    href = link.get_attribute("href")
    assert href is not None and f"role={role}" in href and "letter=I" in href, href
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(site_url + "raci/?"), page.url
    assert page.locator("select[data-filter=role]").input_value() == role
    assert page.locator("select[data-filter=letter]").input_value() == "I"
    assert page.locator("input[data-filter=text]").input_value() == ""
    rows = page.eval_on_selector_all(ROWS, "els => els.map(e => e.id)")
    assert len(rows) == len(expected) and set(rows) == expected
    total = len(raw_example()["activities"])
    assert page.locator(".pb-count").inner_text() == f"{len(expected)} of {total} activities"
    assert page.locator(f"thead th.pb-hit[data-role={role}]").count() == 1


@pytest.mark.parametrize("role", [ROLE, "account-executive"])
def test_a_long_informed_list_is_a_count_linking_to_the_filtered_matrix(
    open_page, site_url: str, role: str
) -> None:
    page = open_page(f"roles/{role}/", DESKTOP)
    informed = _informed(role)
    assert len(informed) > 5
    heading = page.locator("article h2", has_text="Informed")
    assert heading.count() == 1
    line = heading.locator("xpath=following-sibling::*[1]")
    words = " ".join(line.inner_text().split())
    assert words.startswith(f"You are told about {len(informed)} activities"), words
    # The count replaces the list: no Informed activity is listed on the page.
    assert line.evaluate("e => e.tagName") == "P"
    assert page.locator("article details").count() == 0
    listed = page.eval_on_selector_all(
        "article a[href*='activities/']", "els => els.map(e => e.getAttribute('href'))"
    )
    others = set().union(*(v for k, v in letters_by_role(raw_example(), role).items() if k != "I"))
    assert {h.rstrip("/").rsplit("/", 1)[-1] for h in listed} <= others
    links = line.locator("a", has_text="in the matrix")
    assert links.count() == 1
    _follow_to_matrix(page, links, site_url, role, informed)


def test_a_short_informed_list_is_still_listed(open_page) -> None:
    informed = _informed("owner")
    assert 0 < len(informed) <= 5
    page = open_page("roles/owner/", DESKTOP)
    items = (
        page.locator("article h2", has_text="Informed")
        .locator("xpath=following-sibling::ul[1]/li/a[1]")
        .evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )
    assert {h.rstrip("/").rsplit("/", 1)[-1] for h in items} == informed
    assert page.locator("article .pb-fold-link").count() == 0


def test_a_person_with_two_roles_gets_a_count_and_a_link_per_role(open_page, site_url: str) -> None:
    roles = [r for r in raw_example()["roles"] if "Marcus Whitfield" in r.get("holders", [])]
    assert len(roles) == 2, [r["id"] for r in roles]
    page = open_page("people/marcus-whitfield/", DESKTOP)
    line = page.locator("article h2", has_text="Informed").locator("xpath=following-sibling::*[1]")
    words = " ".join(line.inner_text().split())
    union = set().union(*(_informed(r["id"]) for r in roles))
    assert words.startswith(f"You are told about {len(union)} activities"), words
    for r in roles:
        assert f"as {r['name']} ({len(_informed(r['id']))})" in words, words
    links = line.locator("a", has_text="in the matrix")
    assert links.count() == 2
    role = roles[1]["id"]
    _follow_to_matrix(
        page, line.locator(f"a[href*='role={role}&']"), site_url, role, _informed(role)
    )


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
    # The Informed list is the role's count, with its link to the filtered matrix.
    count = page.locator("article .pb-fold-link")
    assert count.count() == 1
    assert count.inner_text().startswith(f"You are told about {len(_informed(ROLE))} activities")
    link = count.locator("a", has_text="in the matrix").get_attribute("href")
    assert link is not None and f"role={ROLE}&letter=I" in link
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
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=str(artifacts / f"{name}-{scheme}-1366.png"))
    violations = audit(page, axe_source)
    assert violations == [], "\n".join(map(str, violations))
