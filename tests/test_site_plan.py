"""The page plan and what pages claim, checked against the model: every link of a
``render --out`` tree resolves inside it, every count of a letter a page states is the
model's, every clock a page names is the model's, and every name a template may use is in
REFERENCE.md.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLE, ROOT, write_tree
from conftest import load_synth as _synth
from markdown.extensions.toc import slugify as toc_slug
from pydantic import BaseModel

from generator.cli import cli
from generator.model import Markdown, Name, Playbook, Text
from generator.site import md_inline, plan, render, text, views
from generator.site.markdown import md_block
from generator.site.templates import BUILTIN_TEMPLATES, FILTERS, PAGE_NAMES
from generator.validate import check

STARTERS = ROOT / "generator" / "examples"

FEATURES = """\
organisation:
  name: Acme
  model: RACI
  business_hours: {timezone: Europe/London, holidays: [2026-12-25]}
teams:
  - id: marketing
    name: Marketing
    goals:
      - {id: leads, statement: Enough leads, metric: MQLs, target: 100, horizon: quarter,
         period: FY2027}
  - id: sales
    name: Sales
    business_hours: {start: "08:00", end: "18:00"}
roles:
  - {id: router, name: Lead router, team: marketing, kind: system}
  - id: sdr
    name: SDR
    team: sales
    business_hours: {timezone: local}
    goals:
      - {id: meetings, statement: Book meetings, metric: Meetings held, target: 12,
         horizon: month, period: per month}
  - {id: bdr, name: BDR, team: sales, business_hours: {timezone: America/New_York}}
  - {id: ae, name: Account Executive, team: sales}
  - {id: legal, name: Legal, team: sales}
  - {id: hom, name: Head of Marketing, team: marketing}
stages:
  - {id: mql, name: MQL, owner: router, maps_to: {Salesforce: Lead status MQL}}
  - {id: dev, name: Sales development, owner: sdr, max_duration: 10 business days}
  - {id: sqo, name: SQO, owner: ae, maps_to: {Salesforce: Opportunity stages 2–6, HubSpot: Deal}}
  - {id: won, name: Won, terminal: true}
  - {id: dq, name: Disqualified, terminal: true}
handoffs:
  - id: inbound
    name: Inbound lead routing
    from: router
    to:
      - {role: bdr, when: the account sits in a named territory}
      - {role: ae, when: the account has an open opportunity}
      - {role: sdr}
    stage: mql
    trigger: The lead becomes an MQL.
    sla:
      accept: 4 business hours
      first_touch:
        within: 15 business minutes
        target: 5 business minutes
        from: the lead becomes an MQL
        label: First touch (FT)
  - id: sdr-to-ae
    from: sdr
    to: ae
    stage: dev
    sla: {accept: 1 day, iqm: {within: 2 business days, from: the IQM is held, label: IQM}}
    on_reject:
      - {to: dev, when: the SDR can still qualify it, owner: sdr, reasons: [No budget yet],
         feedback: Reviewed at the Monday pipeline call}
      - {to: dq, when: there is no fit, reasons: [Competitor]}
activities:
  - id: contract
    name: Contract review
    area: Selling
    stage: sqo
    description: Checking the contract *before* it is signed.
    raci:
      A: [ae, {role: legal, when: the terms depart from the standard contract}]
      R: [{role: sdr, when: webinars and events}, {role: bdr, when: paid campaigns}]
      I: hom
    notes:
      sdr: drafts the summary only
  - id: plan
    name: Plan
    raci: {A: hom, R: router}
glossary:
  - {term: CSM, context: Channel programs, definition: Channel Sales Manager}
  - {term: CSM, context: Customer success, definition: Customer Success Manager}
