"""User text is data, never code: hostile names and Markdown in every field that reaches a page.

The filters are tested one by one (their HTML read as a browser's parser reads it), then
whole pages in both of their wrappers: the article's HTML the plugin hands MkDocs, and the
Markdown file ``render --out`` writes, converted by Python-Markdown as plain MkDocs or
Zensical would. Then in a real build: statically (every HTML file, the search index) and in
Chromium, page by page (no dialog, no global set, no element or attribute from a payload,
and every name visible as text where it belongs).
"""

from __future__ import annotations

import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from click.testing import CliRunner
from conftest import build_site, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from test_site_plan import texts_of

from generator.cli import cli
from generator.model import Playbook
from generator.site import (
    EXTENSIONS,
    Page,
    make_environment,
    md,
    md_block,
    md_inline,
    render,
    safe_url,
    text,
    title_text,
)
from generator.site.markdown import FIELD_EXTENSIONS, md_text
from generator.site.page import finish
from generator.text import drop_controls
from generator.validate import check

OUT_EXTENSIONS = list(EXTENSIONS)
"""What a Markdown file of ``render --out`` needs from its engine (``attr_list``, ``toc``)."""
SITE_EXTENSIONS = ["tables", "attr_list", "md_in_html", "abbr", "def_list", "admonition", "toc"]
"""What a typical site adds (the example project's ``mkdocs.yml``): the same file must stay
inert under them too."""

PAYLOADS = {
    "script": "<script>window.pwned=1</script>",
    "img": "<img src=x onerror=window.pwned=1>",
    "title": "</title><script>window.pwned=1</script>",
    "svg": "<svg onload=window.pwned=1>",
    "comment": "<!-- an open comment",
    "javascript-link": "[js](JaVaScRiPt:window.pwned=1)",
    "entity-link": "[ent](java&#115;cript:window.pwned=1)",
    "tab-link": "[tab](java\tscript:window.pwned=1)",
    "newline-link": "[nl](java\nscript:window.pwned=1)",
    "reference-link": "[ref][9]\n\n[9]: javascript:window.pwned=1",
    "list-reference": "[lref][8]\n\n- [8]: javascript:window.pwned=1",
    "autolink": "<javascript:window.pwned=1>",
    "data-image": "![pic](data:text/html;base64,PHNjcmlwdD53aW5kb3cucHduZWQ9MTwvc2NyaXB0Pg==)",
    "quote-break": '[q](http://example.com/" onmouseover="window.pwned=1)',
    "link-title": '[lt](https://example.com/ "<img src=x onerror=window.pwned=1>")',
    "definition-title": (
        '[dt][7]\n\n[7]: https://example.com/\n    "<img src=x onerror=window.pwned=1>"'
    ),
    "jinja": "{{ 7*7 }} {% include 'role.md.j2' %}",
    "attr-list": "attr {: onclick=window.pwned=1 .pwned-class #pwned-id } "
    "{ onmouseover=window.pwned=1 }",
    "table-break": "pipe | tick ` bracket [ end",
    "escaped-backtick": "\\`<img src=x onerror=window.pwned=1>`",
    "code-across-paragraphs": "`a\n\n<img src=x onerror=window.pwned=1>\n\nb`",
    "table-and-list": "| user | table |\n| --- | --- |\n| 1 | 2 |\n\n- loose\n\n- list",
    "raw-table": "<table><tr><td>cell</td></tr></table> <tr><td>",
}
"""At least ten kinds of payload; every field that reaches a page gets all of them."""

NAME_PAYLOAD = " ".join(PAYLOADS.values())
MD_PAYLOAD = "**Bold stays bold.**\n\n" + "\n\n".join(PAYLOADS.values())


def name(label: str) -> str:
    return f"{label} {NAME_PAYLOAD}"


def shown(value: str) -> str:
    """How a plain-text value reads on the page: whitespace collapsed."""
    return " ".join(value.split())


