"""Model → ``{page path: Markdown}`` plus a navigation, through Jinja2 templates. No I/O.

User text is data: every value from the YAML reaches a page through one of the filters
below (``text``, ``cell``, ``md``, ``md_inline``, ``html``, ``title``, ``tooltip``), which
make it inert in its context. YAML values are never themselves rendered as templates.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jinja2

from . import diagrams
from .errors import PlaybookError
from .model import (
    Activity,
    BusinessHours,
    Duration,
    Engagement,
    Handoff,
    Playbook,
    Role,
    Stage,
    plain_number,
)

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout keeps them beside the package
    BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"

SPLIT_MATRIX_AT = 150
"""Activities above which the matrix becomes one page per area."""
NAV_CHILDREN_MAX = 40
"""Sections with more entries list only their index page in the navigation."""

CSS_PATH = "assets/playbook.css"
JS_PATH = "assets/playbook.js"

LETTER_HEADINGS = {
    "Accountable": "What you own",
    "Responsible": "What you do",
    "Consulted": "Where you are asked",
    "Informed": "What you are told",
    "Support": "Where you help",
    "Driver": "What you drive",
    "Approver": "What you approve",
    "Contributor": "Where you contribute",
}

_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]#|])")
_LINE_START = re.compile(r"^([-+:]|\d+(?=[.)]))")
_SAFE_SCHEMES = ("http", "https", "mailto")

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\U000e0000-\U000e007f]|[\ud800-\udfff]"
)
"""Characters never kept from user text: C0/C1 controls but tab and newline (Python-Markdown
uses STX/ETX as placeholders), a byte order mark, non-characters, tag characters and lone
surrogates (which cannot be written as UTF-8)."""

_BLOCK_START = "\x0e"
_BLOCK_END = "\x0f"
"""Sentinels around a Markdown block field in a page being rendered: :func:`tidy` keeps the
user's Markdown exactly as written, and keeps it apart from the template's tables and lists."""

_URL_NOISE = re.compile(r"[\s\x00-\x1f\x7f\\<>\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_AUTOLINK = re.compile(
    r"<((?:https?://|mailto:)[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+)>", re.IGNORECASE
)
_UNESCAPED = r"(?<!\\)((?:\\\\)*)"
"""Before a character: an even number of backslashes (none included), so it is not escaped."""
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def _clean(value: Any) -> str:
    """User text as a string without the characters no page should carry."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def safe_url(url: str) -> bool:
    """True for http(s), mailto and relative links; false for javascript:, data: …

    The check sees the URL as a browser would: entities decoded, and the whitespace, control
    and invisible characters a browser (or a Markdown engine) drops taken out, so
    ``JaVaScRiPt:``, ``java&#115;cript:`` and ``java\\tscript:`` are all caught.
    """
    cleaned = url
    for _ in range(3):  # entities inside entities: &amp;#115;
        cleaned = html.unescape(cleaned)
    cleaned = _URL_NOISE.sub("", cleaned)
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme[1].lower() in _SAFE_SCHEMES


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` is backslash-escaped."""
    slashes = 0
    while index - slashes - 1 >= 0 and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _code_html(content: str) -> str:
    """A code span as inline HTML whose content no Markdown engine can read as anything."""
    inner = " ".join(content.split())
    inner = _PUNCTUATION.sub(lambda m: f"&#{ord(m.group(0))};", inner)
    return f"<code>{inner}</code>"


def _plain_markdown(part: str) -> str:
    """Markdown outside code: raw HTML, braces (attribute lists, Jinja) and images inert."""
    part = part.replace("&", "&amp;").replace("<", "&lt;")
    part = part.replace("{", "&#123;").replace("}", "&#125;")
    part = re.sub(_UNESCAPED + "`", r"\1\\`", part)  # a backtick left over opens no code span
    return re.sub(_UNESCAPED + r"!\[", r"\1\\![", part)  # images become links


def _code_spans(paragraph: str) -> list[tuple[int, int, int]]:
    """(start, end, backticks) of each code span: a run of backticks closed by the next run
    of the same length, as Python-Markdown pairs them. Linear in the runs, however many."""
    runs = [(m.start(), m.end()) for m in re.finditer("`+", paragraph)]
    later: dict[int, list[int]] = {}
    for index in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[index][1] - runs[index][0], []).append(index)
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        length = end - start
        candidates = later[length]
        while candidates and candidates[-1] <= index:
            candidates.pop()
        if _escaped(paragraph, start) or not candidates:
            index += 1
            continue
        closing = candidates.pop()
        spans.append((start, runs[closing][1], length))
        index = closing + 1
    return spans


def _tokens(text: str) -> str:
    """Code spans become ``<code>`` we write ourselves; safe autolinks stay; the rest is
    escaped. Code spans pair within a paragraph, as Python-Markdown pairs them."""
    out: list[str] = []
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        last = 0
        for start, end, ticks in _code_spans(paragraph):
            out.append(_autolinks(paragraph[last:start]))
            out.append(_code_html(paragraph[start + ticks : end - ticks]))
            last = end
        out.append(_autolinks(paragraph[last:]))
    return "".join(out)


