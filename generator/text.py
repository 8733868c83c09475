"""The one policy for user text on its way out: control characters, one line, the escapers.

A value in the YAML may hold any character a double-quoted YAML string can spell (``"\\e"``,
``"\\0"``, ``"\\n"``). Wherever the tool prints or writes text, such characters are shown
escaped, as Python spells them (``\\x1b``, ``\\n``), so no value can move a terminal's cursor,
change its colours, or start a line of output that a reader or a CI runner would take for the
tool's own. The site's pages drop them instead (:func:`drop_controls`): a page is read
by Markdown engines and browsers, not terminals, and Python-Markdown uses some of them as its
own placeholders.
"""

from __future__ import annotations

import json
import re
from typing import Any

_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NOT_ON_PAGES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\U000e0000-\U000e007f]|[\ud800-\udfff]"
)
"""Characters no page or diagram keeps from user text: C0/C1 controls but tab and newline
(Python-Markdown uses STX/ETX as placeholders), a byte order mark, non-characters, tag
characters and lone surrogates (which cannot be written as UTF-8)."""


def _escaped(match: re.Match[str]) -> str:
    return match.group(0).encode("unicode_escape").decode("ascii")


def one_line(text: str) -> str:
    """``text`` with every control character and line break escaped (``\\n``, ``\\x1b``), so a
    value always stays on the line it was printed on."""
    return _ONE_LINE.sub(_escaped, text)


def printable(text: str) -> str:
    """``text`` with the control characters escaped but line feeds and tabs kept: for messages
    and documents that are several lines by design (each value in them goes through
    :func:`one_line` first)."""
    return _PRINTABLE.sub(_escaped, text)


def json_text(value: Any) -> str:
    """``value`` as indented JSON with no raw control character, line separator or lone
    surrogate: the ones :func:`json.dumps` leaves raw are written as ``\\u`` escapes, which
    read back as the same value."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def github_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``): ``%``, CR and LF
    percent-encoded as the runner expects, any other control character escaped."""
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(encoded)


def github_property(text: str) -> str:
    """A property of a GitHub workflow command (``file=...``): as :func:`github_data`, and
    ``:`` and ``,`` percent-encoded too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def drop_controls(text: str) -> str:
    """``text`` for a page: line ends made ``\\n`` and the characters of
    :data:`_NOT_ON_PAGES` removed (pages drop what terminals get escaped)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_ON_PAGES.sub("", text)


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|&~#$"})
_BREAK = "&#8203;"
"""A zero-width space: invisible, and it keeps GitHub from linking what it splits."""
_LINKED = re.compile(r"@|#(?=\d)|\bGH-(?=\d)|(?<=[A-Za-z]):(?=//)|\bwww(?=\.)", re.IGNORECASE)
"""What GitHub turns into a link or a notification in a comment: ``@someone`` (and e-mail
addresses), ``#123`` and ``GH-123``, ``https://…`` and ``www.…``."""
_BLOCK_MARK = re.compile(r"^([-+=])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def markdown_literal(text: str) -> str:
    """User text made literal, on one line, in Markdown pasted into a pull request.

    An asterisk in a name stays an asterisk, a line break is shown as ``\\n``, and nothing
    in it becomes a heading, a list, a mention, an issue reference or a link.
    """
    literal = one_line(text).translate(_MARKDOWN_SPECIAL)
    literal = _LINKED.sub(lambda m: m.group(0) + _BREAK, literal)
    literal = _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", literal))
    return re.sub(r"^ +", lambda m: "&#32;" * len(m.group(0)), literal)