def hostile_playbook() -> dict[str, str]:
    """A valid playbook with payloads in every field that reaches a page."""
    people = [name("Person0"), name("Person1")]
    teams = [
        {
            "id": f"t{k}",
            "name": name(f"Team{k}"),
            "kind": "external" if k == 1 else "internal",
            "purpose": MD_PAYLOAD,
            "horizon": name(f"Horizon{k}"),
            "goals": [
                {
                    "id": "g",
                    "statement": name(f"Goal{k}"),
                    "metric": name(f"Metric{k}"),
                    "target": name(f"Target{k}"),
                    "horizon": name(f"GoalHorizon{k}"),
                    "period": name(f"GoalPeriod{k}"),
                }
            ],
        }
        for k in range(2)
    ]
    roles = [
        {
            "id": f"r{k}",
            "name": name(f"Role{k}"),
            "team": f"t{1 if k == 2 else 0}",
            "summary": MD_PAYLOAD,
            "holders": people if k < 2 else [name("Agency person")],
            "business_hours": {"timezone": "local"} if k == 1 else {"start": "08:00"},
            "goals": [
                {
                    "id": "rg",
                    "statement": name(f"RoleGoal{k}"),
                    "metric": name(f"RoleMetric{k}"),
                    "target": name(f"RoleTarget{k}"),
                    "horizon": name(f"RoleHorizon{k}"),
                    "period": name(f"RolePeriod{k}"),
                }
            ],
        }
        for k in range(3)
    ]
    stages = [
        {
            "id": f"s{k}",
            "name": name(f"Stage{k}"),
            "owner": f"r{k % 2}",
            "definition": MD_PAYLOAD,
            "entry": [name(f"Entry{k}")],
            "exit": [name(f"Exit{k}")],
            "reasons": [name(f"Reason{k}")],
            "maps_to": {name(f"System{k}"): name(f"SystemValue{k}")},
            **({"terminal": True} if k == 2 else {}),
        }
        for k in range(3)
    ]
    handoffs: list[dict[str, Any]] = [
        {
            "id": f"h{k}",
            "from": f"r{k}",
            "to": f"r{(k + 1) % 3}",
            "stage": f"s{k}",
            "trigger": MD_PAYLOAD,
            "passes": [name(f"Passes{k}")],
            "sla": {"accept": "4 business hours", "first_contact": "1 day"},
            "on_reject": {"to": "s0", "reasons": [name(f"Rejected{k}")], "feedback": MD_PAYLOAD},
            "escalation": MD_PAYLOAD,
        }
        for k in range(2)
    ]
    handoffs.append(
        {
            "id": "h2",
            "name": name("Handoff2"),
            "from": "r0",
            "to": [{"role": "r2", "when": name("Route0")}, {"role": "r1"}],
            "stage": "s1",
            "sla": {
                "first_touch": {
                    "within": "15 business minutes",
                    "target": "5 business minutes",
                    "from": name("Start2"),
                    "label": name("Clock2"),
                },
                "close": {"within": "2 days", "label": name("Close2")},
            },
            "on_reject": [
                {
                    "to": "s0",
                    "when": name("Outcome0"),
                    "owner": "r0",
                    "reasons": [name("OutcomeReason0")],
                    "feedback": MD_PAYLOAD,
                },
                {"to": "s1", "when": name("Outcome1")},
            ],
        }
    )
    activities = [
        {
            "id": f"a{k}",
            "name": name(f"Activity{k}"),
            "area": name(f"Area{k}"),
            "stage": f"s{k}",
            "description": MD_PAYLOAD,
            "raci": {
                "D": ["r0", {"role": "r1", "when": name(f"Condition{k}")}],
                "P": ["r1", {"role": "r2", "when": name(f"PerformWhen{k}")}],
                "R": "r2",
            },
            "notes": {"r1": MD_PAYLOAD, "r2": MD_PAYLOAD},
        }
        for k in range(3)
    ]
    engagements = [
        {
            "id": "e0",
            "name": name("Engagement0"),
            "party": "t1",
            "client_contact": "r0",
            "party_contact": "r2",
            "summary": MD_PAYLOAD,
            "in_scope": ["a0", "a1"],
            "out_of_scope": ["a2"],
            "deliverables": [
                {"name": name("Deliverable0"), "quantity": 2, "description": MD_PAYLOAD}
            ],
            "approvals": {"approver": "r0", "review_window": "5 business days"},
            "change_process": MD_PAYLOAD,
            "sign_off": ["r0", "r2"],
        }
    ]
    cadences = [
        {
            "id": "c0",
            "name": name("Cadence0"),
            "every": "week",
            "chair": "r0",
            "attendees": ["r1", "r2"],
            "purpose": MD_PAYLOAD,
        }
    ]
    glossary = [
        {"term": name("Term0"), "definition": MD_PAYLOAD},
        {"term": "Pwnterm", "definition": MD_PAYLOAD, "context": name("Context0")},
        {"term": "Pwnterm", "definition": MD_PAYLOAD, "context": name("Context1")},
    ]
    organisation = {
        "name": name("Org"),
        "summary": MD_PAYLOAD + "\n\nPwnterm is used here.",
        "version": name("Version"),
        "maintainer": "r0",
        "model": "HOSTILE",
        "business_hours": {"timezone": "Europe/London"},
    }
    models = {
        "HOSTILE": {
            "letters": {
                "D": {
                    "name": name("Decide"),
                    "description": name("DecideText"),
                    "min": 1,
                    "max": 1,
                    "accountable": True,
                },
                "P": {"name": name("Perform"), "description": name("PerformText"), "min": 1},
                "R": {"name": name("Review"), "description": name("ReviewText")},
            }
        }
    }
    changelog = [{"version": name("Change0"), "date": "2026-01-05", "summary": MD_PAYLOAD}]
    data = {
        "organisation.yaml": {
            "organisation": organisation,
            "models": models,
            "changelog": changelog,
        },
        "teams.yaml": {
            "teams": teams,
            "roles": roles,
            "people": [{"name": people[0], "roles": ["r0", "r2"]}],
        },
        "lifecycle.yaml": {"stages": stages, "handoffs": handoffs},
        "work.yaml": {
            "activities": activities,
            "engagements": engagements,
            "cadences": cadences,
            "glossary": glossary,
        },
    }
    return {
        f"playbook/{file}": yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=1000)
        for file, content in data.items()
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_tree(root, hostile_playbook())
    return root