def _autolinks(part: str) -> str:
    """:func:`_plain_markdown` around the http(s) and mailto autolinks, which stay."""
    out: list[str] = []
    last = 0
    for match in _AUTOLINK.finditer(part):
        if _escaped(part, match.start()):
            continue
        out.append(_plain_markdown(part[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_plain_markdown(part[last:]))
    return "".join(out)


def _matching(text: str, positions: range, nests: str, wanted: str) -> int | None:
    """Walk ``positions`` for the unescaped ``wanted`` bracket at depth zero; ``nests`` is the
    bracket that opens a deeper level in that direction."""
    depth = 0
    for i in positions:
        if text[i] in (nests, wanted) and not _escaped(text, i):
            if text[i] == nests:
                depth += 1
            elif depth:
                depth -= 1
            else:
                return i
    return None


def _matching_open(text: str, close: int) -> int | None:
    """The ``[`` that the ``]`` at ``close`` ends, or None."""
    return _matching(text, range(close - 1, -1, -1), "]", "[")


def _matching_close(text: str, open_: int) -> int | None:
    """The ``)`` that closes the ``(`` at ``open_``, or None."""
    return _matching(text, range(open_ + 1, len(text)), "(", ")")


_AFTER_LABEL = re.compile(r"(\(|[ \t]*:[ \t]*\n?[ \t]*)")
_DEFINITION_TITLE = re.compile(
    r"""[ \t]*(?:\n[ \t]*)?(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\))[ \t]*(?=\n|$)"""
)
"""A reference definition's title, on its line or the next."""
_DEFINITION_PREFIX = re.compile(r"^(?:[ \t>*+:-]|\d+[.)])*$")
"""What may stand before a reference definition on its line: indentation, quote and list
markers (a definition inside a list item or a quote still defines a link)."""


def _destination(target: str) -> str:
    """The destination of an inline link's ``(…)``, without its title and without quotes.

    Python-Markdown reads a quote anywhere inside the parentheses as the start of a title,
    which can then run past the ``)``; a title becomes a tooltip, which Material writes
    into the page as HTML.
    """
    stripped = target.strip()
    if stripped.startswith("&lt;"):
        close = stripped.find("&gt;")
        dest = stripped[: close + 4] if close >= 0 else stripped
    else:
        dest = stripped.split()[0] if stripped else ""
    return dest.replace('"', "%22").replace("'", "%27").replace(" ", "%20")


def _drop_unsafe_links(text: str) -> str:
    """Remove every link target that is not http(s), mailto or relative.

    Wherever a ``]`` is followed by ``(`` (an inline link or image) or by ``:`` (a reference
    definition, in a list or a quote too), the destination is checked; an unsafe inline
    link keeps only its label, an unsafe definition is removed, so ``[x][1]`` stays text.
    """
    i = 0
    while True:
        close = text.find("]", i)
        if close < 0:
            return text
        i = close + 1
        if _escaped(text, close):
            continue
        after = _AFTER_LABEL.match(text, close + 1)
        if not after:
            continue
        if after.group(1) == "(":
            paren = after.end() - 1
            end = _matching_close(text, paren)
            target = text[paren + 1 : end if end is not None else len(text)]
            if safe_url(target.strip()):
                if end is not None:  # the link stays, without its title (a tooltip is HTML)
                    text = text[: paren + 1] + _destination(target) + text[end:]
                continue
            opening = _matching_open(text, close)
            if end is None:  # no link without its ')': still, no ']' to start one
                text = text[:close] + "\\" + text[close:]
                continue
            if opening is None:
                text = text[:close] + "\\]" + text[end + 1 :]
                continue
            label = text[opening + 1 : close]
            text = text[:opening] + label + text[end + 1 :]
            i = opening
        else:
            target = re.match(r"\S*", text[after.end() :]).group(0)  # type: ignore[union-attr]
            opening = _matching_open(text, close)
            if opening is None:
                continue
            line = text[text.rfind("\n", 0, opening) + 1 : opening]
            if not _DEFINITION_PREFIX.match(line):
                continue  # not at the start of a block: no parser reads a definition here
            end = after.end() + len(target)
            if safe_url(target):
                title = _DEFINITION_TITLE.match(text, end)
                if title:  # the definition stays, without its title
                    text = text[:end] + text[title.end() :]
                continue
            text = text[:opening] + text[end:]
            i = opening


LINKISH_MAX = 400
"""Brackets in one Markdown field above which it keeps no link."""


def md(value: Any) -> str:
    """A Markdown field made safe: raw HTML shown as text, unsafe links dropped.

    Emphasis, lists, headings, quotes and http(s)/mailto/relative links work; HTML tags,
    entities, attribute lists (``{: onclick=…}``) and Jinja-looking text are shown as
    written; images become links (nothing is fetched); code spans are written as HTML
    ``<code>`` whose content no engine reads as Markdown.
    """
    if value is None:
        return ""
    text = _tokens(_clean(value))
    if len(re.findall(_UNESCAPED + r"[\[\]]", text)) > LINKISH_MAX:
        # Past this, checking every link (and Python-Markdown's own link parsing) costs time
        # that grows with the square of the length: no link at all, the text shows as written.
        return re.sub(_UNESCAPED + r"([\[\]])", r"\1\\\2", text).strip("\n")
    return _drop_unsafe_links(text).strip("\n")


def md_block(value: Any) -> str:
    """:func:`md` for a page being rendered: marked so that :func:`tidy` leaves it as is."""
    text = md(value)
    return f"{_BLOCK_START}{text}{_BLOCK_END}" if text else ""


def md_inline(value: Any) -> str:
    """A Markdown field on one line (a table cell or list item)."""
    text = md(value)
    text = re.sub(r"\s*\n\s*", " ", text)
    return text.replace("|", "\\|")


def text(value: Any) -> str:
    """Plain text (a name, a term) inside Markdown: every Markdown and HTML character inert."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    return _text(_clean(value))


@lru_cache(maxsize=1 << 16)
def _text(value: str) -> str:
    flat = " ".join(_clean(value).split())
    escaped = _MD_ESCAPE.sub(r"\\\1", _escape_html(flat))

    def line_start(match: re.Match[str]) -> str:
        lead = match.group(1)
        if lead.isdigit():
            return lead + "\\"
        return "&#58;" if lead == ":" else "\\" + lead

    return _LINE_START.sub(line_start, escaped)


def html_text(value: Any) -> str:
    """Plain text inside raw HTML."""
    if value is None:
        return ""
    return html.escape(" ".join(_clean(value).split()), quote=True)


def title_text(value: Any) -> str:
    """A page or navigation title: Material writes it into the page without escaping."""
    return html.escape(" ".join(_clean(value).split()), quote=True)


_TOOLTIP = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})


def tooltip_text(value: Any) -> str:
    """Text for a ``title`` attribute. Material's tooltips (``content.tooltips``) put the
    attribute's value into the page as HTML, so ``<``, ``>`` and ``&`` become look-alikes
    (‹ › ＆) that mean nothing to HTML."""
    if value is None:
        return ""
    return " ".join(_clean(value).split()).translate(_TOOLTIP)


def tooltip(value: Any) -> str:
    """A ``title`` attribute's value in raw HTML: :func:`tooltip_text`, quoted."""
    return html.escape(tooltip_text(value), quote=True)


SLUG_MAX = 60
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)


def slugify(value: str, fallback: str = "item") -> str:
    """ASCII slug with accents folded: ``Zoë Núñez`` → ``zoe-nunez``.

    At most ``SLUG_MAX`` characters; a name with no ASCII letter or digit left gives
    ``fallback``, and a Windows device name (``con``, ``lpt1`` …) gets ``-`` + ``fallback``.
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    if slug in _WINDOWS_DEVICES:
        slug = f"{slug}-{fallback}"
    return slug or fallback


def unique_slugs(names: Iterable[str], fallback: str = "item") -> dict[str, str]:
    """Deterministic slugs for ``names``: collisions get ``-2``, ``-3`` … in sorted order."""
    taken: set[str] = {"index"}
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        base = slugify(name, fallback)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out[name] = slug
    return out


def percent(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g} %"


def format_date(value: Any) -> str:
    """``2026-03-02`` → ``2 March 2026``."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def clock_words(name: str, duration: Duration) -> str:
    return f"{name.replace('_', ' ').replace('-', ' ')} within {duration}"


_JOINED = re.compile(r"^(\||- |> |\d+\. |<)")


def _marked_lines(markdown: str) -> list[tuple[str, bool]]:
    """The lines of ``markdown`` without the block sentinels, each with whether any of it is
    a user's Markdown block."""
    lines: list[tuple[str, bool]] = [("", False)]
    inside = False
    for piece in re.split(f"([{_BLOCK_START}{_BLOCK_END}])", markdown):
        if piece in (_BLOCK_START, _BLOCK_END):
            inside = piece == _BLOCK_START
            if inside:
                lines[-1] = (lines[-1][0], True)
            continue
        for n, part in enumerate(piece.split("\n")):
            if n:
                lines.append(("", False))
            line, marked = lines[-1]
            lines[-1] = (line + part, marked or inside)
    return lines


def tidy(markdown: str) -> str:
    """Drop the blank lines template tags leave: between table rows, list items and quote
    lines (where a blank line would split the block), and more than one in a row.

    A user's Markdown block (the ``md`` filter) is kept exactly as written, and the blank
    lines around it stay, so it never joins the template's tables or lists.
    """
    lines = [(line, True) if marked else (line.rstrip(), False)
             for line, marked in _marked_lines(markdown)]
    following: list[tuple[str, bool]] = [("", False)] * len(lines)
    upcoming: tuple[str, bool] = ("", False)
    for i in range(len(lines) - 1, -1, -1):
        following[i] = upcoming
        if lines[i][0]:
            upcoming = lines[i]
    out: list[tuple[str, bool]] = []
    for i, (line, marked) in enumerate(lines):
        if not line and not marked:
            if not out or not out[-1][0]:
                continue
            (before, before_marked), (after, after_marked) = out[-1], following[i]
            kind = _JOINED.match(before)
            if (
                kind
                and not before_marked
                and not after_marked
                and after.startswith(kind.group(1)[0])
                and _JOINED.match(after)
            ):
                continue
        out.append((line, marked))
    return "\n".join(line for line, _ in out).strip("\n") + "\n"


@dataclass(frozen=True)
class Site:
    """Everything the generator produces for one playbook."""

    pages: dict[str, str]
    nav: list[Any]
    titles: dict[str, str]
    assets: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1 << 16)
