"""Messages a non-programmer can act on, for the two mistakes people make most: naming the
wrong thing where an id belongs, and writing several letters as one.

:class:`Directory` is what the files define (read from the raw entries, so an entry with an
error of its own still counts); :func:`unknown` says why a reference finds nothing, and
:func:`one_letter_per_key` how to write combined letters.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import LETTERS_RE, SECTIONS

MAX_LISTED = 5
"""How many valid ids a message lists when none is close to what was written."""
_SPACES = re.compile(r"\s+")


def _folded(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


@dataclass
class Directory:
    """The ids and names each section defines, in file order, and each role's team."""

    ids: dict[str, dict[str, None]] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Section → folded name → id."""
    team_of: dict[str, str] = field(default_factory=dict)
    """Role id → its team's id."""

    def add(self, section: str, raw: Mapping[str, Any]) -> None:
        """Record an entry as the files wrote it (its id must be well formed)."""
        ident = raw["id"]
        self.ids.setdefault(section, {})[ident] = None
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            self.names.setdefault(section, {}).setdefault(_folded(name), ident)
        team = raw.get("team")
        if section == "roles" and isinstance(team, str):
            self.team_of[ident] = team

    def known(self, section: str) -> tuple[str, ...]:
        return tuple(self.ids.get(section, ()))

    def roles_in(self, team: str) -> list[str]:
        return [role for role, of in self.team_of.items() if of == team]

    def name_of(self, value: str, first: str) -> tuple[str, str] | None:
        """(section, id) of the entry whose name ``value`` is, looked for in section
        ``first`` before the others; None when no entry has that name."""
        folded = _folded(value)
        for section in (first, *SECTIONS):
            found = self.names.get(section, {}).get(folded)
            if found is not None:
                return section, found
        return None


def suggest(value: object, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a known name is close to ``value``."""
    close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _listing(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none yet"


def _other_kind(directory: Directory, section: str, value: str) -> str | None:
    """Why ``value``, an id of another section, is not one of ``section``."""
    other = next((s for s in SECTIONS if s != section and value in directory.ids.get(s, {})), None)
    if other is None:
        return None
    noun, wanted = SECTIONS[other].noun, SECTIONS[section].noun
    said = f"'{value}' is {_a(noun)}, not {_a(wanted)}"
    if section == "roles" and other == "teams":
        return f"{said} (roles in team '{value}': {_listing(directory.roles_in(value))})"
    if section == "teams" and other == "roles" and value in directory.team_of:
        return f"{said} (role '{value}' is in team '{directory.team_of[value]}')"
    return said


def named(directory: Directory, section: str, value: str) -> str | None:
    """``'Field Marketing' is the name of role 'field-marketing'; write the id`` when
    ``value`` is an entry's name rather than its id (None otherwise)."""
    found = directory.name_of(value, section)
    if found is None:
        return None
    other, ident = found
    noun = SECTIONS[other].noun
    said = f"'{value}' is the name of {noun} '{ident}'"
    if other == section:
        return f"{said}; write the id"
    if section == "roles" and other == "teams":
        roles = _listing(directory.roles_in(ident))
        return f"{said}, not a role; write a role's id (roles in team '{ident}': {roles})"
    return f"{said}, not {_a(SECTIONS[section].noun)}; write {_a(SECTIONS[section].noun)}'s id"


def unknown(directory: Directory, section: str, value: str) -> str:
    """Why a reference to ``value`` in ``section`` finds nothing, and what to write instead:
    the kind it is, the entry it names, the closest id, or up to five valid ids."""
    said = _other_kind(directory, section, value) or named(directory, section, value)
    if said:
        return said
    noun = SECTIONS[section].noun
    known = directory.known(section)
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"unknown {noun} '{value}' (did you mean '{close[0]}'?)"
    if not known:
        return f"unknown {noun} '{value}'; no {section} are defined"
    if len(known) <= MAX_LISTED:
        return f"unknown {noun} '{value}'; the {section} are {', '.join(known)}"
    first = known[:MAX_LISTED]  # in the order of the files, as the reader wrote them
    return (
        f"unknown {noun} '{value}'; {section} include {', '.join(first)} "
        f"({len(first)} of {len(known):,})"
    )


def letters_of(text: Any) -> list[str] | None:
    """The letters of ``A, R`` (or ``A/R``, ``[A, R]``), or None when ``text`` is not
    letters written together."""
    if isinstance(text, str) and LETTERS_RE.match(text):
        return re.findall(r"[A-Z]", text)
    if (
        isinstance(text, list)
        and text
        and all(isinstance(item, str) and re.fullmatch(r"\s*[A-Z]\s*", item) for item in text)
    ):
        return [item.strip() for item in text]
    return None


def shown(value: Any) -> str:
    """A raw value as the YAML would write it, shortly: ``sdr``, ``[sdr, ae]``."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return f"[{', '.join(value)}]"
    return "…"


def one_letter_per_key(letters: list[str], holder: Any) -> str:
    """``one letter per key: write `A: x` and `R: x```."""
    who = shown(holder)
    parts = [f"`{letter}: {who}`" for letter in letters]
    listed = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"one letter per key: write {listed}"