"""
"""A playbook using every field the site shows, new and old."""


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("medium") / "playbook"
    _synth().write("M", folder, seed=0)
    return folder


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("features")
    write_tree(root, {"playbook/playbook.yaml": FEATURES})
    return root / "playbook"


SOURCES = ["example", "medium", "features", "agency", "b2b", "small-business"]


@pytest.fixture(scope="module", params=SOURCES)
def source(request: pytest.FixtureRequest) -> Path:
    if request.param == "example":
        return EXAMPLE
    if request.param in ("medium", "features"):
        folder: Path = request.getfixturevalue(request.param)
        return folder
    return STARTERS / request.param / "playbook"


def valid(folder: Path) -> Playbook:
    result = check(folder)
    assert result.playbook is not None, [d.format_text() for d in result.diagnostics]
    return result.playbook


def render_out(source: Path, out: Path, *options: str) -> dict[str, str]:
    """``playbook render SOURCE --out OUT``: the text files it wrote, by path."""
    result = CliRunner().invoke(cli, ["render", str(source), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return {
        p.relative_to(out).as_posix(): (
            p.read_text(encoding="utf-8") if p.suffix in (".md", ".html", ".yml") else ""
        )
        for p in files
    }


_MD_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]*)\)")
_HTML_LINK = re.compile(r"\b(?:href|src)=\"([^\"]*)\"")
_ID = re.compile(r"\bid=\"([^\"]+)\"|\{ #([\w-]+) \}")
_HEADING = re.compile(r"^#{1,6} (.+?)(?: \{ #[\w-]+ \})?$", re.MULTILINE)
_EXTERNAL = re.compile(r"^(https?:|mailto:)")


def _anchors(markdown: str) -> set[str]:
    found = {a or b for a, b in _ID.findall(markdown)}
    for heading in _HEADING.findall(markdown):
        plain = re.sub(r"\\(.)", r"\1", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading))
        found.add(toc_slug(plain.replace("&amp;", "&"), "-"))
    return found


def _page_of_url(url: str, directory_urls: bool) -> list[str]:
    """The files a site URL (relative to the root) may be built from."""
    if url.endswith("/") or url == "":
        return [url + "index.md", url.rstrip("/") + ".md"] if url else ["index.md"]
    if url.endswith(".html") and not directory_urls:
        return [url[: -len(".html")] + ".md", url]
    return [url]


def dead_links(tree: dict[str, str], *, directory_urls: bool) -> list[str]:
    """Every link or image of the tree's pages that goes nowhere inside the tree: HTML links
    (what the pages write) resolved from the page's URL, Markdown ones (a hand-written page)
    from the page's file; a ``#fragment`` must name an id of the target page."""
    dead = []
    anchors = {path: _anchors(content) for path, content in tree.items() if path.endswith(".md")}
    for page, content in tree.items():
        if not page.endswith(".md"):
            continue
        url = plan.page_url(page, directory_urls=directory_urls)
        base = url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)
        for target, raw in [(t, False) for t in _MD_LINK.findall(content)] + [
            (t, True) for t in _HTML_LINK.findall(content)
        ]:
            if _EXTERNAL.match(target):
                continue
            address, _, anchor = target.partition("#")
            address = address.partition("?")[0]  # a query (the matrix's filter) is no page
            if raw:
                resolved = posixpath.normpath(posixpath.join(base, address)) if address else url
                resolved = "" if resolved == "." else resolved
                if address.endswith("/") and resolved:
                    resolved += "/"
                files = _page_of_url(resolved, directory_urls) if address else [page]
            else:
                folder = posixpath.dirname(page)
                files = [posixpath.normpath(posixpath.join(folder, address))] if address else [page]
            found = next((f for f in files if f in tree), None)
            if found is None:
                dead.append(f"{page}: {target}")
            elif anchor and found.endswith(".md") and anchor not in anchors[found]:
                dead.append(f"{page}: {target} (no #{anchor} in {found})")
    return dead


