"""The scope pack, the handoff swimlane and sideways scrolling, as a person meets them in
headless Chromium: printed to A4 PDF (read back with pypdf), scrolled, and at phone width."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from test_diagrams import base_data
from test_site import raw_example

from generator.diagrams import swimlane_figure
from generator.model import Playbook

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site_url(example_site: Path, serve) -> str:
    return serve(example_site)


@pytest.fixture
def tab(browser):
    contexts = []

    def open_tab(viewport: dict[str, int] = DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def _engagement() -> dict:
    return raw_example()["engagements"][0]


def _organisation() -> dict:
    return raw_example()["organisation"]


def _holders(role_id: str) -> list[str]:
    data = raw_example()
    named = {n for r in data["roles"] if r["id"] == role_id for n in r.get("holders", [])}
    named |= {p["name"] for p in data.get("people", []) if role_id in p["roles"]}
    return sorted(named)


def _print(page, artifacts: Path, name: str) -> list[str]:
    """Print the open page to A4 as Chromium's print dialog would; the text of each page."""
    from pypdf import PdfReader

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in pages]  # "ﬀ" → "ff"


def _assert_a_signable_pack(pages: list[str]) -> None:
    organisation = _organisation()
    version = str(organisation["version"])
    effective = organisation["effective"]
    effective_words = f"{effective.day} {effective:%B %Y}"
    assert 1 <= len(pages) <= 3, f"{len(pages)} A4 pages"
    whole = "\n".join(pages)
    assert "¶" not in whole
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert version in flat, f"page {number} has no playbook version in its footer"
        assert effective_words in flat, f"page {number} has no effective date in its footer"
        assert f"page {number} of {len(pages)}" in flat
    flat = " ".join(whole.split())
    signoff = flat[flat.rindex("Sign-off") :]
    for role_id in _engagement()["sign_off"]:
        for name in _holders(role_id):
            assert name in signoff, f"{name} is not named in the sign-off"
    assert flat.count("does not do this") <= 1


def test_engagement_page_prints_as_a_signable_pack(tab, site_url, artifacts) -> None:
    page = tab()
    page.goto(site_url + f"engagements/{_engagement()['id']}/")
    _assert_a_signable_pack(_print(page, artifacts, "engagement-page"))


def test_standalone_engagement_file_prints_as_a_signable_pack(tab, site_url, artifacts) -> None:
    page = tab()
    page.goto(site_url + f"downloads/engagement-{_engagement()['id']}.html")
    assert page.locator(".headerlink").count() == 0
    _assert_a_signable_pack(_print(page, artifacts, "engagement-standalone"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_engagement_page_on_screen_fits_its_width(tab, site_url, artifacts, viewport) -> None:
    page = tab(viewport)
    page.goto(site_url + f"engagements/{_engagement()['id']}/")
    page.screenshot(path=str(artifacts / f"engagement-{viewport['width']}.png"))
    page.locator("table.pb-signoff").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"engagement-{viewport['width']}-signoff.png"))
    box = page.locator("table.pb-signoff").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.locator("text=Inês Carvalho").first.is_visible()


@pytest.mark.parametrize("where", ["page", "standalone"])
def test_signoff_leaves_room_to_sign(tab, site_url, where) -> None:
    page = tab()
    ident = _engagement()["id"]
    page.goto(
        site_url
        + (f"engagements/{ident}/" if where == "page" else f"downloads/engagement-{ident}.html")
    )
    page.emulate_media(media="print")
    widths = page.eval_on_selector_all(
        "table.pb-signoff thead th", "ths => ths.map(th => th.getBoundingClientRect().width)"
    )
    heights = page.eval_on_selector_all(
        "table.pb-signoff tbody tr", "trs => trs.map(tr => tr.getBoundingClientRect().height)"
    )
    table = sum(widths)
    role, name, date, signature = widths
    assert role <= 0.35 * table
    assert name >= 0.2 * table and signature >= 0.25 * table and date >= 0.12 * table
    assert min(heights) >= 40  # about 1 cm: room for a signature


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_swimlane_scrolls_visibly_with_lane_names_in_view(
    tab, site_url, artifacts, viewport
) -> None:
    page = tab(viewport)
    page.goto(site_url + "handoffs/")
    box = page.locator(".pb-diagram--wide")
    box.scroll_into_view_if_needed()
    width = viewport["width"]
    page.screenshot(path=str(artifacts / f"swimlane-{width}.png"))
    state = box.evaluate(
        """el => ({scroll: el.scrollWidth, client: el.clientWidth,
                   overflow: getComputedStyle(el).overflowX,
                   right: el.getBoundingClientRect().right})"""
    )
    assert state["right"] <= width
    if state["scroll"] > state["client"]:
        assert state["overflow"] in ("auto", "scroll")
        assert page.locator(".pb-scroll-hint").is_visible()
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.screenshot(path=str(artifacts / f"swimlane-{width}-scrolled.png"))
    frame = box.bounding_box()
    labels = page.locator("svg.pb-swimlane-lanes")
    lanes = labels.bounding_box()
    assert lanes is not None and frame is not None
    assert frame["x"] - 1 <= lanes["x"] <= frame["x"] + 2
    # What is drawn at the frame's left edge, a third of the way down, is a lane label.
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('svg').getAttribute('class')",
        [frame["x"] + 40, lanes["y"] + lanes["height"] / 3],
    )
    assert "pb-swimlane-lanes" in on_top
    texts = labels.evaluate("svg => [...svg.querySelectorAll('text')].map(t => t.textContent)")
    teams = {t["name"] for t in raw_example()["teams"]}
    assert any(t in " ".join(texts) for t in teams)
    # The last handoff's boxes are inside the frame now: nothing is cut off for good.
    last = page.locator("svg.pb-swimlane g.handoff").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= frame["x"] + frame["width"] + 1