@pytest.fixture(scope="module")
def hostile_pages(hostile: Path) -> dict[str, Page]:
    result = check(hostile / "playbook")
    assert result.playbook is not None, [d.format_text() for d in result.diagnostics]
    return render(result.playbook).pages


class Elements(HTMLParser):
    """Every element with its attributes, and the text, of an HTML fragment or page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(fragment: str) -> Elements:
    parser = Elements()
    parser.feed(fragment)
    parser.close()
    return parser


def visible(fragment: str) -> str:
    """The text a reader sees in an HTML fragment, whitespace collapsed."""
    return shown("".join(parse(fragment).text))


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
IMPLIED_END = {"td", "th", "tr", "li", "dt", "dd", "option"}
"""Elements whose end tag HTML implies (when their parent ends, or a sibling starts)."""
IMPLIED_BY = {
    "td": ({"td", "th"},),
    "th": ({"td", "th"},),
    "tr": ({"td", "th"}, {"tr"}),
    "li": ({"li"},),
    "dt": ({"dt", "dd"},),
    "dd": ({"dt", "dd"},),
    "option": ({"option"},),
}


class Balance(HTMLParser):
    """Whether a fragment closes every element it opens, in order: a fragment that does not
    could swallow the template's markup that follows it."""

    def __init__(self, *, implied_ends: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.comments: list[str] = []
        self.implied_ends = implied_ends
        """A template may leave out the end tags HTML implies (an empty matrix cell is
        ``<td>``); a user's field never does (Python-Markdown writes every end tag)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.implied_ends:
            for ended in IMPLIED_BY.get(tag, ()):
                while self.open and self.open[-1] in ended:
                    self.open.pop()
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.implied_ends:
            while self.open and self.open[-1] != tag and self.open[-1] in IMPLIED_END:
                self.open.pop()
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<hr />`` (a void element), ``<path … />`` (inside an SVG): opens nothing."""
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def unknown_decl(self, data: str) -> None:
        self.errors.append(f"declaration {data!r}")


def assert_balanced(fragment: str) -> None:
    checker = Balance()
    checker.feed(fragment)
    checker.close()
    assert checker.errors == [] and checker.open == [], (checker.errors, checker.open, fragment)
    assert checker.comments == [], fragment  # an open comment would hide what follows
    assert checker.rawdata == "", fragment  # nothing left half-read (a ``<`` that opens a tag)


FORBIDDEN_TAGS = {
    "script",
    "img",
    "svg",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "form",
    "input",
    "math",
    "base",
    "meta",
    "video",
    "audio",
    "source",
}
BLOCK_TAGS = {
    "p",
    "div",
    "table",
    "tr",
    "td",
    "th",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
"""What a one-line field (a table cell, a list item, a sentence) may never open."""


def assert_inert(fragment: str, *, allowed: set[str] = frozenset()) -> None:
    """No element, attribute or URL in ``fragment`` came from a payload."""
    parsed = parse(fragment)
    for tag, attrs in parsed.elements:
        assert tag not in FORBIDDEN_TAGS - allowed, (tag, attrs)
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, attrs)
            if key in ("href", "src", "action", "formaction", "xlink:href"):
                assert safe_url(value), (tag, attrs)
        assert attrs.get("id") != "pwned-id" and "pwned-class" not in attrs.get("class", "")
        assert "<" not in attrs.get("title", ""), (tag, attrs)  # Material's tooltips are HTML
    assert not any("pwned" in script for script in parsed.scripts)


def from_markdown_file(page_markdown: str, extensions: list[str] = OUT_EXTENSIONS) -> str:
    """What plain MkDocs (or Zensical) makes of a file of ``render --out``."""
    body = re.sub(r"\A---\n.*?\n---\n", "", page_markdown, flags=re.DOTALL)
    return markdown.markdown(body, extensions=extensions)


def wrappers(page: Page) -> dict[str, str]:
    """A page's HTML as each reader gets it: from the plugin, and from its Markdown file."""
    return {
        "html": page.html(),
        "render --out": from_markdown_file(page.markdown()),
        "render --out, site extensions": from_markdown_file(page.markdown(), SITE_EXTENSIONS),
    }


def template_page(body: str) -> Page:
    """A page made the way :func:`generator.site.render` makes one from a template's HTML."""
    return finish(body, "Page")


def cell_page(inline: str) -> str:
    """A template table with a one-line field in its first column."""
    return (
        "<table>\n<thead>\n<tr><th>field</th><th>ours</th></tr>\n</thead>\n<tbody>\n"
        f"<tr><td>{inline}</td><td>after</td></tr>\n</tbody>\n</table>"
    )


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_a_markdown_field_renders_every_payload_inert(kind: str) -> None:
    block, inline = md_block(PAYLOADS[kind]), md_inline(PAYLOADS[kind])
    assert_inert(block)
    assert_inert(inline)
    assert_balanced(block)
    assert_balanced(inline)
    assert "\n" not in inline
    assert not {tag for tag, _ in parse(inline).elements} & BLOCK_TAGS, inline
    # The HTML of a field is what Python-Markdown makes of the sanitised Markdown.
    assert block == (markdown.markdown(md(PAYLOADS[kind]), extensions=list(FIELD_EXTENSIONS)))
    page = template_page(f"<h1>Title</h1>\n{block}\n{cell_page(inline)}\n<p>{inline}</p>\n")
    for wrapper, rendered in wrappers(page).items():
        assert_inert(rendered), wrapper
        tables = re.findall(r"<table.*?</table>", rendered, flags=re.DOTALL)
        assert tables and all(len(_row_widths(t)) == 1 for t in tables), (wrapper, tables)
        assert re.search(r"<td>after</td>\s*</tr>\s*</tbody>\s*</table>\s*<p>", tables[-1] + "<p>")


TEXT_CONTEXTS = (
    "<p>{}</p>",
    "<h2>{}</h2>",
    "<ul>\n<li>{}</li>\n</ul>",
    "<p><strong>{}</strong></p>",
    '<p><a href="page/">{}</a></p>',
    "<table><tr><td>{}</td></tr></table>",
    "<dl><dt>{}</dt></dl>",
)
"""Where a template puts plain text."""


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_a_name_renders_as_exactly_its_text(kind: str) -> None:
    expected = shown(PAYLOADS[kind])
    for context in TEXT_CONTEXTS:
        fragment = context.format(text(PAYLOADS[kind]))
        assert_inert(fragment)
        assert_balanced(fragment)
        assert visible(fragment) == expected, context
        page = template_page(fragment)
        for wrapper, rendered in wrappers(page).items():
            assert_inert(rendered)
            assert visible(re.sub(r'<a class="headerlink".*?</a>', "", rendered)) == expected, (
                context,
                wrapper,
            )
    attribute = parse(f'<span title="{text(PAYLOADS[kind])}">x</span>').elements
    assert attribute == [("span", {"title": expected})]


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_a_heading_of_a_markdown_file_renders_as_exactly_its_text(kind: str) -> None:
    """``md_text`` (the headings ``render --out`` writes as Markdown lines) in any context of
    a Markdown page."""
    for context in ("{}", "# {}", "- {}", "**{}**", "[{}](page.md)", "| h |\n| --- |\n| {} |"):
        rendered = markdown.markdown(
            context.format(md_text(PAYLOADS[kind])), extensions=SITE_EXTENSIONS
        )
        assert_inert(rendered)
        expected = shown(PAYLOADS[kind])
        assert visible(rendered) == (f"h {expected}" if context.startswith("|") else expected)


def _plain(value: str) -> str:
    return shown(drop_controls(value))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_any_plain_text_renders_as_exactly_itself(value: str) -> None:
    expected = shown(
        re.sub(
            "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\U000e0000-\U000e007f]",
            "",
            value.replace("\r", "\n"),
        )
    )
    assert _plain(value) == expected
    fragment = f"<p>Before {text(value)} after</p>"
    assert_inert(fragment)
    assert visible(fragment) == shown(f"Before {expected} after")
    rendered = markdown.markdown(f"Before {md_text(value)} after", extensions=SITE_EXTENSIONS)
    assert_inert(rendered)
    assert visible(rendered) == shown(f"Before {expected} after")
    for context in ("<h1>Before {} after</h1>", "<p>Before {} after</p>"):
        page = template_page(context.format(text(value)))
        for wrapper, rendered in wrappers(page).items():
            assert_inert(rendered)
            words = visible(re.sub(r'<a class="headerlink".*?</a>', "", rendered))
            assert words == shown(f"Before {expected} after"), (context, wrapper)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java&#115;cript:alert(1)",
        "java&amp;#115;cript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "javascript\\:alert(1)",
        "&lt;javascript:alert(1)&gt;",
        "data:text/html;base64,AAAA",
        "vbscript:msgbox",
        "java\u200bscript:alert(1)",
        "javascript&colon;alert(1)",
    ],
)
def test_unsafe_urls_are_recognised_however_they_are_written(url: str) -> None:
    assert not safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?b=c",
        "http://x",
        "mailto:a@b.c",
        "../roles/owner.md",
        "#anchor",
        "page.md 'Title: here'",
    ],
)
def test_safe_urls_stay(url: str) -> None:
    assert safe_url(url)