def links_are_final_urls(tree: dict[str, str]) -> None:
    """The pages link in HTML (``href``/``src``: the site's final URLs, as the plugin serves
    them), never in Markdown an engine would have to rewrite; and there are links to check."""
    pages = {path: content for path, content in tree.items() if path.endswith(".md")}
    in_markdown = [
        f"{path}: {target}"
        for path, content in pages.items()
        for target in _MD_LINK.findall(re.sub(r"<code>.*?</code>", "", content, flags=re.DOTALL))
    ]
    assert in_markdown == []
    assert sum(len(_HTML_LINK.findall(content)) for content in pages.values()) > len(pages)


def test_every_link_and_image_of_render_out_resolves_inside_the_tree(
    source: Path, tmp_path: Path
) -> None:
    tree = render_out(source, tmp_path / "out")

    if valid(source).engagements:
        assert [p for p in tree if p.startswith("downloads/engagement-")], "no printable pages"
    links_are_final_urls(tree)
    assert dead_links(tree, directory_urls=True) == []
    nav = yaml.safe_load(tree[".nav.yml"])["nav"]
    listed = re.findall(r"'([^']+\.md)'", repr(nav))
    assert listed and [p for p in listed if p not in tree] == []


def test_links_resolve_without_directory_urls_too(tmp_path: Path) -> None:
    tree = render_out(EXAMPLE, tmp_path / "out", "--no-directory-urls")

    links_are_final_urls(tree)
    assert any(".html" in link for c in tree.values() for link in _HTML_LINK.findall(c))
    assert dead_links(tree, directory_urls=False) == []


def test_a_link_to_a_missing_page_is_reported(tmp_path: Path) -> None:
    page = '[B](b.md) <a href="../teams/x/">x</a> [C](c.md#nope)'
    tree = {"roles/a.md": page, "roles/c.md": ""}

    assert dead_links(tree, directory_urls=True) == [
        "roles/a.md: b.md",
        "roles/a.md: c.md#nope (no #nope in roles/c.md)",
        "roles/a.md: ../teams/x/",
    ]


_COUNT_WORDS = re.compile(
    r"(exactly|at least|at most|between) (one|\d[\d,]*)(?: and (one|\d[\d,]*))?"
    r" (?:<strong>(?P<key>[A-Z])</strong>|[^()|\n]*?\((?P<named>[A-Z])\))"
)


def _number(word: str) -> int:
    return 1 if word == "one" else int(word.replace(",", ""))


def letter_claims(page: str) -> list[tuple[str, int, int | None]]:
    """Each ``(letter, min, max)`` a page's HTML states ("Each row has exactly one
    <strong>A</strong>", "every activity has at least one Decide (D)")."""
    claims: list[tuple[str, int, int | None]] = []
    for match in _COUNT_WORDS.finditer(page):
        how, first, second = match.group(1), _number(match.group(2)), match.group(3)
        key = match.group("key") or match.group("named")
        bounds = {
            "exactly": (first, first),
            "at least": (first, None),
            "at most": (0, first),
            "between": (first, _number(second) if second else None),
        }[how]
        claims.append((key, *bounds))
    return claims


def _model_bounds(playbook: Playbook, key: str) -> tuple[str, int, int | None]:
    letter = playbook.model.letters[key]
    return key, letter.min or 0, letter.max


def _one_activity_playbook(model: str, letters: dict[str, Any]) -> dict[str, str]:
    """A small valid playbook under ``model`` whose only activity holds ``letters``."""
    organisation = {"organisation": {"name": "Acme", "model": model}}
    if letters.get("models"):
        organisation["models"] = letters.pop("models")
    return {
        "playbook/organisation.yaml": yaml.safe_dump(organisation),
        "playbook/teams.yaml": yaml.safe_dump(
            {
                "teams": [{"id": "t", "name": "Team"}],
                "roles": [{"id": f"r{i}", "name": f"Role {i}", "team": "t"} for i in range(3)],
                "activities": [{"id": "a", "name": "Work", "raci": letters["raci"]}],
            }
        ),
    }