def _relative(target: str, start: str) -> str:
    """``posixpath.relpath``, remembered: a playbook links few folders to many pages."""
    return posixpath.relpath(target, start)


class Links:
    """Where every thing lives, and links between pages in Markdown and in raw HTML."""

    def __init__(self, playbook: Playbook, directory_urls: bool) -> None:
        self.playbook = playbook
        self.directory_urls = directory_urls
        self.person_slug = unique_slugs(playbook.people_with_pages, "person")
        areas = sorted({a.area or "" for a in playbook.activities})
        self.area_slug = unique_slugs([a or "Other" for a in areas], "area")
        self.split = len(playbook.activities) > SPLIT_MATRIX_AT

    def area_key(self, activity: Activity) -> str:
        return activity.area or "Other"

    def matrix_page(self, activity: Activity) -> str:
        if self.split:
            return f"raci/{self.area_slug[self.area_key(activity)]}.md"
        return "raci/index.md"

    def page_url(self, page: str) -> str:
        """The URL path of a page relative to the site root, as MkDocs makes it."""
        if not self.directory_urls:
            return page[:-3] + ".html"
        if page == "index.md":
            return ""
        if page.endswith("/index.md"):
            return page[: -len("index.md")]
        return page[:-3] + "/"

    def md(self, here: str, target: str, anchor: str = "") -> str:
        """A Markdown link target from page ``here`` to page ``target``."""
        rel = _relative(target, posixpath.dirname(here) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def _base(self, here: str) -> str:
        url = self.page_url(here)
        return url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)

    def href(self, here: str, target: str, anchor: str = "") -> str:
        """A raw-HTML link from page ``here`` to page ``target`` (MkDocs won't rewrite it)."""
        dest = self.page_url(target)
        rel = _relative(dest or ".", self._base(here) or ".")
        if rel == ".":
            rel = "./"
        elif dest.endswith("/") or not dest:
            rel += "/"
        return rel + (f"#{anchor}" if anchor else "")

    def file_href(self, here: str, path: str) -> str:
        """A raw-HTML link from page ``here`` to a file of the site (a download)."""
        return posixpath.relpath(path, self._base(here) or ".")