def test_markdown_still_works_in_markdown_fields() -> None:
    source = (
        "**bold** *em* [site](https://example.com) `a<b>` "
        "<https://example.org>\n\n- one\n- two\n\n> quoted"
    )
    rendered = md_block(source)
    assert "<strong>bold</strong>" in rendered and "<em>em</em>" in rendered
    assert '<a href="https://example.com">site</a>' in rendered
    assert '<a href="https://example.org">https://example.org</a>' in rendered
    assert "<li>one</li>" in rendered and "<blockquote>" in rendered
    assert visible(rendered).count("a<b>") == 1
    inline = md_inline("**bold** *em* [site](https://example.com) `a<b>` [js](javascript:x)")
    assert "<strong>bold</strong>" in inline and "<em>em</em>" in inline
    assert '<a href="https://example.com">site</a>' in inline
    assert visible(inline) == "bold em site a<b> js" and "javascript" not in inline
    for wrapper, page in wrappers(template_page(f"<h1>T</h1>\n{rendered}\n")).items():
        assert '<a href="https://example.com">site</a>' in page, wrapper
        assert "<strong>bold</strong>" in page and "<li>one</li>" in page, wrapper


def test_unsafe_link_keeps_its_label_and_loses_its_target() -> None:
    assert md("[click here](javascript:alert(1)) and [ok](https://x.org)") == (
        "click here and [ok](https://x.org)"
    )
    assert md("[x][1]\n\n[1]: javascript:alert(1)") == "[x][1]"
    assert md("[x][1]\n\n> - [1]: <javascript:alert(1)>") == "[x][1]\n\n> - "
    assert md_block("[click here](javascript:alert(1)) and [ok](https://x.org)") == (
        '<p>click here and <a href="https://x.org">ok</a></p>'
    )
    assert md_inline("[x][1]\n\n[1]: javascript:alert(1)") == "[x][1]"


