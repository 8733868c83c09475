"""Everything written is published: every text field of every entry appears on some page.

Over the example (``playbook/``), the three starter examples of ``playbook init`` and a
generated playbook (``benchmarks/synth.py``, size M), every text-valued field — names, plain
text and Markdown, nested ones included (goals, deliverables, routes' conditions, clocks'
labels and starts, rejection outcomes, letters' conditions, ``maps_to`` systems and values,
glossary contexts, a custom model's letter names and descriptions) — is looked for in what a
reader sees: each page rendered by Python-Markdown with the site's extensions, its tags taken
out, its entities decoded and its whitespace made single spaces, plus the page's title. A
Markdown field is rendered the same way and must appear block by block (each paragraph and
list item) on one page; a plain field must appear as written. A failure lists the path of
each field that no page shows.

Which fields are text is read from the model's declarations (:data:`SECTIONS` and the
types of their fields), so a new text field is covered without touching this test.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any

import markdown
import pytest
from conftest import load_synth as _synth
from pydantic import BaseModel, PlainValidator

from generator.model import SECTIONS, Markdown, Name, Playbook, Prose, Target, Text
from generator.site import Site, render
from generator.site.markdown import FIELD_EXTENSIONS
from generator.validate import check

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "generator" / "examples"
PLAYBOOKS = ("example", "small-business", "agency", "b2b", "synth-M")

TEXT_VALIDATORS = frozenset(
    m.func
    for declared in (Text, Markdown, Name, Target)
    for m in typing.get_args(declared)[1:]
    if isinstance(m, PlainValidator)
)
"""The validators of the types that hold the user's text: ``Text``, ``Markdown``, ``Name``,
and ``Target`` when it is text (``"£9.4m"``)."""

Field = tuple[str, str, bool]
"""(path, value, is Markdown)."""


# The text fields, read from the declarations.


def _text_kind(metadata: list[Any]) -> str | None:
    """``markdown`` or ``text`` when ``metadata`` declares a text type; None otherwise."""
    if not any(isinstance(m, PlainValidator) and m.func in TEXT_VALIDATORS for m in metadata):
        return None
    return "markdown" if any(isinstance(m, Prose) for m in metadata) else "text"


def _accepts(annotation: Any, value: Any) -> bool:
    """Whether ``value``'s Python type is one ``annotation`` declares."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_accepts(arm, value) for arm in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and isinstance(value, origin)


def _arm(annotation: Any, value: Any) -> Any:
    """The arm of a union that ``value`` was validated as (by its Python type)."""
    return next((arm for arm in typing.get_args(annotation) if _accepts(arm, value)), None)


def text_fields(value: Any, annotation: Any, path: str) -> Iterator[Field]:
    """Every text value inside ``value`` (declared as ``annotation``), with its path."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata.extend(extra)
    kind = _text_kind(metadata)
    if kind is not None:
        if isinstance(value, str):
            yield path, value, kind == "markdown"
        return
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        arm = _arm(annotation, value)
        if arm is not None:
            yield from text_fields(value, arm, path)
    elif origin is tuple and isinstance(value, tuple):
        item = typing.get_args(annotation)[0]
        for index, element in enumerate(value):
            yield from text_fields(element, item, f"{path}[{index}]")
    elif origin is dict and isinstance(value, dict):
        key_type, value_type = typing.get_args(annotation)
        for key, element in value.items():
            yield from text_fields(key, key_type, f"{path}.{{{key}}}")
            yield from text_fields(element, value_type, f"{path}.{key}")
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            field_type = Annotated[info.annotation, *info.metadata] if info.metadata else None
            yield from text_fields(
                getattr(value, name), field_type or info.annotation, f"{path}.{info.alias or name}"
            )


def playbook_fields(playbook: Playbook) -> Iterator[Field]:
    """Every text value of every entry of every section, in :data:`SECTIONS` order."""
    for name, section in SECTIONS.items():
        value = getattr(playbook, name)
        if section.shape == "one":
            yield from text_fields(value, section.entry, name)
        elif section.shape == "named":
            for key, entry in value.items():
                yield from text_fields(entry, section.entry, f"{name}.{key}")
        else:
            for index, entry in enumerate(value):
                yield from text_fields(entry, section.entry, f"{name}[{index}]")


# What a reader sees.

_INLINE = frozenset(
    "a abbr b bdi bdo cite code data del dfn em i ins kbd mark q s samp small span strong sub "
    "sup time u var".split()
)
_HIDDEN = frozenset({"script", "style", "title", "template"})


_BREAK = "\x00"


class _Visible(HTMLParser):
    """The text a browser shows: inline tags join their text; other tags (paragraphs, list
    items, cells, line breaks) separate it, marked with :data:`_BREAK`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag not in _INLINE:
            self.parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag not in _INLINE:
            self.parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace(_BREAK, ""))


def _blocks(fragment: str) -> list[str]:
    """HTML → the visible text of each of its blocks, entities decoded, whitespace made
    single spaces, empty blocks left out."""
    parser = _Visible()
    parser.feed(fragment)
    parser.close()
    found = (" ".join(block.split()) for block in "".join(parser.parts).split(_BREAK))
    return [block for block in found if block]


def visible(fragment: str) -> str:
    """HTML → its visible text, entities decoded, whitespace made single spaces."""
    return " ".join(_blocks(fragment))


def to_html(text: str) -> str:
    """A Markdown field as HTML, read by Python-Markdown itself with the extensions the pages
    read fields with."""
    rendered: str = markdown.markdown(text, extensions=list(FIELD_EXTENSIONS))
    return rendered


