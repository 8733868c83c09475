"""The one policy for user text on its way out: control characters, one line, the escapers.

A value in the YAML may hold any character a double-quoted YAML string can spell (``"\\e"``,
``"\\0"``, ``"\\n"``). Wherever the tool prints or writes text, such characters are shown
escaped, as Python spells them (``\\x1b``, ``\\n``), so no value can move a terminal's cursor,
change its colours, or start a line of output that a reader or a CI runner would take for the
tool's own. (The site's pages drop them instead: see ``render``.)
"""

from __future__ import annotations

import json
import re
from typing import Any

_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


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