def test_code_spans_are_written_as_inert_html() -> None:
    assert md("run ``a ` <b> {x}`` now") == "run <code>a &#96; &#60;b&#62; &#123;x&#125;</code> now"
    assert md("no \\`code` here") == "no \\`code\\` here"
    for rendered in (
        md_block("`<img src=x onerror=alert(1)>` and `[x](javascript:y)`"),
        md_inline("`<img src=x onerror=alert(1)>` and `[x](javascript:y)`"),
    ):
        assert_inert(rendered)
        assert visible(rendered) == "<img src=x onerror=alert(1)> and [x](javascript:y)"
        assert rendered.count("<code>") == 2


def _calls(function: Any, argument: str) -> int:
    """Python and C function calls made by ``function(argument)``: a count of work that does
    not depend on how busy the machine is."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        function(argument)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize(
    ("unit", "times"),
    [("[a](", 5000), ("](", 10000), ("`", 20000), ("`a` ", 5000), ("[x](javascript:y) ", 1100)],
)
def test_pathological_markdown_takes_linear_work(unit: str, times: int) -> None:
    half, whole = _calls(md, unit * (times // 2)), _calls(md, unit * times)
    assert whole < 2.5 * half, f"doubling the field multiplied the work by {whole / half:.1f}"
    assert_inert(md_block(unit * times))
    assert_balanced(md_block(unit * times))


def test_nested_brackets_take_linear_work() -> None:
    half = _calls(md, "[" * 5000 + "]" * 5000)
    whole = _calls(md, "[" * 10000 + "]" * 10000)
    assert whole < 2.5 * half, f"doubling the field multiplied the work by {whole / half:.1f}"
    assert_inert(md_block("[" * 10000 + "]" * 10000))


def test_a_field_full_of_brackets_keeps_no_link() -> None:
    output = md("[a](https://x.org) " * 300)
    assert "<a " not in md_block("[a](https://x.org) " * 300)
    assert output.startswith("\\[a\\](https://x.org)")


def test_a_definition_that_is_not_at_a_line_start_is_prose() -> None:
    assert md("As said in [Note]: call: now") == "As said in [Note]: call: now"


def test_jinja_in_user_text_is_shown_literally(hostile_pages: dict[str, Page]) -> None:
    for wrapper, rendered in wrappers(hostile_pages["roles/r0.md"]).items():
        words = "".join(parse(rendered).text)
        assert "{{ 7*7 }}" in words and "{% include 'role.md.j2' %}" in words, wrapper
        assert "49" not in words, wrapper


ENTITY_PAGES = {
    "index.md": "Org",
    "roles/r0.md": "Role0",
    "roles/r1.md": "Role1",
    "teams/t0.md": "Team0",
    "lifecycle/s1.md": "Stage1",
    "engagements/e0.md": "Engagement0",
}


def test_each_page_heading_reads_as_its_name(hostile_pages: dict[str, Page]) -> None:
    for path, label in ENTITY_PAGES.items():
        page = hostile_pages[path]
        assert page.title == name(label)
        for wrapper, rendered in wrappers(page).items():
            h1 = re.search(r"<h1[^>]*>(.*?)</h1>", rendered, flags=re.DOTALL)
            assert h1, (path, wrapper)
            heading = re.sub(r'<a class="headerlink".*?</a>', "", h1[1])
            assert visible(heading) == shown(name(label)), (path, wrapper)


def test_every_table_keeps_its_columns_on_every_page(hostile_pages: dict[str, Page]) -> None:
    counted = 0
    for path, page in hostile_pages.items():
        for wrapper, rendered in wrappers(page).items():
            for table in re.findall(r"<table.*?</table>", rendered, flags=re.DOTALL):
                assert len(_row_widths(table)) == 1, (path, wrapper, table[:300])
                counted += 1
    assert counted > 10


def test_every_generated_page_is_inert(hostile_pages: dict[str, Page]) -> None:
    for path, page in hostile_pages.items():
        for wrapper, rendered in wrappers(page).items():
            try:
                assert_inert(rendered, allowed={"svg", "input"})  # diagrams, matrix filter
            except AssertionError as exc:
                raise AssertionError(f"{path} ({wrapper}): {exc}") from None


def test_every_page_closes_what_it_opens(hostile_pages: dict[str, Page]) -> None:
    """No payload leaves an element open that would swallow the rest of the page."""
    for path, page in hostile_pages.items():
        checker = Balance(implied_ends=True)
        checker.feed(page.html())
        checker.close()
        assert checker.errors == [] and checker.open == [], (path, checker.errors, checker.open)
        assert checker.comments == [], path


def test_every_hostile_text_field_reaches_a_page_as_text(hostile: Path) -> None:
    result = check(hostile / "playbook")
    assert result.playbook is not None
    pages = render(result.playbook).pages
    seen = {
        wrapper: visible("\n".join(wrappers(page)[wrapper] for page in pages.values()))
        for wrapper in ("html", "render --out")
    }

    fields = list(texts_of(result.playbook, Playbook, [], ""))
    forms = {
        path: (
            [visible(md_block(value)), visible(md_inline(value))]
            if kind == "md"
            else [_plain(value)]
        )
        for path, value, kind in fields
    }
    missing = [
        (wrapper, path)
        for wrapper, words in seen.items()
        for path, _, _ in fields
        if not any(form in words for form in forms[path])
    ]

    assert {path for path, _, _ in fields} >= {
        ".handoffs[2].name",
        ".handoffs[2].to[0].when",
        ".handoffs[2].sla.first_touch.from_",
        ".handoffs[2].on_reject[0].when",
        ".activities[0].raci.D[1].when",
        ".roles[0].goals[0].period",
        ".glossary[2].context",
    }
    assert all(form for each in forms.values() for form in each)
    assert missing == []


def test_front_matter_titles_are_escaped_text(hostile_pages: dict[str, Page]) -> None:
    page = hostile_pages["roles/r0.md"]
    front = yaml.safe_load(page.markdown().split("---\n")[1])
    assert front["title"] == title_text(name("Role0")) == page.meta()["title"]
    assert "<" not in front["title"] and html.unescape(front["title"]) == shown(name("Role0"))


UNFINISHED_BLOCKS = {
    "table-and-loose-list": "| user | table |\n| --- | --- |\n| 1 | 2 |\n\n- loose\n\n- list",
    "raw-table": "<table><tr><td>user",
    "open-comment": "<!-- never closed",
    "fence": "```\nnever closed",
    "indented-code": "text\n\n    code\n    | a | b |",
    "quote": "> quoted\n> | a | b |",
    "admonition": "!!! note\n    body | x",
    "definition": "term\n: definition",
    "heading-like": "| user |\n| --- |\n## heading",
}


@pytest.mark.parametrize("kind", sorted(UNFINISHED_BLOCKS))
def test_a_users_markdown_block_is_never_joined_to_a_template_table(kind: str) -> None:
    env = make_environment()
    block = env.filters["md"](UNFINISHED_BLOCKS[kind])
    assert_balanced(block)  # whatever the field, what follows it stays outside it
    body = (
        "<h1>Page</h1>\n<p>Intro</p>\n"
        + block
        + "\n<table>\n<thead>\n<tr><th>ours</th><th>table</th></tr>\n</thead>\n"
        "<tbody>\n<tr><td>a</td><td>b</td></tr>\n</tbody>\n</table>\n<p>Outro</p>\n"
    )
    for wrapper, rendered in wrappers(template_page(body)).items():
        ours = re.search(r"<table>\s*<thead>\s*<tr><th>ours.*?</table>", rendered, re.DOTALL)
        assert ours, (wrapper, rendered)
        assert _row_widths(ours[0]) == {2}, (wrapper, ours[0])
        cells = [words.strip() for words in parse(ours[0]).text if words.strip()]
        assert cells == ["ours", "table", "a", "b"], (wrapper, ours[0])
        assert re.search(r"</table>\s*<p>Outro</p>", rendered[ours.start() :]), wrapper
        before = rendered[: ours.start()]
        assert_balanced(re.sub(r"\A.*?</h1>", "", before, flags=re.DOTALL))
        if kind == "table-and-loose-list":
            user = re.findall(r"<table.*?</table>", before, flags=re.DOTALL)
            assert len(user) == 1 and _row_widths(user[0]) == {2}, (wrapper, before)
            assert re.search(r"<li>\s*<p>loose</p>\s*</li>\s*<li>\s*<p>list</p>", before)


def test_ids_with_invisible_or_reversing_characters_are_rejected(tmp_path: Path) -> None:
    for bad in ("r\u202e1", "r\u200b1"):
        files = hostile_playbook()
        files["playbook/teams.yaml"] = files["playbook/teams.yaml"].replace(
            "id: r1\n", f"id: {json.dumps(bad)}\n", 1
        )
        folder = tmp_path / f"case{ord(bad[1])}"
        write_tree(folder, files)
        result = CliRunner().invoke(
            cli, ["check", str(folder / "playbook")], catch_exceptions=False
        )
        assert result.exit_code == 1
        assert re.search(
            r"^\S+:\d+:\d+: error: roles\[1\]\.id: bad id", result.output, flags=re.MULTILINE
        ), result.output


SITE_CONFIG = """\
site_name: Hostile playbook
docs_dir: docs
theme:
  name: material
  font: false
  features: [navigation.indexes, search.suggest, search.highlight, content.tooltips]