MODELS = {
    "RACI": {"raci": {"A": "r0", "R": "r1"}},
    "DACI": {"raci": {"D": "r0", "A": "r1"}},
    "at-least-one": {
        "models": {
            "CUSTOM": {
                "letters": {
                    "D": {"name": "Decide", "min": 1, "accountable": True},
                    "P": {"name": "Perform"},
                }
            }
        },
        "raci": {"D": ["r0", {"role": "r1", "when": "the budget is over 10k"}], "P": "r2"},
    },
    "between": {
        "models": {
            "CUSTOM": {
                "letters": {"D": {"name": "Decide", "min": 1, "max": 3, "accountable": True}}
            }
        },
        "raci": {"D": ["r0", {"role": "r1", "when": "the budget is over 10k"}]},
    },
    "no-count": {
        "models": {
            "CUSTOM": {
                "letters": {
                    "D": {"name": "Decide", "accountable": True},
                    "P": {"name": "Perform", "min": 1},
                }
            }
        },
        "raci": {"D": ["r0", "r1"], "P": "r2"},
    },
}


@pytest.mark.parametrize("name", list(MODELS))
def test_every_count_of_a_letter_a_page_states_is_the_models(name: str, tmp_path: Path) -> None:
    spec = dict(MODELS[name])
    model = "CUSTOM" if "models" in spec else name
    write_tree(tmp_path, _one_activity_playbook(model, spec))
    playbook = valid(tmp_path / "playbook")

    pages = render(playbook).pages
    claims = [(path, claim) for path, page in pages.items() for claim in letter_claims(page.html())]

    wrong = [(p, c) for p, c in claims if c != _model_bounds(playbook, c[0])]
    assert wrong == []
    accountable = playbook.accountable_letter
    stated = {page for page, claim in claims if claim[0] == accountable}
    if playbook.requirement_phrase(accountable):
        assert {"index.md", "raci/index.md"} <= stated
    else:
        assert stated == set(), "a page claims a count the model does not set"


def test_pages_of_the_example_and_m_claim_only_the_models_counts(source: Path) -> None:
    playbook = valid(source)

    pages = render(playbook).pages
    claims = {claim for page in pages.values() for claim in letter_claims(page.html())}

    assert claims, "the pages state the accountable letter's count"
    assert {c for c in claims if c != _model_bounds(playbook, c[0])} == set()


def test_the_claim_reader_reads_the_forms_pages_use() -> None:
    page = (
        "every activity has at least one Decide (D). Each row has exactly one <strong>A</strong>. "
        "Each row has between 1 and 3 <strong>P</strong>."
    )
    assert letter_claims(page) == [("D", 1, None), ("A", 1, 1), ("P", 1, 3)]


_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.DOTALL)
_ITEM = re.compile(r"<li\b[^>]*>(.*?)</li>", re.DOTALL)
_GLOSSARY_MARK = re.compile(r"</?abbr\b[^>]*>")


def page_html(site: Any) -> dict[str, str]:
    """Each page's article HTML, by path, without the glossary's marks (a term's text is
    still there: only its tooltip goes)."""
    return {path: _GLOSSARY_MARK.sub("", page.html()) for path, page in site.pages.items()}


def table_rows(page: str) -> list[list[str]]:
    """Each row of every table of a page's HTML: its cells' inner HTML."""
    return [_CELL.findall(row) for row in _ROW.findall(page)]


def section(page: str, ident: str) -> str:
    """The HTML of a page between the heading ``ident`` and the next heading of any level
    (a ``KeyError`` when the page has no such heading)."""
    head = re.search(rf'<h[1-6] id="{re.escape(ident)}">', page)
    if head is None:
        raise KeyError(ident)
    return re.split(r"<h[1-6][ >]", page[head.end() :], maxsplit=1)[0]


