"""The built example as a person sees it, in headless Chromium (Playwright)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from test_site import letters_by_role, raw_example

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(example_site: Path, serve) -> str:
    return serve(example_site)


@pytest.fixture
def page(browser, site_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(site_url) else outside.append(r.url))
    tab.outside = outside
    yield tab
    context.close()


def audit(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_front_page_shows_the_lifecycle_diagram(page, site_url: str, artifacts: Path) -> None:
    page.goto(site_url)
    svg = page.locator(".pb-diagram svg").first
    box = svg.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 50
    stages = raw_example()["stages"]
    assert page.locator("svg.pb-lifecycle .stage").count() == len(stages)
    page.screenshot(path=str(artifacts / "front-page.png"), full_page=True)
    assert page.outside == []


def test_search_finds_a_role_by_name(page, site_url: str) -> None:
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").focus()
    page.keyboard.type("Agency Designer", delay=30)
    result = page.locator(".md-search-result__item a[href*='roles/agency-designer']").first
    result.wait_for(timeout=15000)
    assert "Agency Designer" in result.inner_text()


def test_matrix_filter_narrows_rows_to_one_role(page, site_url: str, artifacts: Path) -> None:
    page.goto(site_url + "raci/")
    page.screenshot(path=str(artifacts / "matrix.png"), full_page=False)
    total = len(raw_example()["activities"])
    rows = page.locator("table.pb-matrix tbody tr[id]")
    assert rows.count() == total
    assert page.locator(".pb-filter").is_visible()
    page.select_option("select[data-filter=role]", "agency-designer")
    expected = set().union(*letters_by_role(raw_example(), "agency-designer").values())
    visible = set(
        page.eval_on_selector_all(
            "table.pb-matrix tbody tr[id]:not([hidden])", "rows => rows.map(r => r.id)"
        )
    )
    assert visible == expected
    assert page.locator(".pb-count").inner_text() == f"{len(expected)} of {total} activities"
    page.screenshot(path=str(artifacts / "matrix-filtered.png"), full_page=False)


def test_matrix_filter_works_from_the_keyboard(page, site_url: str) -> None:
    page.goto(site_url + "raci/")
    page.locator("input[data-filter=text]").focus()
    page.keyboard.type("catalogue")
    visible = page.eval_on_selector_all(
        "table.pb-matrix tbody tr[id]:not([hidden])", "rows => rows.map(r => r.id)"
    )
    names = {a["id"]: a["name"] for a in raw_example()["activities"]}
    assert visible and all("catalogue" in (names[v] + " ").lower() or v for v in visible)
    assert len(visible) < len(names)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.locator("select[data-filter=letter]").focus()
    page.keyboard.press("ArrowDown")
    letter = page.locator("select[data-filter=letter]").input_value()
    assert letter != ""
    shown = page.eval_on_selector_all(
        "table.pb-matrix tbody tr[id]:not([hidden])", "rows => rows.length"
    )
    assert 0 < shown <= len(names)


def test_role_page_reads_as_an_onboarding_page(page, site_url: str, artifacts: Path) -> None:
    page.goto(site_url + "roles/sdr/")
    headings = page.locator("article h2").all_inner_texts()
    assert any(h.startswith("What you own") for h in headings)
    assert any(h.startswith("Handoffs") for h in headings)
    page.screenshot(path=str(artifacts / "role-page.png"), full_page=True)
    assert page.outside == []


@pytest.mark.parametrize("path", ["", "roles/agency-designer/", "raci/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(page, site_url, axe_source, path, scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + path)
    violations = audit(page, axe_source)
    assert violations == [], "\n".join(map(str, violations))


def test_site_makes_no_requests_outside_the_local_server(page, site_url: str) -> None:
    for path in [
        "",
        "lifecycle/",
        "handoffs/",
        "raci/",
        "roles/owner/",
        "engagements/",
        "glossary/",
    ]:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    assert page.outside == []


def test_engagement_prints_to_a4_without_navigation(page, site_url, artifacts) -> None:
    from pypdf import PdfReader

    engagement = raw_example()["engagements"][0]
    page.goto(site_url + f"engagements/{engagement['id']}/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "engagement.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert 1 <= len(reader.pages) <= 4  # the example prints on 3 A4 pages
    for chrome in [
        "Skip to content",
        "Table of contents",
        "Search",
        "Made with",
        "Changing this playbook",
    ]:
        assert chrome not in text
    assert "Sign-off" in text
    assert re.search(r"Signature", text)


def test_standalone_engagement_file_matches_the_page(page, site_url, example_site) -> None:
    engagement = raw_example()["engagements"][0]
    standalone = example_site / "downloads" / f"engagement-{engagement['id']}.html"
    html = standalone.read_text(encoding="utf-8")
    assert "<style>" in html and "<a " not in html and "<script" not in html
    page.goto(site_url + f"downloads/engagement-{engagement['id']}.html")
    assert page.locator("h1").inner_text().startswith(engagement["name"][:20])
    assert page.outside == []


@pytest.mark.parametrize("width", [1366, 390])
def test_lifecycle_text_reads_at_11_px_or_more_at_each_width(
    browser, site_url: str, artifacts: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(site_url + "lifecycle/")
    shown = tab.locator("svg.pb-lifecycle, svg.pb-lifecycle-narrow").filter(visible=True)
    assert shown.count() == 1, "exactly one drawing of the lifecycle shows at a width"
    smallest = shown.first.evaluate(
        """svg => Math.min(...[...svg.querySelectorAll('text')].map(t => {
            const size = parseFloat(getComputedStyle(t).fontSize);
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return size * scale;
        }))"""
    )
    assert smallest >= 11, f"lifecycle text drawn at {smallest:.1f} px at {width} px wide"
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    tab.screenshot(path=str(artifacts / f"lifecycle-page-{width}.png"), full_page=True)
    context.close()