def _diagram_block(svg: str, wide: bool = False) -> str:
    """An SVG as one raw HTML block: a block-level wrapper keeps Markdown out of it.

    A wide diagram keeps its size and scrolls sideways instead of shrinking.
    """
    extra = " pb-diagram--wide" if wide else ""
    label = ' tabindex="0" role="region" aria-label="Handoff swimlane"' if wide else ""
    return f'<div class="pb-diagram{extra}"{label}>{svg}</div>'


class PageLinks:
    """Markdown links from one page to the things of the playbook (``ln`` in templates).

    Plain Python rather than Jinja macros: a large playbook makes hundreds of thousands of
    them, and every name goes through :func:`text`.
    """

    def __init__(self, renderer: Renderer, here: str) -> None:
        self.r = renderer
        self.pb = renderer.pb
        self.here = here

    def _to(self, kind: str, ident: str, name: str, anchor: str = "") -> str:
        target = self.r.links.md(self.here, self.r.target(kind, ident), anchor)
        return f"[{text(name)}]({target})"

    def role(self, role: Role) -> str:
        return self._to("role", role.id, role.name)

    def role_id(self, role_id: str) -> str:
        return self.role(self.pb.role(role_id))

    def roles(self, roles: Iterable[Role], sep: str = ", ") -> str:
        return sep.join(self.role(role) for role in roles)

    def activity(self, activity: Activity) -> str:
        return self._to("activity", activity.id, activity.name, activity.id)

    def stage(self, stage: Stage) -> str:
        return self._to("stage", stage.id, stage.name)

    def handoff(self, handoff: Handoff) -> str:
        return self._to("handoff", handoff.id, self.r.handoff_title(handoff))

    def person(self, name: str) -> str:
        if self.r.person_link(name):
            return self._to("person", name, name)
        return text(name)

    def letters(self, pairs: Iterable[tuple[str, list[Role]]]) -> str:
        return " · ".join(f"{letter}: {self.roles(roles)}" for letter, roles in pairs)


class _Assignments:
    """Who holds which letter where, indexed once per render (pages look things up instead
    of scanning every activity)."""

    def __init__(self, playbook: Playbook) -> None:
        order = {k: i for i, k in enumerate(playbook.model.letters)}
        self.position: dict[str, int] = {}
        self.by_role: dict[tuple[str, str], list[Activity]] = defaultdict(list)
        self.letters: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.involved: dict[str, set[str]] = defaultdict(set)
        self.by_stage: dict[str, list[Activity]] = defaultdict(list)
        for index, activity in enumerate(playbook.activities):
            self.position[activity.id] = index
            if activity.stage:
                self.by_stage[activity.stage].append(activity)
            for letter in sorted(activity.raci, key=lambda k: order.get(k, len(order))):
                for role_id in dict.fromkeys(activity.raci[letter]):
                    self.by_role[(role_id, letter)].append(activity)
                    self.letters[(activity.id, role_id)].append(letter)
                    self.involved[role_id].add(activity.id)