def test_the_clock_each_page_names_is_the_models(source: Path) -> None:
    playbook = valid(source)
    pages = page_html(render(playbook))

    for handoff in playbook.handoffs:
        page = pages[f"handoffs/{handoff.id}.md"]
        clocks = {route.role: playbook.sla_clock(handoff, route) for route in handoff.routes}
        shared = len({(c.describe(), c.hours.holidays) for c in clocks.values()}) == 1
        business = any(
            d.business for c in handoff.clocks for d in (c.within, c.target) if d is not None
        )
        for role_id, clock in clocks.items():
            if shared:
                for sla in handoff.clocks:
                    row = next(
                        cells
                        for cells in table_rows(section(page, "clocks"))
                        if cells[:2] == [text(sla.label), text(str(sla.within))]
                    )
                    said = clock.describe() if sla.within.business else "calendar time"
                    assert row[-1].endswith(f"({text(said)})"), (handoff.id, row)
            if business:
                assert text(clock.describe()) in page, handoff.id
                assert f"({text(clock.describe())})" in pages[f"roles/{role_id}.md"]
        if business and shared:
            clock = next(iter(clocks.values()))
            role = playbook.role(handoff.receiver)
            whose = (
                (f"the {clock.team}'s own" if role.business_hours else f"{clock.team}'s")
                if clock.team
                else ("the built-in default" if clock.assumed else "the organisation's")
            )
            assert f"on {text(whose)} business hours: {text(clock.describe())}" in page
        if not business and handoff.clocks:
            assert "business hours" not in section(page, "clocks")
    for stage in playbook.stages:
        if stage.max_duration:
            words = playbook.stage_clock(stage).words(stage.max_duration)
            row = ["Time allowed in the stage", text(words)]
            assert row in table_rows(pages[f"lifecycle/{stage.id}.md"])
    for engagement in playbook.engagements:
        window = engagement.approvals.review_window if engagement.approvals else None
        if window:
            words = playbook.review_clock(engagement).words(window)
            said = f"within <strong>{text(words)}</strong>"
            assert said in pages[f"engagements/{engagement.id}.md"]


def test_a_clock_in_calendar_units_is_calendar_time_and_a_default_is_assumed(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "playbook/playbook.yaml": """\
organisation: {name: Acme}
teams: [{id: t, name: Team}]
roles: [{id: a, name: Alpha, team: t}, {id: b, name: Beta, team: t}]
handoffs:
  - {id: calendar, from: a, to: b, sla: {reply: 24 hours}}
  - {id: business, from: b, to: a, sla: {reply: 4 business hours}}
activities: [{id: w, name: Work, raci: {A: a, R: b}}]
""",
        },
    )
    pages = page_html(render(valid(tmp_path / "playbook")))

    calendar = pages["handoffs/calendar.md"]
    assert "reply within 24 hours (calendar time)" in calendar
    assert "business hours" not in calendar and "Mon–Fri" not in calendar
    assert "The clocks run in calendar time." in calendar
    business = pages["handoffs/business.md"]
    assert (
        "The clocks run on the built-in default business hours: Mon–Fri 09:00–17:00 UTC "
        "(assumed: the playbook sets no business hours)."
    ) in business
    assert text("organisation's") not in business and "organisation's" not in business