plugins:
  - search
  - playbook:
      source: playbook
markdown_extensions:
  - toc:
      permalink: true
"""


@pytest.fixture(scope="module")
def hostile_site(hostile: Path) -> Path:
    write_tree(hostile, {"mkdocs.yml": SITE_CONFIG, "docs/.keep": ""})
    site = hostile / "site"
    result = build_site(hostile / "mkdocs.yml", site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_the_built_site_has_no_element_attribute_or_link_from_a_payload(
    hostile_site: Path,
) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        document = page.read_text(encoding="utf-8")
        parsed = parse(document)
        for tag, attrs in parsed.elements:
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            assert not (tag == "img" and attrs.get("src") == "x"), page
            assert attrs.get("id") != "pwned-id" and "pwned-class" not in attrs.get("class", "")
            for key in ("href", "src"):
                if key in attrs:
                    assert safe_url(attrs[key]), (page, tag, attrs)
            assert "<" not in attrs.get("title", ""), (page, tag, attrs)  # tooltips are HTML
        assert not any("pwned" in script for script in parsed.scripts), page
        title = re.search(r"<title>(.*?)</title>", document, flags=re.DOTALL)
        assert title and "<" not in title.group(1), (page, title)
        article = document.split("<article", 1)[-1]
        for table in re.findall(r"<table.*?</table>", article, flags=re.DOTALL):
            assert len(_row_widths(table)) == 1, (page, table[:300])


def _row_widths(table: str) -> set[int]:
    """The number of columns of each row of an HTML table, counting ``colspan``."""
    rows = re.findall(r"<tr.*?</tr>", table, flags=re.DOTALL)
    return {
        sum(int(span or 1) for span in re.findall(r'<t[hd](?: [^>]*?colspan="(\d+)")?', row))
        for row in rows
    }


def test_the_search_index_holds_titles_as_escaped_text(hostile_site: Path) -> None:
    index = json.loads((hostile_site / "search/search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        assert "<script" not in doc["title"] and "<img" not in doc["title"], doc["title"]


PROBE = """() => ({
  pwned: typeof window.pwned !== "undefined",
  title: document.title,
  h1: (document.querySelector("article h1") || {}).innerText || "",
  header: (document.querySelector(".md-header__topic:last-child") || {}).innerText || "",
  nav: Array.from(document.querySelectorAll(".md-nav__link")).map(a => a.innerText.trim()),
  bad: Array.from(document.querySelectorAll("*")).filter(el =>
      Array.from(el.attributes).some(a => /^on/i.test(a.name))
      || (el.tagName === "IMG" && el.getAttribute("src") === "x")
      || el.id === "pwned-id" || el.classList.contains("pwned-class")
      || ["IFRAME", "OBJECT", "EMBED"].includes(el.tagName)
      || (el.tagName === "SCRIPT" && el.textContent.includes("pwned"))
      || (el.href && /^(javascript|data|vbscript):/i.test(String(el.href.baseVal || el.href)))
    ).map(el => el.outerHTML.slice(0, 200)),
  text: document.body.innerText,
})"""


@pytest.mark.browser
def test_no_payload_runs_in_the_browser_and_every_name_reads_as_text(
    hostile_site: Path, browser, serve
) -> None:
    base = serve(hostile_site)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    expectations = {
        "roles/r0/": shown(name("Role0")),
        "roles/r1/": shown(name("Role1")),
        "teams/t0/": shown(name("Team0")),
        "lifecycle/s1/": shown(name("Stage1")),
        "engagements/e0/": shown(name("Engagement0")),
        "": shown(name("Org")),
    }
    urls = sorted(
        ""
        if p.relative_to(hostile_site).as_posix() == "index.html"
        else p.parent.relative_to(hostile_site).as_posix() + "/"
        for p in hostile_site.rglob("index.html")
        if not p.relative_to(hostile_site).as_posix().startswith(("search/", "assets/"))
    )
    assert len(urls) > 20
    for url in urls:
        page.goto(base + url)
        found = page.evaluate(PROBE)
        assert not found["pwned"], url
        assert found["bad"] == [], (url, found["bad"])
        expected = expectations.get(url)
        if expected is not None:
            assert found["h1"].strip().removesuffix("¶").strip() == expected, url
            assert found["title"].startswith(expected), url
            assert expected in found["header"], url
        if url.startswith("roles/"):
            assert shown(PAYLOADS["script"]) in found["text"]
    for url in ("", "raci/", "roles/r0/", "glossary/", "engagements/e0/"):
        page.goto(base + url)
        titled = page.locator("article [title]")
        assert titled.count() > 0, url
        for n in range(min(titled.count(), 25)):
            if titled.nth(n).is_visible():
                titled.nth(n).hover()
                page.wait_for_timeout(150)  # Material shows its tooltip after a delay
        hovered = page.evaluate(PROBE)
        assert not hovered["pwned"] and hovered["bad"] == [], (url, hovered["bad"])
    page.goto(base)
    tooltip = page.locator("article abbr", has_text="Pwnterm").first
    tooltip.hover()
    page.wait_for_timeout(500)
    shown_tooltip = page.locator(".md-tooltip2").inner_text()
    assert "\u2039script\u203awindow.pwned=1\u2039/script\u203a" in shown_tooltip
    page.goto(base + "roles/r0/")
    nav = page.evaluate(PROBE)["nav"]
    assert shown(name("Role0")) in nav and shown(name("Role1")) in nav
    for query in ("Role0", "Bold", "Engagement0"):
        page.goto(base)
        page.locator("label.md-search__icon, .md-search__input").first.click()
        page.locator("input.md-search__input").focus()
        page.keyboard.type(query, delay=30)
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=15_000)
        search = page.evaluate(PROBE)
        assert not search["pwned"] and search["bad"] == [], (query, search["bad"])
        shown_results = page.locator(".md-search-result").inner_text()
        assert "window.pwned=1" in shown_results, query  # the payloads read as text
    assert not page.evaluate("typeof window.pwned !== 'undefined'")
    assert dialogs == []
    context.close()