class Renderer:
    """Renders one playbook; one instance per render call."""

    def __init__(
        self, playbook: Playbook, env: jinja2.Environment, directory_urls: bool = True
    ) -> None:
        self.pb = playbook
        self.env = env
        self.links = Links(playbook, directory_urls)
        self.pages: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    def page(
        self, path: str, template: str, title: str, *, wide: bool = False, **context: Any
    ) -> None:
        """Render one page. A ``wide`` page hides Material's sidebars to give a table room."""
        here = path

        def link(kind: str, ident: str, anchor: str = "") -> str:
            return self.links.md(here, self.target(kind, ident), anchor)

        def href(kind: str, ident: str) -> str:
            target = self.target(kind, ident)
            anchor = ident if kind == "activity" else ""
            return self.links.href(here, target, anchor)

        def file_href(target: str) -> str:
            return self.links.file_href(here, target)

        body = render_template(
            self.env,
            template,
            pb=self.pb,
            r=self,
            ln=PageLinks(self, here),
            page=path,
            page_title=title,
            link=link,
            href=href,
            file_href=file_href,
            **context,
        )
        hide = "hide: [navigation, toc]\n" if wide else ""
        front = f"---\ntitle: {json.dumps(title_text(title), ensure_ascii=False)}\n{hide}---\n\n"
        self.pages[path] = front + tidy(body) + self.abbreviations(body)
        self.titles[path] = title

    def target(self, kind: str, ident: str) -> str:
        if kind == "activity":
            return self.links.matrix_page(self.pb.activity(ident))
        if kind == "person":
            return f"people/{self.links.person_slug[ident]}.md"
        if kind == "stage":
            return f"lifecycle/{ident}.md"
        if kind == "area":
            return f"raci/{self.links.area_slug[ident]}.md"
        folder = {"role": "roles", "team": "teams", "handoff": "handoffs", "engagement": "engagements"}
        return f"{folder[kind]}/{ident}.md"

    @cached_property
    def _abbr_lines(self) -> list[tuple[str, str]]:
        lines = []
        for entry in self.pb.glossary:
            term = " ".join(_clean(entry.term).split())
            if not term or re.search(r"[\]\\\[<>&*_`{}|]", term):
                continue  # a term the page shows escaped would never match
            plain = re.sub(r"[*`]", "", tooltip_text(entry.definition))  # emphasis marks
            meaning = re.sub(  # a tooltip, and inert text for an engine without abbreviations
                r"[\\_{}\[\]|]", lambda m: f"&#{ord(m.group(0))};", plain
            )
            lines.append((term, f"*[{term}]: {meaning}"))
        return lines

    @cached_property
    def _abbr_search(self) -> tuple[re.Pattern[str], frozenset[str]] | None:
        """One pattern for every term (longest first), and the terms found inside others,
        which the pattern can hide and so are looked for one by one."""
        terms = sorted({term for term, _ in self._abbr_lines}, key=len, reverse=True)
        if not terms:
            return None
        nested = frozenset(t for t in terms if any(t != u and t in u for u in terms))
        return re.compile("|".join(map(re.escape, terms))), nested

    def abbreviations(self, body: str) -> str:
        """Glossary terms as abbreviation definitions, for the terms this page uses."""
        if self._abbr_search is None:
            return ""
        pattern, nested = self._abbr_search
        found = set(pattern.findall(body))
        used = [
            line
            for term, line in self._abbr_lines
            if term in found or (term in nested and term in body)
        ]
        return ("\n" + "\n".join(used) + "\n") if used else ""

    def render(self) -> Site:
        pb = self.pb
        self.page("index.md", "index.md.j2", pb.organisation.name)
        self.page("lifecycle/index.md", "lifecycle.md.j2", "Lifecycle")
        for stage in pb.stages:
            self.page(f"lifecycle/{stage.id}.md", "stage.md.j2", stage.name, stage=stage)
        self.page("handoffs/index.md", "handoffs.md.j2", "Handoffs")
        for handoff in pb.handoffs:
            self.page(f"handoffs/{handoff.id}.md", "handoff.md.j2", self.handoff_title(handoff),
                      handoff=handoff)
        self.render_matrix()
        self.page("teams/index.md", "teams.md.j2", "Teams")
        for team in pb.teams:
            self.page(f"teams/{team.id}.md", "team.md.j2", team.name, team=team)
        self.page("roles/index.md", "roles.md.j2", "Roles")
        for role in pb.roles:
            self.page(f"roles/{role.id}.md", "role.md.j2", role.name, role=role)
        if pb.people_with_pages:
            self.page("people/index.md", "people.md.j2", "People")
            for name in pb.people_with_pages:
                self.page(f"people/{self.links.person_slug[name]}.md", "person.md.j2", name,
                          person=name)
        if pb.engagements:
            self.page("engagements/index.md", "engagements.md.j2", "Engagements")
            for engagement in pb.engagements:
                self.page(f"engagements/{engagement.id}.md", "engagement.md.j2",
                          engagement.name, engagement=engagement)
        if pb.cadences:
            self.page("cadences.md", "cadences.md.j2", "Cadences")
        if pb.glossary:
            self.page("glossary.md", "glossary.md.j2", "Glossary")
        if pb.changelog:
            self.page("changes.md", "changes.md.j2", "Changes")
        assets = {
            CSS_PATH: render_template(self.env, "assets/playbook.css"),
            JS_PATH: render_template(self.env, "assets/playbook.js"),
        }
        return Site(self.pages, self.navigation(), self.titles, assets)

    def render_matrix(self) -> None:
        groups = self.area_groups()
        if not self.links.split:
            self.page("raci/index.md", "raci.md.j2", "Who does what (RACI)", groups=groups,
                      wide=True)
            return
        self.page("raci/index.md", "raci-areas.md.j2", "Who does what (RACI)", groups=groups)
        for area, activities in groups:
            self.page(self.target("area", area), "raci.md.j2", f"RACI: {area}",
                      groups=[(area, activities)], wide=True)

    def area_groups(self) -> list[tuple[str, list[Activity]]]:
        groups: dict[str, list[Activity]] = defaultdict(list)
        for activity in self.pb.activities:
            groups[self.links.area_key(activity)].append(activity)
        return list(groups.items())

    def navigation(self) -> list[Any]:
        def section(title: str, index: str, children: list[str]) -> dict[str, Any]:
            entries: list[Any] = [index]
            if len(children) <= NAV_CHILDREN_MAX:
                entries += [{title_text(self.titles[c]): c} for c in children]
            return {title: entries}

        pages = self.pages
        nav: list[Any] = [{"Overview": "index.md"}]

        def under(prefix: str) -> list[str]:
            return [p for p in pages if p.startswith(prefix) and not p.endswith("/index.md")]

        nav.append(section("Lifecycle", "lifecycle/index.md", under("lifecycle/")))
        nav.append(section("Handoffs", "handoffs/index.md", under("handoffs/")))
        nav.append(section("RACI", "raci/index.md", under("raci/")))
        nav.append(section("Teams", "teams/index.md", under("teams/")))
        nav.append(section("Roles", "roles/index.md", under("roles/")))
        if "people/index.md" in pages:
            nav.append(section("People", "people/index.md", under("people/")))
        if "engagements/index.md" in pages:
            nav.append(section("Engagements", "engagements/index.md", under("engagements/")))
        for path, title in (("cadences.md", "Cadences"), ("glossary.md", "Glossary"),
                            ("changes.md", "Changes")):
            if path in pages:
                nav.append({title: path})
        return nav

    def handoff_title(self, handoff: Handoff) -> str:
        return f"{self.pb.role(handoff.from_).name} → {self.pb.role(handoff.to).name}"

    def lifecycle_svg(self, here: str) -> str:
        svg = diagrams.lifecycle_svg(
            self.pb, link=lambda sid: self.links.href(here, f"lifecycle/{sid}.md")
        )
        return _diagram_block(svg)

    def swimlane_svg(self, here: str) -> str:
        svg = diagrams.swimlane_svg(
            self.pb, link=lambda hid: self.links.href(here, f"handoffs/{hid}.md")
        )
        return _diagram_block(svg, wide=True)

    def sla_words(self, handoff: Handoff) -> str:
        """``accept within 4 business hours; first contact within 1 business day (Mon–Fri …)``."""
        if not handoff.sla:
            return ""
        clocks = "; ".join(clock_words(n, d) for n, d in handoff.sla.items())
        if any(d.business for d in handoff.sla.values()):
            clocks += f" ({self.pb.sla_hours(handoff).describe()})"
        return clocks

    def hours(self, team_id: str | None = None) -> BusinessHours:
        return self.pb.hours_for(self.pb.team(team_id) if team_id else None)

    def duration_words(self, duration: Duration, team_id: str | None = None) -> str:
        if duration.business:
            return f"{duration} ({self.hours(team_id).describe()})"
        return str(duration)

    def letter_order(self) -> list[str]:
        """The model's letters with the accountable one first (what you own comes first)."""
        first = self.pb.accountable_letter
        return [first] + [k for k in self.pb.model.letters if k != first]

    def letter_name(self, letter: str) -> str:
        spec = self.pb.model.letters.get(letter)
        return spec.name if spec else letter

    def letter_heading(self, letter: str) -> str:
        name = self.letter_name(letter)
        lead = LETTER_HEADINGS.get(name)
        return f"{lead} — {name} ({letter})" if lead else f"{name} ({letter})"

    @cached_property
    def _role_rank(self) -> dict[str, tuple[int, int]]:
        """Column order of roles: by team, then as listed."""
        teams = {t.id: i for i, t in enumerate(self.pb.teams)}
        return {r.id: (teams.get(r.team, 0), i) for i, r in enumerate(self.pb.roles)}

    def roles_with_letters(self, activities: Iterable[Activity]) -> list[Role]:
        """Roles that hold a letter on any of ``activities``, in team then role order."""
        rank = self._role_rank
        used = {rid for a in activities for ids in a.raci.values() for rid in ids if rid in rank}
        return [self.pb.role(rid) for rid in sorted(used, key=rank.__getitem__)]

    @cached_property
    def _assignments(self) -> _Assignments:
        return _Assignments(self.pb)

    def letters_of(self, activity: Activity, role: Role) -> list[str]:
        """The role's letters on the activity, in the model's order."""
        return self._assignments.letters.get((activity.id, role.id), [])

    def letter_count(self, role_id: str) -> int:
        """Activities on which the role holds any letter."""
        return len(self._assignments.involved.get(role_id, ()))

    def activities_for(self, role_id: str, letter: str) -> list[Activity]:
        """Activities on which the role holds ``letter``, in playbook order."""
        return self._assignments.by_role.get((role_id, letter), [])

    def person_rows(self, role_ids: list[str], letter: str) -> list[tuple[Activity, str]]:
        """(activity, role id) for a person holding ``role_ids``: activity order, then the
        order of the roles under the letter."""
        rows = [
            (a, rid)
            for rid in role_ids
            for a in self._assignments.by_role.get((rid, letter), [])
        ]
        position = self._assignments.position
        return sorted(rows, key=lambda row: (position[row[0].id],
                                             row[0].raci[letter].index(row[1])))

    def stage_activities(self, stage_id: str) -> list[Activity]:
        return self._assignments.by_stage.get(stage_id, [])

    def others(self, activity: Activity, role_id: str) -> list[tuple[str, list[Role]]]:
        """The other roles on an activity, grouped by letter."""
        out = []
        for letter in self.pb.model.letters:
            roles = [self.pb.role(r) for r in activity.raci.get(letter, ()) if r != role_id]
            if roles:
                out.append((letter, roles))
        return out

    def handoffs_of(self, role_id: str) -> tuple[list[Handoff], list[Handoff]]:
        received = [h for h in self.pb.handoffs if h.to == role_id]
        sent = [h for h in self.pb.handoffs if h.from_ == role_id]
        return received, sent

    def stage_handoffs(self, stage: Stage) -> list[Handoff]:
        return [h for h in self.pb.handoffs if h.stage == stage.id]

    def rejected_into(self, stage: Stage) -> list[Handoff]:
        return [h for h in self.pb.handoffs if h.on_reject and h.on_reject.to == stage.id]

    def incoming(self, stage: Stage) -> list[Stage]:
        return [s for s in self.pb.stages if stage.id in self.pb.next_stages(s)]

    def cadences_of(self, role_id: str) -> list[tuple[Any, str]]:
        out = []
        for cadence in self.pb.cadences:
            if cadence.chair == role_id:
                out.append((cadence, "chair"))
            elif role_id in cadence.attendees:
                out.append((cadence, "attend"))
        return out

    def engagements_of(self, role_id: str) -> list[tuple[Engagement, list[str]]]:
        out = []
        for e in self.pb.engagements:
            parts = []
            if e.client_contact == role_id:
                parts.append("client contact")
            if e.party_contact == role_id:
                parts.append(f"{self.pb.team(e.party).name} contact")
            if e.approvals and e.approvals.approver == role_id:
                parts.append("approver")
            if role_id in e.sign_off:
                parts.append("signatory")
            if parts:
                out.append((e, parts))
        return out

    def stages_owned(self, role_id: str) -> list[Stage]:
        return [s for s in self.pb.stages if s.owner == role_id]

    def party_split(
        self, engagement: Engagement, activity: Activity
    ) -> tuple[list[tuple[str, list[Role]]], list[tuple[str, list[Role]]]]:
        """The external party's and the client's roles on an activity, grouped by letter."""
        party: dict[str, list[Role]] = {}
        client: dict[str, list[Role]] = {}
        for letter, role in self.pb.assignments(activity):
            side = party if role.team == engagement.party else client
            side.setdefault(letter, []).append(role)
        return list(party.items()), list(client.items())

    def boundary_handoffs(self, engagement: Engagement) -> list[Handoff]:
        out = []
        for h in self.pb.handoffs:
            teams = {self.pb.role(h.from_).team, self.pb.role(h.to).team}
            if engagement.party in teams and len(teams) == 2:
                out.append(h)
        return out

    def person_roles(self, name: str) -> list[Role]:
        return [self.pb.role(r) for r in self.pb.people_index.get(name, ())]

    def person_link(self, name: str) -> str | None:
        return name if name in self.links.person_slug else None

    def notes_index(self, activities: Iterable[Activity]) -> dict[tuple[str, str], int]:
        """Footnote numbers for per-role notes, in the order they appear."""
        numbers: dict[tuple[str, str], int] = {}
        for activity in activities:
            for role in self.roles_with_letters([activity]):
                if role.id in activity.notes:
                    numbers[(activity.id, role.id)] = len(numbers) + 1
        return numbers

    def matrix(self, here: str, groups: list[tuple[str, list[Activity]]], caption: str) -> str:
        """The filterable RACI matrix of ``groups`` as HTML, then its notes as Markdown.

        Built in Python rather than a template: at thousands of rows × hundreds of roles a
        template loop per cell is the slowest part of a build. Only the roles with a letter
        in these activities get a column; an empty cell is a bare ``<td></td>``.
        """
        pb = self.pb
        activities = self.flatten(groups)
        columns = self.roles_with_letters(activities)
        notes = self.notes_index(activities)
        accountable = pb.accountable_letter
        names = {k: html_text(self.letter_name(k)) for k in pb.model.letters}
        tips = {k: tooltip(self.letter_name(k)) for k in pb.model.letters}
        total = len(activities)
        out = [f'<div class="pb-filter" hidden data-total="{total}">']
        options = "".join(
            f'<option value="{html_text(c.id)}">{html_text(c.name)}</option>' for c in columns
        )
        out.append(f'<label>Role <select data-filter="role"><option value="">any role</option>'
                   f"{options}</select></label>")
        options = "".join(
            f'<option value="{html_text(t.id)}">{html_text(t.name)}</option>'
            for t in self.teams_of(columns)
        )
        out.append(f'<label>Team <select data-filter="team"><option value="">any team</option>'
                   f"{options}</select></label>")
        options = "".join(
            f'<option value="{html_text(k)}">{html_text(k)} — {names[k]}</option>'
            for k in pb.model.letters
        )
        out.append('<label>Letter <select data-filter="letter"><option value="">any letter'
                   f"</option>{options}</select></label>")
        out.append('<label>Text <input type="search" data-filter="text" '
                   'placeholder="activity, area, note…"></label>')
        out.append(f'<output class="pb-count" aria-live="polite">{total} of {total} activities'
                   "</output>")
        out.append("</div>")
        out.append('<div class="pb-matrix-wrap" tabindex="0" role="region" '
                   'aria-label="RACI matrix">')
        out.append('<table class="pb-matrix">')
        out.append(f"<caption>{html_text(caption)}: {total} activities × {len(columns)} roles"
                   "</caption>")
        heads = "".join(
            f'<th scope="col" data-role="{html_text(c.id)}" data-team="{html_text(c.team)}">'
            f'<a href="{self.links.href(here, self.target("role", c.id))}">'
            f"{html_text(c.name)}</a></th>"
            for c in columns
        )
        out.append('<thead>\n<tr><th scope="col">Activity</th><th scope="col">Stage</th>'
                   f"{heads}</tr>\n</thead>")
        for area, rows in groups:
            out.append(f'<tbody data-area="{html_text(area)}">')
            out.append(f'<tr class="pb-area"><th scope="colgroup" colspan="{len(columns) + 2}" '
                       f'id="area-{slugify(area)}">{html_text(area)}</th></tr>')
            for a in rows:
                search = html_text(" ".join([a.name, area, *a.notes.values()]).lower())
                stage = ""
                if a.stage:
                    link = self.links.href(here, self.target("stage", a.stage))
                    stage = f'<a href="{link}">{html_text(pb.stage(a.stage).name)}</a>'
                cells = []
                for c in columns:
                    letters = self.letters_of(a, c)
                    if not letters:
                        cells.append("<td></td>")
                        continue
                    owner = " data-owner" if accountable in letters else ""
                    marks = ",".join(
                        f'<abbr title="{tips.get(k, tooltip(k))}">{html_text(k)}</abbr>'
                        for k in letters
                    )
                    number = notes.get((a.id, c.id))
                    if number:
                        marks += (f'<sup><a href="#note-{number}" aria-label="note {number}">'
                                  f"{number}</a></sup>")
                    cells.append(
                        f'<td data-role="{html_text(c.id)}" data-letters="{" ".join(letters)}" '
                        f'class="pb-l pb-l-{letters[0].lower()}"{owner}>{marks}</td>'
                    )
                out.append(f'<tr id="{a.id}" data-search="{search}"><th scope="row">'
                           f"{html_text(a.name)}</th><td>{stage}</td>{''.join(cells)}</tr>")
            out.append("</tbody>")
        out.append("</table>\n</div>")
        if notes:
            out.append("\n**Notes**\n")
            for (activity_id, role_id), number in notes.items():
                activity = pb.activity(activity_id)
                out.append(
                    f'- <span id="note-{number}">{number}.</span> {text(activity.name)}, '
                    f"{text(pb.role(role_id).name)}: {md_inline(activity.notes[role_id])}"
                )
        return "\n".join(out)

    def flatten(self, groups: list[tuple[str, list[Activity]]]) -> list[Activity]:
        return [a for _, activities in groups for a in activities]

    def teams_of(self, roles: Iterable[Role]) -> list[Any]:
        ids = []
        for role in roles:
            if role.team not in ids:
                ids.append(role.team)
        return [self.pb.team(t) for t in ids]