def page_texts(site: Site) -> dict[str, str]:
    """Page path → what a reader sees on it: its title, then its body (its HTML, without
    the headings' permalinks)."""
    return {
        path: visible(site.titles.get(path, "")) + " " + visible(page.html(None))
        for path, page in site.pages.items()
    }


def expected_blocks(value: str, is_markdown: bool) -> list[str]:
    """What a page must show of a field: a plain value as written; a Markdown value as
    rendered, block by block (a list item may sit in a table cell rather than a list)."""
    if not is_markdown:
        return [" ".join(value.split())]
    return _blocks(to_html(value))


def _shows(page: str, block: str) -> bool:
    """Whether ``page`` shows ``block`` as whole words (``Agree`` is not in ``Agreeing``)."""
    if block not in page:
        return False
    return re.search(rf"(?<!\w){re.escape(block)}(?!\w)", page) is not None


def unpublished(playbook: Playbook, site: Site) -> list[str]:
    """``path: value`` for every text field no page shows."""
    pages = list(page_texts(site).values())
    seen: dict[tuple[str, bool], bool] = {}
    missing = []
    for path, value, is_markdown in playbook_fields(playbook):
        key = (value, is_markdown)
        if key not in seen:
            blocks = expected_blocks(value, is_markdown)
            seen[key] = any(all(_shows(page, block) for block in blocks) for page in pages)
        if not seen[key]:
            shown = value if len(value) <= 80 else value[:77] + "…"
            missing.append(f"{path}: {shown!r}")
    return missing


# The playbooks.


@pytest.fixture(scope="module", params=PLAYBOOKS)
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Playbook, Site]:
    name: str = request.param
    if name == "example":
        folder = ROOT / "playbook"
    elif name == "synth-M":
        folder = tmp_path_factory.mktemp("synth") / "playbook"
        _synth().write("M", folder, seed=0)
    else:
        folder = EXAMPLES / name / "playbook"
    result = check(folder)
    assert result.ok(strict=True), [d.format_text() for d in result.diagnostics]
    assert result.playbook is not None
    return result.playbook, render(result.playbook)


def test_every_text_field_of_every_entry_appears_on_some_page(
    published: tuple[Playbook, Site],
) -> None:
    playbook, site = published
    missing = unpublished(playbook, site)
    assert not missing, f"{len(missing)} text fields appear on no page:\n" + "\n".join(missing)


# The test's own parts.


def test_the_walk_reaches_nested_and_new_fields() -> None:
    result = check(EXAMPLES / "b2b" / "playbook")
    assert result.playbook is not None
    paths = {re.sub(r"\[\d+\]", "[]", path) for path, _, _ in playbook_fields(result.playbook)}
    assert {
        "organisation.name",
        "teams[].goals[].statement",
        "teams[].goals[].target",
        "roles[].goals[].period",
        "roles[].holders[]",
        "stages[].maps_to.{Salesforce}",
        "stages[].maps_to.Salesforce",
        "handoffs[].name",
        "handoffs[].to[].when",
        "handoffs[].sla.first_touch.from",
        "handoffs[].sla.first_touch.label",
        "handoffs[].on_reject[].when",
        "handoffs[].on_reject[].reasons[]",
        "handoffs[].on_reject.feedback",
        "activities[].description",
        "activities[].raci.A[].when",
        "glossary[].definition",
    } <= paths
    assert not {p for p in paths if p.endswith((".id", ".team", ".role", ".owner", ".kind"))}


def test_a_custom_model_s_letters_and_glossary_contexts_are_walked() -> None:
    result = check(ROOT / "playbook")
    assert result.playbook is not None
    found = {path: value for path, value, _ in playbook_fields(result.playbook)}
    assert found["models.RAPID.letters.D.name"] == "Decide"
    assert "Selling" in {v for p, v in found.items() if p.endswith(".context")}


def test_visible_text_drops_markup_and_keeps_inline_text_together() -> None:
    page = to_html(
        "# Title\n\nA **warm** lead (SQL) &amp; more\n\n| a | b |\n| --- | --- |\n| x<br>y | z |\n"
    ).replace("(SQL)", '(<abbr title="Sales-qualified lead">SQL</abbr>)')  # a glossary term
    assert "<abbr" in page and "<table>" in page
    assert visible(page) == "Title A warm lead (SQL) & more a b x y z"
    assert expected_blocks("- one *two*\n- three", is_markdown=True) == ["one two", "three"]
    assert expected_blocks("Sales &  <b>Co</b>", is_markdown=False) == ["Sales & <b>Co</b>"]


def test_a_field_shown_on_no_page_is_reported_by_its_path() -> None:
    result = check(EXAMPLES / "b2b" / "playbook")
    assert result.playbook is not None
    playbook = result.playbook
    site = render(playbook)
    condition = "the account is already a customer"
    assert playbook.handoffs[0].routes[1].when == condition
    blanked = Site(
        {
            path: dataclasses.replace(
                page,
                parts=tuple(
                    part.replace(condition, "") if isinstance(part, str) else part
                    for part in page.parts
                ),
            )
            for path, page in site.pages.items()
        },
        site.nav,
        {path: title.replace(condition, "") for path, title in site.titles.items()},
    )

    assert unpublished(playbook, blanked) == [f"handoffs[0].to[1].when: {condition!r}"]
    assert len(unpublished(playbook, Site({}, [], {}))) == len(list(playbook_fields(playbook)))