def test_swimlane_cuts_no_clock_short(tab, site_url) -> None:
    page = tab()
    page.goto(site_url + "handoffs/")
    texts = page.eval_on_selector_all("svg.pb-swimlane text", "ts => ts.map(t => t.textContent)")
    assert texts and not [t for t in texts if t.endswith("…")]


def test_a_routed_handoff_is_marked_and_a_long_clock_is_wrapped_not_cut() -> None:
    handoff = {
        "id": "routed",
        "from": "marketer",
        "to": [{"role": "fulfiller", "when": "it is a big order"}, {"role": "sdr"}],
        "sla": {"accept": "15 business minutes", "first_reply_to_the_buyer": "2 business hours"},
    }
    drawing = swimlane_figure(Playbook.model_validate({**base_data(), "handoffs": [handoff]}))
    group = re.search(r'<g class="handoff"[^>]*>', drawing)
    assert group is not None and 'data-routed="true"' in group.group(0)
    assert "routed:" in drawing and 'stroke-dasharray="5 3"' in drawing
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", drawing)
    assert "…" not in "".join(texts)
    assert "15 business minutes" in texts
    assert 'class="pb-swimlane-lanes" aria-hidden="true"' in drawing


def test_handoffs_overview_says_each_handoff_once(tab, site_url) -> None:
    page = tab()
    page.goto(site_url + "handoffs/")
    article = page.locator("article")
    headers = article.locator("table thead th").all_inner_texts()
    assert len(headers) == len(set(headers))
    links = page.locator("article a[href]:not(.headerlink)").evaluate_all(
        "as => as.filter(a => !a.closest('svg')).map(a => a.getAttribute('href'))"
    )
    for handoff in raw_example()["handoffs"]:
        own = [h for h in links if re.fullmatch(rf"(\./)?{handoff['id']}/", h)]
        assert len(own) == 1, f"{handoff['id']} is linked {len(own)} times outside the drawing"


def _site_pages(site: Path) -> list[str]:
    pages = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if relative == "404.html" or relative.startswith(("assets/", "search/")):
            continue
        pages.append(relative.removesuffix("index.html"))
    return pages


_STICKING_OUT = """() => {
    const inScrollBox = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if ((o === "auto" || o === "scroll") && p.getBoundingClientRect().right <= innerWidth + 1) {
                return true;
            }
        }
        return false;
    };
    return [...document.querySelectorAll(".md-content *")]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1 && el.checkVisibility())
        .filter(el => !inScrollBox(el))
        .map(el => el.tagName.toLowerCase() + "." + String(el.className).split(" ")[0]);
}"""


def test_no_page_scrolls_sideways_on_a_phone(tab, site_url, example_site, artifacts) -> None:
    """Every page at 390 px: the page itself never scrolls sideways, and nothing in the content
    sticks out past the screen unless it is inside a box that scrolls (and so can be reached)."""
    page = tab(PHONE)
    pages = _site_pages(example_site)
    assert len(pages) > 50
    wide: dict[str, object] = {}
    for relative in pages:
        page.goto(site_url + relative)
        width = page.evaluate("document.documentElement.scrollWidth")
        cut = page.evaluate(_STICKING_OUT)
        if width > PHONE["width"] or cut:
            wide[relative] = (width, cut[:3])
            name = re.sub(r"[^a-z0-9]+", "-", relative.lower()).strip("-") or "home"
            page.screenshot(path=str(artifacts / f"overflow-390-{name}.png"))
    assert wide == {}