def test_each_route_runs_on_its_roles_clock_and_local_time_is_said(features: Path) -> None:
    pages = page_html(render(valid(features)))

    page = pages["handoffs/inbound.md"]
    routing = section(page, "routing")
    routes = _ITEM.findall(routing.split("<ol>", 1)[1].split("</ol>", 1)[0])
    assert len(routes) == 3
    bdr, sdr_link = '<a href="../../roles/bdr/">BDR</a>', '<a href="../../roles/sdr/">SDR</a>'
    assert routes[0] == f"If the account sits in a named territory → {bdr} (Sales)"
    assert routes[2] == f"Otherwise → {sdr_link} (Sales)"
    hours = _ITEM.findall(section(page, "clocks"))
    assert (
        f"{bdr}: {text('the BDR' + chr(39) + 's own business hours')}, "
        "Mon–Fri 08:00–18:00 America/New_York, except 25 December 2026"
    ) in hours
    assert (
        f"{sdr_link}: {text('the SDR' + chr(39) + 's own business hours')}, Mon–Fri 08:00–18:00, "
        f"{text('the holder' + chr(39) + 's local time')}, except 25 December 2026"
    ) in hours
    assert [
        "First touch (FT)",
        "15 business minutes",
        "5 business minutes",
        "when the lead becomes an MQL",
    ] in [cells[:4] for cells in table_rows(page)]
    sdr = pages["roles/sdr.md"]
    local = text("the holder's local time")
    assert f"works Mon–Fri 08:00–18:00, {local}" in sdr
    assert (
        "First touch (FT) within 15 business minutes (aim: 5 business minutes) from when the "
        f"lead becomes an MQL (Mon–Fri 08:00–18:00, {local})"
    ) in sdr
    assert f"— at most 10 business days (Mon–Fri 08:00–18:00, {local}) →" in sdr


def _validators(alias: Any) -> set[Any]:
    return {getattr(m, "func", m) for m in typing.get_args(alias)[1:]}


_PROSE = next(m for m in typing.get_args(Markdown)[1:] if type(m).__name__ == "Prose")
_PLAIN = (_validators(Text) | _validators(Name)) - {None}


def _kind(metadata: list[Any]) -> str | None:
    """``md`` for a Markdown field, ``text`` for plain text, None for anything else."""
    if any(type(m) is type(_PROSE) for m in metadata):
        return "md"
    funcs = {getattr(m, "func", None) for m in metadata}
    if funcs & {v for v in _PLAIN if callable(v)}:
        return "text"
    return None


def _fits(annotation: Any, value: Any) -> bool:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(arg, value) for arg in typing.get_args(annotation))
    if origin is not None:
        return isinstance(value, origin)
    return annotation is Any or (isinstance(annotation, type) and isinstance(value, annotation))


def texts_of(
    value: Any, annotation: Any, metadata: list[Any], path: str
) -> Iterator[tuple[str, str, str]]:
    """(path, value, ``text`` or ``md``) for every text field inside ``value``, read from the
    declarations (a new text field is checked without a word here)."""
    if value is None:
        return
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        yield from texts_of(value, base, [*metadata, *extra], path)
        return
    kind = _kind(metadata)
    if kind and isinstance(value, str):
        yield path, value, kind
        return
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if _fits(arg, value):
                yield from texts_of(value, arg, metadata, path)
                return
        return
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from texts_of(
                getattr(value, name), info.annotation, info.metadata, f"{path}.{name}"
            )
    elif origin is tuple and isinstance(value, tuple):
        item = typing.get_args(annotation)[0]
        for n, entry in enumerate(value):
            yield from texts_of(entry, item, [], f"{path}[{n}]")
    elif origin is dict and isinstance(value, dict):
        key_type, value_type = typing.get_args(annotation)
        for key, entry in value.items():
            yield from texts_of(key, key_type, [], f"{path}.{{{key}}}")
            yield from texts_of(entry, value_type, [], f"{path}.{key}")


def shown_forms(value: str, kind: str) -> list[str]:
    """How a value may read in a page's HTML: a Markdown field as HTML (blocks, or inline on
    one line), plain text escaped (alone or after other words)."""
    if kind == "md":
        return [md_block(value), md_inline(value)]
    return [text(value), text("x " + value)[2:]]


def test_every_text_field_of_every_entry_appears_on_a_page(source: Path) -> None:
    playbook = valid(source)
    everything = "\n".join(page_html(render(playbook)).values())

    fields = list(texts_of(playbook, Playbook, [], ""))
    missing = [
        (path, value)
        for path, value, kind in fields
        if not any(form in everything for form in shown_forms(value, kind))
    ]

    assert fields, "no text field found: the walk over the declarations is broken"
    assert missing == []


