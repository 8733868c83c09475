"""A rendered template made into a page: front matter, tidied blank lines, glossary terms.

The output is Markdown, where whitespace is meaning: :func:`tidy` drops the blank lines
template tags leave inside tables and lists, and never touches a user's Markdown block.
"""

from __future__ import annotations

import json
import re

from ..model import Playbook
from ..text import drop_controls
from .markdown import BLOCK_END, BLOCK_START, title_text, tooltip_text

_JOINED = re.compile(r"^(\||- |>(?: |$)|\d+\. |<)")


def _kind(line: str) -> str:
    """What block a line continues: a table row, a list item (numbered or not), a quote, a
    raw HTML line; ``""`` for anything else."""
    match = _JOINED.match(line)
    if match is None:
        return ""
    return "1" if match.group(1)[0].isdigit() else match.group(1)[0]


def _marked_lines(markdown: str) -> list[tuple[str, bool]]:
    """The lines of ``markdown`` without the block sentinels, each with whether any of it is
    a user's Markdown block."""
    lines: list[tuple[str, bool]] = [("", False)]
    inside = False
    for piece in re.split(f"([{BLOCK_START}{BLOCK_END}])", markdown):
        if piece in (BLOCK_START, BLOCK_END):
            inside = piece == BLOCK_START
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
    lines = [
        (line, True) if marked else (line.rstrip(), False)
        for line, marked in _marked_lines(markdown)
    ]
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
            if not before_marked and not after_marked and _kind(before) == _kind(after) != "":
                continue
        out.append((line, marked))
    return "\n".join(line for line, _ in out).strip("\n") + "\n"


_SEARCH = {"index": "", "exclude": "search: {exclude: true}\n", "boost": "search: {boost: 2}\n"}
"""Material's search front matter for a page kind's ``search``."""


def front_matter(title: str, *, wide: bool = False, search: str = "index") -> str:
    """The page's YAML front matter: its title (escaped for Material, which writes it into
    the page as HTML), for a ``wide`` page Material's sidebars hidden to give a table room,
    and how Material's search treats it (``exclude``, ``boost``)."""
    hide = "hide: [navigation, toc]\n" if wide else ""
    title = json.dumps(title_text(title), ensure_ascii=False)
    return f"---\ntitle: {title}\n{hide}{_SEARCH[search]}---\n\n"


class Glossary:
    """The glossary's terms as abbreviation definitions, added to the pages that use them."""

    def __init__(self, playbook: Playbook) -> None:
        meanings: dict[str, list[str]] = {}
        for entry in playbook.glossary:
            term = " ".join(drop_controls(entry.term).split())
            if not term or re.search(r"[\]\\\[<>&*_`{}|]", term):
                continue  # a term the page shows escaped would never match
            plain = re.sub(r"[*`]", "", tooltip_text(entry.definition))  # emphasis marks
            if entry.context:  # the same term in another context: both meanings, each placed
                plain = f"{tooltip_text(entry.context)}: {plain}"
            meanings.setdefault(term, []).append(plain)
        self.lines: list[tuple[str, str]] = []
        for term, said in meanings.items():
            meaning = re.sub(  # a tooltip, and inert text for an engine without abbreviations
                r"[\\_{}\[\]|]", lambda m: f"&#{ord(m.group(0))};", " · ".join(said)
            )
            self.lines.append((term, f"*[{term}]: {meaning}"))
        # One pattern for every term (longest first), and the terms found inside others,
        # which the pattern can hide and so are looked for one by one.
        terms = sorted({term for term, _ in self.lines}, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, terms))) if terms else None
        self.nested = frozenset(t for t in terms if any(t != u and t in u for u in terms))

    def abbreviations(self, body: str) -> str:
        """Abbreviation definitions for the terms ``body`` uses."""
        if self.pattern is None:
            return ""
        found = set(self.pattern.findall(body))
        used = [
            line
            for term, line in self.lines
            if term in found or (term in self.nested and term in body)
        ]
        return ("\n" + "\n".join(used) + "\n") if used else ""
