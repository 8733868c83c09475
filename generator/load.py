"""A playbook folder → its sections merged from every file, with where each piece came from.

Files are read by :mod:`.read` (regular files inside the folder, within the limits) and
turned into values by :mod:`.parse` (the private safe YAML loader); this module merges them:
list sections concatenate across files, ``organisation`` and ``models`` appear once. What the
sections must hold is :mod:`.validate`'s business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Diagnostic, Location, PathKey, format_path
from .model import LIST_SECTIONS, MAP_SECTIONS, describe
from .parse import Marks, parse
from .read import Limits, display_path, is_playbook_name, playbook_files, read_text

SECTIONS = MAP_SECTIONS + LIST_SECTIONS
"""Every section name, in the order of the reference (see :data:`generator.model.SECTIONS`)."""
_WHAT = f"a mapping of sections ({', '.join(SECTIONS[:4])}, …)"


@dataclass
class Source:
    """The merged sections of every file, and where each piece came from.

    ``keys[path]`` is where the key naming ``path`` stands, ``values[path]`` where its value
    starts. List sections split across files are concatenated; a path's index counts in the
    concatenated list. ``replaced`` holds the paths whose value the loader already reported
    and replaced (a forbidden tag, a bad date …), so validation does not report them again;
    ``broken`` the files that could not be read at all, so that references into them are not
    reported as unknown.
    """

    folder: str
    data: dict[str, Any] = field(default_factory=dict)
    keys: dict[PathKey, Location] = field(default_factory=dict)
    values: dict[PathKey, Location] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    replaced: dict[PathKey, Location] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    marks: list[Marks] = field(default_factory=list)

    def _lookup(self, table: str, path: PathKey) -> Location | None:
        found: Location | None = getattr(self, table).get(path)
        if found is not None:
            return found
        for marks in self.marks:
            mark = getattr(marks, table).get(path)
            if mark is not None:
                return marks.location(mark)
        return None

    def at(self, path: PathKey) -> Location:
        """Where the value at ``path`` is, or the nearest enclosing place that is known."""
        while path:
            found = self._lookup("values", path)
            if found is not None:
                return found
            path = path[:-1]
        return self.values.get((), Location(self.folder))

    def key_at(self, path: PathKey) -> Location:
        """Where the key of ``path`` stands (for unknown keys), else its value."""
        return self._lookup("keys", path) or self.at(path)

    def raw(self, path: PathKey) -> Any:
        """The value at ``path`` as the files wrote it (None where there is none)."""
        return dig(self.data, path)


def dig(value: Any, path: PathKey) -> Any:
    """The value at ``path`` inside the raw ``value`` (None where there is none)."""
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def load_file(
    path: Path, source: Source, limits: Limits, within: str | None = None
) -> tuple[dict[str, Any], Marks, dict[PathKey, Location]] | None:
    """One file's top-level mapping, its marks and the paths the loader already reported.

    Paths count list entries after those of the files read before (sections concatenate).
    Only a regular file inside the folder ``within`` (default: the file's folder, resolved)
    is read. Returns None when the file cannot be used; the reason is in
    ``source.diagnostics``.
    """
    file = display_path(path)
    within = within or os.path.realpath(path.parent)
    text, problem = read_text(path, file, limits, within)
    if problem or text is None:
        source.diagnostics.extend([problem] if problem else [])
        return None
    offsets = {k: len(v) for k, v in source.data.items() if isinstance(v, list)}
    parsed = parse(text, file, limits, offsets, what=_WHAT)
    source.diagnostics.extend(parsed.diagnostics)
    if parsed.data is None:
        return None
    return parsed.data, parsed.marks, parsed.replaced


def load(folder: Path | str, limits: Limits | None = None) -> Source:
    """Read every ``*.yaml``/``*.yml`` in ``folder`` (sorted) and merge their sections.

    Hidden entries are skipped; anything named like a playbook file that is not a regular
    file inside ``folder`` (a folder, FIFO, device, socket, a link out of the folder) is an
    error at ``FILE:1:1``.
    """
    folder = Path(folder)
    limits = limits or Limits.from_environ()
    shown = display_path(folder)
    source = Source(shown)

    def problem(message: str) -> Source:
        source.diagnostics.append(Diagnostic("error", Location(shown), "", message))
        return source

    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        return problem(f"playbook folder '{shown}' {what}")
    try:
        files = playbook_files(folder)
    except OSError as exc:
        return problem(f"cannot list the playbook folder '{shown}': {exc.strerror or exc}")
    if not files:
        return problem(f"no playbook files (*.yaml, *.yml) in '{shown}'")
    first_map: dict[str, Location] = {}
    root = os.path.realpath(folder)
    for path in files:
        loaded = load_file(path, source, limits, root)
        source.files.append(display_path(path))
        if loaded is None:
            source.broken.append(display_path(path))
        else:
            data, marks, replaced = loaded
            source.marks.append(marks)
            source.replaced.update(replaced)
            _merge_file(source, data, marks, first_map)
    return source


def _merge_file(
    source: Source, data: dict[str, Any], marks: Marks, first_map: dict[str, Location]
) -> None:
    for section, value in data.items():
        here = marks.location(marks.keys[(section,)])
        if section in MAP_SECTIONS and section in first_map:
            first = first_map[section]
            for at, other in ((here, first), (first, here)):
                source.diagnostics.append(
                    Diagnostic(
                        "error",
                        at,
                        section,
                        f"section '{section}' appears twice (also at {other}); it must appear once",
                    )
                )
            continue
        if section in LIST_SECTIONS:
            if value is None:
                value = []
            if not isinstance(value, list):
                where = marks.values.get((section,))
                source.diagnostics.append(
                    Diagnostic(
                        "error",
                        marks.location(where) if where is not None else here,
                        section,
                        f"expected a list of entries, found {describe(value)}",
                    )
                )
                continue
            source.data.setdefault(section, []).extend(value)
            source.keys.setdefault((section,), here)  # a split section is where it starts
        else:
            source.data[section] = value
            first_map[section] = here
            source.keys[(section,)] = here


__all__ = [
    "LIST_SECTIONS",
    "MAP_SECTIONS",
    "SECTIONS",
    "Limits",
    "PathKey",
    "Source",
    "dig",
    "display_path",
    "format_path",
    "is_playbook_name",
    "load",
    "load_file",
    "playbook_files",
]
