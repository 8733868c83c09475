"""A rendered template made into a page: its headings given ids, its table of contents, the
glossary's terms marked, and the two wrappers the page is handed on in.

Templates write HTML. :func:`finish` reads the headings the way Python-Markdown's ``toc``
extension would have made them (the same ids, ``_1`` for a repeat), so anchors and the
table of contents stay what they were. A :class:`Page` then gives:

- :meth:`Page.html`, the article's HTML with permalinks, for the plugin (MkDocs never parses
  a generated page as Markdown);
- :meth:`Page.markdown`, a Markdown file for engines without the plugin (``render --out``):
  the front matter, each heading a Markdown line with its id (so the engine makes the table
  of contents), and the same HTML between them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from markdown.extensions.toc import slugify, unique

from ..model import Playbook
from ..text import drop_controls
from .markdown import md_text, title_text, tooltip, tooltip_text

_HEADING = re.compile(r'<h([1-6])(?: id="([^"<>]*)")?>(.*?)</h\1>', re.DOTALL)
"""A heading the page's outline counts: one written as ``<h2>`` or ``<h2 id="…">``. A heading
with other attributes (the matrix's cards) stays as written, outside the outline."""
_TAG = re.compile(r"<[^>]*>")
_ID = re.compile(r'\bid="([^"<>]*)"')


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    ident: str
    inner: str
    """The heading's content as HTML."""

    @property
    def name(self) -> str:
        """Its text for the table of contents, still HTML-escaped."""
        return " ".join(_TAG.sub("", self.inner).split())


_SEARCH: dict[str, dict[str, Any]] = {
    "index": {},
    "exclude": {"search": {"exclude": True}},
    "boost": {"search": {"boost": 2}},
}
"""Material's search front matter for a page kind's ``search``."""


@dataclass(frozen=True, slots=True)
class Page:
    """One generated page: its title, how Material treats it, and its body."""

    title: str
    """Plain text."""
    parts: tuple[str | Heading, ...]
    """The body: HTML between the headings of its outline."""
    wide: bool = False
    """Material's sidebars hidden, to give a table room."""
    search: str = "index"
    """How Material's search treats it: ``index``, ``exclude`` or ``boost``."""

    def meta(self) -> dict[str, Any]:
        """The page's front matter: its title (escaped for Material, which writes it into
        the page as HTML), what it hides, how search treats it."""
        meta: dict[str, Any] = {"title": title_text(self.title)}
        if self.wide:
            meta["hide"] = ["navigation", "toc"]
        meta.update(_SEARCH[self.search])
        return meta

    def front_matter(self) -> str:
        lines = [
            f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in self.meta().items()
        ]
        return "---\n" + "\n".join(lines) + "\n---\n\n"

    def html(self, permalink: str | None = "&para;") -> str:
        """The article's HTML; each heading ends with a permalink (``None``: without)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            mark = (
                f'<a class="headerlink" href="#{part.ident}" title="Permanent link">{permalink}</a>'
                if permalink
                else ""
            )
            out.append(f'<h{part.level} id="{part.ident}">{part.inner}{mark}</h{part.level}>')
        return "".join(out)

    def markdown(self) -> str:
        """The page as a Markdown file: front matter, the headings as Markdown lines with
        their ids (the engine's ``toc`` and ``attr_list`` make the outline), the rest HTML."""
        out = [self.front_matter()]
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                words = md_text(html.unescape(_TAG.sub("", part.inner)))
                ident = part.ident.replace("_", "\\_")  # `_0_` would read as emphasis
                out.append(f"\n\n{'#' * part.level} {words} {{ #{ident} }}\n\n")
        return re.sub(r"\n{3,}", "\n\n", "".join(out)).rstrip("\n") + "\n"

    @property
    def headings(self) -> list[Heading]:
        return [p for p in self.parts if isinstance(p, Heading)]

    def toc(self) -> list[dict[str, Any]]:
        """The outline as Python-Markdown's nested ``toc_tokens`` (what MkDocs reads)."""
        root: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []
        for h in self.headings:
            token = {"level": h.level, "id": h.ident, "name": h.name, "children": []}
            while stack and stack[-1]["level"] >= h.level:
                stack.pop()
            (stack[-1]["children"] if stack else root).append(token)
            stack.append(token)
        return root

    def anchors(self) -> set[str]:
        """Every ``id`` of the page (what a link's ``#fragment`` may name)."""
        found = {p.ident for p in self.parts if isinstance(p, Heading)}
        for part in self.parts:
            if isinstance(part, str):
                found.update(_ID.findall(part))
        return found


def finish(
    body: str,
    title: str,
    glossary: Glossary | None = None,
    *,
    wide: bool = False,
    search: str = "index",
) -> Page:
    """A rendered template as a :class:`Page`: the headings of its outline found and given
    the ids Python-Markdown's ``toc`` would give them, the glossary's terms marked."""
    used = {m[2] for m in _HEADING.finditer(body) if m[2]}
    parts: list[str | Heading] = []
    last = 0
    for m in _HEADING.finditer(body):
        if m.start() > last:
            parts.append(body[last : m.start()])
        inner = m[3].strip()
        ident = m[2] or unique(slugify(html.unescape(_TAG.sub("", inner)), "-"), used)
        parts.append(Heading(int(m[1]), ident, inner))
        last = m.end()
    if last < len(body):
        parts.append(body[last:])
    if glossary is not None and glossary.pattern is not None:
        parts = [
            glossary.mark(p)
            if isinstance(p, str)
            else Heading(p.level, p.ident, glossary.mark(p.inner))
            for p in parts
        ]
    cleaned = tuple(p for p in (_blank_lines(p) if isinstance(p, str) else p for p in parts) if p)
    return Page(title, cleaned, wide, search)


def _blank_lines(part: str) -> str:
    """At most one blank line in a row (template tags leave them), none at the ends."""
    return re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", part).strip("\n")


_SKIP = ("abbr", "code", "pre", "script", "style", "svg", "textarea", "select")
"""Elements whose text the glossary leaves alone: code, drawings, form controls."""
_SKIP_START = re.compile(
    r"<(" + "|".join(_SKIP) + r")\b[^>]*>|<([a-zA-Z0-9]+)\b[^>]*\bpb-noabbr\b[^>]*>"
)


def _skipped(part: str) -> list[tuple[int, int]]:
    """The spans of ``part`` the glossary leaves alone: each element of :data:`_SKIP` and of
    class ``pb-noabbr``, from its start tag to its matching end tag."""
    spans: list[tuple[int, int]] = []
    covered = 0
    for start in _SKIP_START.finditer(part):
        if start.start() < covered:
            continue
        name = start[1] or start[2]
        depth, end = 1, len(part)
        for tag in re.finditer(rf"<(/?){name}\b[^>]*>", part[start.end() :]):
            depth += -1 if tag[1] else 1
            if depth == 0:
                end = start.end() + tag.end()
                break
        spans.append((start.start(), end))
        covered = end
    return spans


class Glossary:
    """The glossary's terms, marked in the pages that use them (``<abbr title="…">``: a
    tooltip with Material's ``content.tooltips``)."""

    def __init__(self, playbook: Playbook) -> None:
        meanings: dict[str, list[str]] = {}
        for entry in playbook.glossary:
            term = " ".join(drop_controls(entry.term).split())
            if not term or re.search(r"[<>&]", term):
                continue  # a term the page shows escaped would never match
            plain = re.sub(r"[*`]", "", tooltip_text(entry.definition))  # emphasis marks
            if entry.context:  # the same term in another context: both meanings, each placed
                plain = f"{tooltip_text(entry.context)}: {plain}"
            meanings.setdefault(term, []).append(plain)
        self.titles = {  # keyed as the page writes the term (text() escapes quotes)
            html.escape(term, quote=True): tooltip(" · ".join(said))
            for term, said in meanings.items()
        }
        terms = sorted(self.titles, key=len, reverse=True)  # the longest term first
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, terms)) + r")(?!\w)")
            if terms
            else None
        )

    def mark(self, part: str) -> str:
        """``part`` with each term in its text (not in tags, code or drawings, nor inside an
        element of class ``pb-noabbr``) marked. The terms are found first, so a page that
        uses none costs one search."""
        pattern = self.pattern
        if pattern is None:
            return part
        found = [
            m
            for m in pattern.finditer(part)
            if part.rfind("<", 0, m.start()) <= part.rfind(">", 0, m.start())
        ]
        if not found:
            return part
        skipped = _skipped(part)
        out: list[str] = []
        last = 0
        for match in found:
            start = match.start()
            if any(a <= start < b for a, b in skipped):
                continue
            out.append(part[last:start])
            out.append(f'<abbr title="{self.titles[match[0]]}">{match[0]}</abbr>')
            last = match.end()
        out.append(part[last:])
        return "".join(out)