def test_the_field_walk_finds_the_new_fields(features: Path) -> None:
    paths = {path for path, _, _ in texts_of(valid(features), Playbook, [], "")}

    for expected in (
        ".handoffs[0].name",
        ".handoffs[0].to[0].when",
        ".handoffs[0].sla.first_touch.from_",
        ".handoffs[0].sla.first_touch.label",
        ".handoffs[1].on_reject[0].when",
        ".handoffs[1].on_reject[0].reasons[0]",
        ".handoffs[1].on_reject[0].feedback",
        ".activities[0].raci.A[1].when",
        ".activities[0].description",
        ".roles[1].goals[0].period",
        ".stages[2].maps_to.{HubSpot}",
        ".stages[2].maps_to.HubSpot",
        ".glossary[1].context",
    ):
        assert expected in paths


def test_a_stage_owned_by_a_team_with_its_own_hours_names_that_teams_clock(
    tmp_path: Path,
) -> None:
    """Only the owner's team sets hours: the stage page, the handoff page and ``check`` all
    reason about that team's clock, not the assumed default."""
    write_tree(
        tmp_path,
        {
            "playbook/playbook.yaml": """\
organisation: {name: Acme}
teams:
  - {id: ops, name: Ops, business_hours: {start: "08:00", end: "16:00", timezone: Europe/Paris}}
  - {id: sales, name: Sales}
roles:
  - {id: lead, name: Lead, team: ops}
  - {id: rep, name: Rep, team: sales}
stages:
  - {id: new, name: New, owner: lead, max_duration: 2 business days, next: [done]}
  - {id: done, name: Done, owner: rep, terminal: true}
handoffs:
  - {id: pass, from: rep, to: lead, stage: new, sla: {accept: 4 business hours, close: 1 day}}
activities:
  - {id: a, name: Work, raci: {A: lead, R: rep}}
""",
        },
    )
    result = check(tmp_path / "playbook")
    assert result.playbook is not None
    playbook = result.playbook

    pages = page_html(render(playbook))

    stage = pages["lifecycle/new.md"]
    assert "2 business days (Mon–Fri 08:00–16:00 Europe/Paris)" in stage
    handoff = pages["handoffs/pass.md"]
    assert "accept within 4 business hours (Mon–Fri 08:00–16:00 Europe/Paris)" in handoff
    assert "close within 1 day (calendar time)" in handoff
    assert text("run on Ops's business hours: Mon–Fri 08:00–16:00 Europe/Paris") in handoff
    assert "the others run in calendar time" in handoff
    default_hours = [d for d in result.warnings if "default-hours" in d.format_text()]
    stage_warnings = [d for d in default_hours if "stages[0]" in d.format_text()]
    assert stage_warnings == [], "check assumes a clock the stage page does not show"


def _reference_section() -> dict[str, set[str]]:
    """REFERENCE.md's "Templates you can override": heading → the names of its table rows."""
    reference = (ROOT / "REFERENCE.md").read_text(encoding="utf-8")
    section = reference.split("\n## Templates you can override\n", 1)[1]
    assert "\n## " not in section, "the templates section must stay the last of REFERENCE.md"
    found: dict[str, set[str]] = {}
    heading = ""
    for line in section.splitlines():
        if line.startswith("#"):
            heading = line.strip()
            found[heading] = set()
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match:
            found[heading].add(match[1])
    return found


def _view_of(kind: plan.PageKind) -> type[Any]:
    view: type[Any] = typing.get_type_hints(kind.view)["return"]
    return view


