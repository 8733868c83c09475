"""The RACI matrix and search as a person uses them, in headless Chromium (Playwright): one
Find box, the header kept in view, cards on a phone, notes with their cells, the filter in
the address, a readable landscape print; searching a role or an activity finds its page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from test_site import raw_example

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ROWS = "table.pb-matrix tbody tr[id]:not([hidden])"
CARDS = ".pb-card:not([hidden])"


@pytest.fixture(scope="module")
def site_url(example_site: Path, serve) -> str:
    return serve(example_site)


@pytest.fixture(params=["desktop", "phone"])
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def open_page(browser, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, is_mobile=viewport["width"] < 500)
    return context, context.new_page()


@pytest.fixture
def desk(browser):
    context, tab = open_page(browser, DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def phone(browser):
    context, tab = open_page(browser, PHONE)
    yield tab
    context.close()


def letters_by_role(data: dict, role: str) -> dict[str, set[str]]:
    """Letter → the activities on which ``role`` holds it (under a condition or not)."""
    found: dict[str, set[str]] = {}
    for activity in data["activities"]:
        for letter, holders in activity["raci"].items():
            holders = holders if isinstance(holders, list) else [holders]
            ids = [h["role"] if isinstance(h, dict) else h for h in holders]
            if role in ids:
                found.setdefault(letter, set()).add(activity["id"])
    return found


def role_rows(role_id: str) -> set[str]:
    return set().union(*letters_by_role(raw_example(), role_id).values())


def role_id_named(name: str) -> str:
    return next(r["id"] for r in raw_example()["roles"] if r["name"] == name)


def shown(tab, selector: str = ROWS, key: str = "id") -> set[str]:
    return set(tab.eval_on_selector_all(selector, f"els => els.map(e => e.dataset.{key} || e.id)"))


def find(tab, words: str) -> None:
    box = tab.locator("input[data-filter=text]:visible")
    box.click()
    tab.keyboard.press("Control+A")
    tab.keyboard.press("Backspace")
    tab.keyboard.type(words)


def in_viewport(tab, selector: str) -> bool:
    return tab.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize("name", ["Account Executive", "Sales Development Representative"])
def test_typing_a_role_name_leaves_exactly_that_role_s_rows(desk, site_url, name) -> None:
    desk.goto(site_url + "raci/")
    find(desk, name.lower())
    expected = role_rows(role_id_named(name))
    assert shown(desk) == expected
    total = len(raw_example()["activities"])
    assert desk.locator(".pb-count").inner_text() == f"{len(expected)} of {total} activities"
    marked = desk.eval_on_selector_all("thead th.pb-hit", "els => els.map(e => e.dataset.role)")
    assert marked == [role_id_named(name)]


def test_a_role_s_rows_show_on_the_phone_s_cards_too(phone, site_url, artifacts) -> None:
    phone.goto(site_url + "raci/")
    find(phone, "Sales Development Representative")
    assert shown(phone, CARDS, "activity") == role_rows("sdr")
    chosen = phone.locator(".pb-card:not([hidden]) .pb-chosen").first
    assert chosen.is_visible()
    phone.screenshot(path=str(artifacts / "matrix-390-filtered.png"))


def test_a_word_that_matches_nothing_says_so(desk, site_url) -> None:
    desk.goto(site_url + "raci/")
    find(desk, "zeppelin")
    assert shown(desk) == set()
    message = desk.locator(".pb-none")
    assert message.is_visible()
    assert message.inner_text().startswith("No activity matches “zeppelin”")


def test_find_matches_areas_stages_and_holders(desk, site_url) -> None:
    """Rows carry no search words of their own: the script derives them from the row and
    the header (activity, id, area, stage, each lettered role's name, id and holders)."""
    data = raw_example()
    desk.goto(site_url + "raci/")
    assert desk.locator("table.pb-matrix tbody tr[data-search]").count() == 0
    area = data["activities"][0]["area"]
    find(desk, area)
    assert {a["id"] for a in data["activities"] if a.get("area") == area} <= shown(desk)
    stage = next(a for a in data["activities"] if a.get("stage"))
    stage_name = next(s["name"] for s in data["stages"] if s["id"] == stage["stage"])
    find(desk, stage_name)
    assert stage["id"] in shown(desk)
    assert shown(desk) == {a["id"] for a in data["activities"] if a.get("stage") == stage["stage"]}
    # A person finds the rows of every role they hold.
    for person in ("Jade Thompson", "Marcus Whitfield"):
        held = [r["id"] for r in data["roles"] if person in r.get("holders", [])]
        find(desk, person)
        assert shown(desk) == set().union(*(role_rows(r) for r in held)), person
    # The activity's own id, as the address of its page spells it.
    activity = data["activities"][-1]
    find(desk, activity["id"])
    assert activity["id"] in shown(desk)


def _holders(activity: dict) -> dict[str, list[str]]:
    """Letter → the role ids holding it on ``activity``, in the YAML's order."""
    out: dict[str, list[str]] = {}
    for letter, holders in activity["raci"].items():
        holders = holders if isinstance(holders, list) else [holders]
        out[letter] = [h["role"] if isinstance(h, dict) else h for h in holders]
    return out


def test_each_phone_card_shows_the_activity_s_holders(phone, site_url, artifacts) -> None:
    data = raw_example()
    names = {r["id"]: r["name"] for r in data["roles"]}
    phone.goto(site_url + "raci/")
    cards = phone.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.pb-card')].map(card => [
            card.dataset.activity, {
              name: card.querySelector('.pb-card-name').innerText,
              visible: card.getBoundingClientRect().height > 0,
              lines: [...card.querySelectorAll('ul > li')].map(li => [
                li.querySelector('abbr').textContent,
                [...li.querySelectorAll(':scope > [data-role]')].map(e => e.dataset.role),
                [...li.querySelectorAll('a[href*="roles/"]')].map(a => a.textContent)])}]))"""
    )
    assert sorted(cards) == sorted(a["id"] for a in data["activities"])
    for activity in data["activities"]:
        card = cards[activity["id"]]
        assert card["visible"] and card["name"] == activity["name"], activity["id"]
        expected = _holders(activity)
        got = {letter: roles for letter, roles, _ in card["lines"]}
        assert got == expected, activity["id"]
        for _letter, roles, shown_names in card["lines"]:
            assert shown_names == [names[r] for r in roles], activity["id"]
    # Each letter is one line of its card.
    assert all(len(c["lines"]) == len({line[0] for line in c["lines"]}) for c in cards.values())
    phone.screenshot(path=str(artifacts / "matrix-390-cards.png"), full_page=True)


def test_the_header_stays_in_view_after_scrolling(browser, site_url, width, artifacts) -> None:
    viewport = DESKTOP if width == "desktop" else PHONE
    context, tab = open_page(browser, viewport)
    tab.goto(site_url + "raci/")
    tab.screenshot(path=str(artifacts / f"matrix-{viewport['width']}.png"))
    header = "table.pb-matrix thead" if width == "desktop" else ".pb-filter"
    tab.evaluate("window.scrollTo(0, document.documentElement.scrollHeight * 0.6)")
    tab.wait_for_function("window.scrollY > 500", timeout=5000)
    tab.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert in_viewport(tab, header), header
    if width == "desktop":  # the activity column and its header are beside each other
        assert in_viewport(tab, "table.pb-matrix thead th[data-role]")
    tab.screenshot(path=str(artifacts / f"matrix-{viewport['width']}-scrolled.png"))
    context.close()


def test_the_phone_reads_the_matrix_without_sideways_scrolling(phone, site_url) -> None:
    phone.goto(site_url + "raci/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not phone.locator(".pb-matrix-wrap").is_visible()
    assert phone.locator(CARDS).count() == len(raw_example()["activities"])
    for card in phone.locator(CARDS).all()[:5]:
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_the_address_keeps_the_filter(desk, site_url) -> None:
    desk.goto(site_url + "raci/")
    find(desk, "collateral")
    desk.select_option("select[data-filter=role]", "sdr")
    assert re.search(r"\?q=collateral&role=sdr$", desk.url)
    rows = shown(desk)
    link = desk.locator(".pb-permalink").get_attribute("href")
    desk.goto(site_url + "raci/" + link)
    assert desk.locator("input[data-filter=text]").input_value() == "collateral"
    assert desk.locator("select[data-filter=role]").input_value() == "sdr"
    assert shown(desk) == rows and rows


def test_a_role_page_s_link_form_opens_the_filtered_matrix(browser, site_url, artifacts) -> None:
    for viewport in (DESKTOP, PHONE):
        context, tab = open_page(browser, viewport)
        tab.goto(site_url + "raci/?role=sdr&letter=I")
        expected = letters_by_role(raw_example(), "sdr").get("I", set())
        assert shown(tab) == expected and expected
        assert tab.locator("thead th.pb-hit[data-role=sdr]").count() == 1
        tab.screenshot(path=str(artifacts / f"matrix-{viewport['width']}-sdr-informed.png"))
        context.close()


def test_a_note_shows_when_its_cell_has_focus(desk, site_url, artifacts) -> None:
    desk.goto(site_url + "raci/")
    activity = next(a for a in raw_example()["activities"] if a.get("notes"))
    role, note = next(iter(activity["notes"].items()))
    cell = desk.locator(f'tr[id="{activity["id"]}"] td[data-role="{role}"]')
    tip = desk.locator(".pb-tip")
    assert not tip.is_visible()
    cell.focus()
    assert tip.is_visible()
    assert " ".join(note.split()) in tip.inner_text()
    box = tip.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= DESKTOP["height"]
    desk.screenshot(path=str(artifacts / "matrix-1366-note.png"))
    find(desk, "zeppelin")  # the note goes with its row
    assert desk.locator(f'tr.pb-noterow[data-for="{activity["id"]}"]').get_attribute("hidden") == ""


def test_the_matrix_prints_on_a4_landscape_with_readable_columns(desk, site_url, artifacts):
    from pypdf import PdfReader

    desk.goto(site_url + "raci/")
    desk.emulate_media(media="print")
    desk.set_viewport_size({"width": 1047, "height": 740})  # A4 landscape less margins, at 96 dpi
    widths = desk.evaluate(
        """() => [...document.querySelectorAll('table.pb-matrix thead th')].map(
            th => th.getBoundingClientRect().width)"""
    )
    px_per_mm = 96 / 25.4
    assert widths[0] >= 38 * px_per_mm  # activity
    assert widths[1] >= 20 * px_per_mm  # stage: no longer three characters
    assert min(widths[2:]) >= 4.5 * px_per_mm  # each role's letters
    table = desk.evaluate("document.querySelector('table.pb-matrix').getBoundingClientRect().right")
    assert table <= 1047
    pdf = desk.pdf(format="A4", landscape=True, print_background=True)
    (artifacts / "matrix.pdf").write_bytes(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for stage in raw_example()["stages"]:
        for word in stage["name"].split():
            if any(a.get("stage") == stage["id"] for a in raw_example()["activities"]):
                assert word in text, word
    note = next(a for a in raw_example()["activities"] if a.get("notes"))["notes"]
    first = " ".join(next(iter(note.values())).split()[:3])
    assert first in " ".join(text.split())


def test_search_puts_the_role_page_first(desk, site_url) -> None:
    desk.goto(site_url)
    desk.locator("label.md-search__icon, .md-search__input").first.click()
    desk.locator("input.md-search__input").focus()
    desk.keyboard.type("Sales Development Representative", delay=20)
    first = desk.locator(".md-search-result__item a").first
    first.wait_for(timeout=15000)
    desk.wait_for_timeout(300)  # safety net: results settle after the last key
    assert "roles/sdr/" in desk.locator(".md-search-result__item a").first.get_attribute("href")


def test_search_puts_the_activity_page_first(desk, site_url, artifacts) -> None:
    desk.goto(site_url)
    desk.locator("label.md-search__icon, .md-search__input").first.click()
    desk.locator("input.md-search__input").focus()
    desk.keyboard.type("photography", delay=20)
    first = desk.locator(".md-search-result__item a").first
    first.wait_for(timeout=15000)
    desk.wait_for_timeout(300)
    href = desk.locator(".md-search-result__item a").first.get_attribute("href")
    assert "activities/product-photography/" in href
    hrefs = desk.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert not any("/raci/" in h for h in hrefs)
    desk.screenshot(path=str(artifacts / "search-photography.png"))