STANDALONE_CSS = """
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; }
th, td { border: 1px solid #bbb; padding: .35em .5em; text-align: left; vertical-align: top; }
tr, li { break-inside: avoid; }
.pb-signoff td { height: 2.8em; }
.pb-print-actions, .headerlink { display: none; }
abbr { text-decoration: none; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } }
"""


def standalone_page(title: str, body_html: str) -> str:
    """A self-contained HTML document of one page's content, for e-mailing or printing.

    Links are turned into their text (their targets are pages of the site) and the page's
    own buttons are removed.
    """
    body = re.sub(r'<div class="pb-print-actions">.*?</div>', "", body_html, flags=re.DOTALL)
    body = re.sub(r"<a\b[^>]*>", "", body).replace("</a>", "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STANDALONE_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


class TemplateFailure(PlaybookError):
    """A template (usually a user's override) could not be read or rendered.

    The message is one line in the diagnostics' shape, naming the template file and line:
    ``overrides/role.md.j2:3:1: error: template 'role.md.j2': unexpected '}'``.
    """

    def __init__(self, *, file: str, line: int, template: str, message: str) -> None:
        self.file, self.line, self.template = file, line, template
        message = " ".join(message.split())
        super().__init__(f"{file}:{line}:1: error: template '{template}': {message}")


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _template_folders(env: jinja2.Environment) -> list[Path]:
    loaders = env.loader.loaders if isinstance(env.loader, jinja2.ChoiceLoader) else [env.loader]
    folders = []
    for loader in loaders:
        if isinstance(loader, jinja2.FileSystemLoader):
            folders += [Path(p).resolve() for p in loader.searchpath]
    return folders


def _template_frame(
    env: jinja2.Environment, error: BaseException
) -> tuple[str, int, bool] | None:
    """(file, line, is a user's template) of the innermost template line in the traceback."""
    folders = _template_folders(env)
    found = None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        resolved = Path(name).resolve() if name and not name.startswith("<") else None
        for folder in folders:
            if resolved is not None and resolved.is_relative_to(folder):
                found = (name, tb.tb_lineno, folder != BUILTIN_TEMPLATES.resolve())
        tb = tb.tb_next
    return found


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render the template ``name``; a broken template is a :class:`TemplateFailure`.

    Syntax errors, undefined names and errors raised inside a user's template name the file
    and line; an error raised inside a built-in template by Python code is a bug and is
    left as it is.
    """
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        file = _shown(exc.filename) if exc.filename else exc.name or name
        raise TemplateFailure(
            file=file, line=exc.lineno or 1, template=exc.name or name, message=exc.message or ""
        ) from None
    except Exception as exc:
        frame = _template_frame(env, exc)
        if not isinstance(exc, jinja2.TemplateError) and not (frame and frame[2]):
            raise
        file, line = (_shown(frame[0]), frame[1]) if frame else (name, 1)
        message = str(exc) if isinstance(exc, jinja2.TemplateError) else (
            f"{type(exc).__name__}: {exc}"
        )
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found"
        raise TemplateFailure(
            file=file, line=line, template=Path(file).name, message=message
        ) from None


def make_environment(override: Path | str | None = None) -> jinja2.Environment:
    """The Jinja environment: a user's folder first (any template by name), then ours.

    One environment per folder is kept for the life of the process, so ``serve`` does not
    compile every template again on each rebuild; Jinja still reloads a template whose file
    changed.
    """
    return _environment(str(override) if override is not None else None)


@lru_cache(maxsize=8)
def _environment(override: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        lstrip_blocks=True,
        trim_blocks=False,
    )
    env.filters.update(
        text=text,
        md=md_block,
        md_inline=md_inline,
        html=html_text,
        title=title_text,
        tooltip=tooltip,
        percent=percent,
        number=plain_number,
        date=format_date,
        slug=slugify,
    )
    env.globals.update(clock_words=clock_words)
    return env


def render(
    playbook: Playbook,
    env: jinja2.Environment | None = None,
    *,
    directory_urls: bool = True,
) -> Site:
    """The pages, navigation and assets of ``playbook``. Pure and deterministic."""
    return Renderer(playbook, env or make_environment(), directory_urls).render()