def _values_in(view: type[Any]) -> list[type[Any]]:
    """The view and every dataclass of :mod:`generator.site.views` its fields lead to."""
    seen: list[type[Any]] = []
    pending = [view]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.append(cls)
        for field in dataclasses.fields(cls):
            for name in re.findall(r"\b([A-Z]\w+)\b", str(field.type)):
                # a value the package does not export is still one a template gets
                value = getattr(views, name, None) or getattr(
                    sys.modules[cls.__module__], name, None
                )
                if (
                    dataclasses.is_dataclass(value)
                    and isinstance(value, type)
                    and value.__module__.startswith(views.__name__)
                ):
                    pending.append(value)
    return seen


def test_every_name_a_page_template_gets_is_documented_and_nothing_more() -> None:
    documented = _reference_section()
    for kind in plan.KINDS:
        names = {f.name for f in dataclasses.fields(_view_of(kind))}
        heading = f"### `{kind.template}`"
        assert documented.get(heading) == names, f"{heading}: view {_view_of(kind).__name__}"


def test_every_value_inside_a_view_is_documented_with_its_fields() -> None:
    documented = _reference_section()
    page_views = {_view_of(kind) for kind in plan.KINDS}
    values = {cls for kind in plan.KINDS for cls in _values_in(_view_of(kind))} - page_views
    for cls in values:
        heading = f"#### `{cls.__name__}`"
        assert documented.get(heading) == {f.name for f in dataclasses.fields(cls)}, heading
    stale = {h for h in documented if h.startswith("#### ")} - {
        f"#### `{cls.__name__}`" for cls in values
    }
    assert stale == set(), "documented values no view has"


def test_the_filters_and_the_names_every_page_has_are_documented() -> None:
    documented = _reference_section()

    assert documented["### Filters"] == set(FILTERS)
    assert documented["### Names every page template has"] == set(PAGE_NAMES)


def test_every_template_file_is_documented_and_every_documented_one_exists() -> None:
    documented = {h[5:-1] for h in _reference_section() if h.startswith("### `")}
    files = {p.name for p in BUILTIN_TEMPLATES.glob("*.html.j2") if not p.name.startswith("_")}

    assert [p.name for p in BUILTIN_TEMPLATES.glob("*.md.j2")] == []

    assert files == documented
    assert {kind.template for kind in plan.KINDS} == files


def test_a_template_overridden_by_name_is_used(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "templates/glossary.html.j2": "<h1>Words</h1>\n<ul>{% for g in entries %}"
            "<li>{{ g.term | text }}</li>{% endfor %}</ul>\n"
        },
    )

    tree = render_out(EXAMPLE, tmp_path / "out", "--templates", str(tmp_path / "templates"))

    assert tree["glossary.md"].split("---\n\n", 1)[1].startswith("# Words { #words }\n\n<ul><li>")
    assert "# Roles { #roles }" in tree["roles/index.md"]


def test_a_template_under_its_former_markdown_name_is_refused(tmp_path: Path) -> None:
    """``role.md.j2`` drew the role pages when they were Markdown: an override of that name
    would be ignored now, so it is one error naming the file, and nothing is written."""
    write_tree(tmp_path, {"templates/role.md.j2": "# {{ role.name | text }}\n"})
    out = tmp_path / "out"

    result = CliRunner().invoke(
        cli, ["render", str(EXAMPLE), "--out", str(out), "--templates", str(tmp_path / "templates")]
    )

    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.output
    where, _, message = errors[0].partition(":1:1: error: ")
    assert where.endswith("templates/role.md.j2") and "role.html.j2" in message, errors[0]
    assert not out.exists()


def test_links_made_by_the_plan_name_its_pages() -> None:
    playbook = valid(EXAMPLE)
    site_plan = plan.Plan(playbook)
    paths = {page.path for page in site_plan.pages}

    for kind in plan.KINDS:
        for ident in kind.entries(site_plan):
            assert site_plan.target("raci" if kind.name == "areas" else kind.name, ident) in paths
    for activity in playbook.activities:
        assert site_plan.target("activity", activity.id) in paths
