"""User text made safe for a Markdown page: the sanitiser and the filters templates use.

Every value from the YAML reaches a page through one of these (``text``, ``md``,
``md_inline``, ``html``, ``title``, ``tooltip`` in templates), which make it inert in its
context. YAML values are never themselves rendered as templates. Which characters a page
never carries is :func:`generator.text.drop_controls`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from ..text import drop_controls

_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]#])")
_LINE_START = re.compile(r"^([-+:]|\d+(?=[.)]))")
_SAFE_SCHEMES = ("http", "https", "mailto")


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
    return drop_controls(str(value))


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


FIELD_EXTENSIONS = ("tables", "def_list", "admonition")
"""The Python-Markdown extensions a Markdown field is read with (its HTML is made once)."""

_CONVERTER: list[Any] = []
_PLAIN_FIELD = re.compile(r"[^\\`*_\[\]<>\n]*")
_INLINE_LEAD = re.compile(r"^(?:([-+*]|#{1,6})|(\d+)([.)]))(?=\s|$)")
"""What would open a list or a heading at the start of an inline field (escaped there)."""
_BLOCK_LEAD = re.compile(r"\s|[-+*#>=]|\d+[.)]|!!!|\?\?\?")


def _convert(markdown_text: str) -> str:
    """Python-Markdown's HTML for safe Markdown (:func:`md`'s output)."""
    if not _CONVERTER:
        import markdown  # only rendering pays for it

        _CONVERTER.append(markdown.Markdown(extensions=list(FIELD_EXTENSIONS)))
    return str(_CONVERTER[0].reset().convert(markdown_text))


@lru_cache(maxsize=1 << 15)
def _field_html(safe: str) -> str:
    """A Markdown field's HTML, made once however many pages show it. One line of plain
    prose (most fields) needs no parser: it is already what Python-Markdown would write."""
    if _PLAIN_FIELD.fullmatch(safe) and not _BLOCK_LEAD.match(safe):
        return f"<p>{safe.strip()}</p>" if safe.strip() else ""
    return _convert(safe)


def md_block(value: Any) -> str:
    """A Markdown field as HTML blocks (paragraphs, lists, tables …), made safe by
    :func:`md`."""
    return _field_html(md(value))


def md_inline(value: Any) -> str:
    """A Markdown field as inline HTML on one line (a table cell or list item): its lines
    joined, emphasis, code and links kept; a leading list or heading mark stays text."""
    safe = re.sub(r"\s*\n\s*", " ", md(value)).strip()
    if not safe:
        return ""
    lead = _INLINE_LEAD.match(safe)
    if lead:  # `\-`, `1\.`: the mark shown as written
        mark = "\\" + "\\".join(lead[1]) if lead[1] else f"{lead[2]}\\{lead[3]}"
        safe = mark + safe[lead.end() :]
    converted = _field_html(safe)
    if converted.startswith("<p>") and converted.endswith("</p>") and converted.count("<p>") == 1:
        return converted[3:-4]
    return text(value)


def md_text(value: Any) -> str:
    """Plain text (a name, a term) inside Markdown: every Markdown and HTML character inert
    (the headings of a page written for another engine, :mod:`.page`)."""
    if value is None:
        return ""
    return _md_text(value if isinstance(value, str) else _clean(value))


@lru_cache(maxsize=1 << 16)
def _md_text(value: str) -> str:
    flat = " ".join(_clean(value).split())
    escaped = _MD_ESCAPE.sub(r"\\\1", _escape_html(flat)).replace("|", "&#124;")  # no table

    def line_start(match: re.Match[str]) -> str:
        lead = match.group(1)
        if lead.isdigit():
            return lead + "\\"
        return "&#58;" if lead == ":" else "\\" + lead

    return _LINE_START.sub(line_start, escaped)


def text(value: Any) -> str:
    """Plain text (a name, a term) in a page's HTML: every character shown as itself."""
    if value is None:
        return ""
    return _html_text(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=1 << 16)
def _html_text(value: str) -> str:
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


EXTENSIONS = ("attr_list", "toc")
"""The Python-Markdown extensions a page written for another engine needs (``render --out``:
its headings are Markdown lines with their ids, the rest is HTML)."""
