"""YAML files → plain data with a file/line/column for every key and value.

The loader is private and safe: PyYAML composes the node graph (C parser when available),
and this module turns nodes into Python values itself, so it can keep every mark, refuse
duplicate keys and non-standard tags, and bound what aliases expand to.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, Location

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

PathKey = tuple[str | int, ...]

LIST_SECTIONS = (
    "teams",
    "roles",
    "people",
    "stages",
    "handoffs",
    "activities",
    "engagements",
    "cadences",
    "glossary",
    "changelog",
)
MAP_SECTIONS = ("organisation", "models")
SECTIONS = MAP_SECTIONS + LIST_SECTIONS

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge")
}
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Limits:
    """Bounds on what the loader accepts, so hostile input fails fast.

    Each can be changed with the environment variable named in ``ENV``.
    """

    max_file_bytes: int = 8 * 1024 * 1024
    max_alias_nodes: int = 100_000
    max_depth: int = 50
    max_list_items: int = 50_000
    max_text_chars: int = 20_000

    ENV = {
        "max_file_bytes": "PLAYBOOK_MAX_FILE_BYTES",
        "max_alias_nodes": "PLAYBOOK_MAX_ALIAS_NODES",
        "max_depth": "PLAYBOOK_MAX_DEPTH",
        "max_list_items": "PLAYBOOK_MAX_LIST_ITEMS",
        "max_text_chars": "PLAYBOOK_MAX_TEXT_CHARS",
    }

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Limits:
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, int] = {}
        for name, var in cls.ENV.items():
            raw = environ.get(var, "").strip()
            if raw.isdigit() and int(raw) > 0:
                values[name] = int(raw)
        return cls(**values)


@dataclass
class Source:
    """The merged sections of every file, and where each piece came from.

    ``keys[path]`` is where the key naming ``path`` stands, ``values[path]`` where its value
    starts. List sections split across files are concatenated; a path's index counts in the
    concatenated list.
    """

    folder: str
    data: dict[str, Any] = field(default_factory=dict)
    keys: dict[PathKey, Location] = field(default_factory=dict)
    values: dict[PathKey, Location] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def at(self, path: PathKey) -> Location:
        """Where the value at ``path`` is, or the nearest enclosing place that is known."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Location(self.folder))

    def key_at(self, path: PathKey) -> Location:
        """Where the key of ``path`` stands (for unknown keys), else its value."""
        return self.keys.get(path) or self.at(path)


def format_path(path: PathKey) -> str:
    """``('activities', 3, 'raci', 'A')`` → ``activities[3].raci.A``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A file name relative to the current directory where possible."""
    cwd = cwd or Path.cwd()
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return str(path)


def playbook_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()),
        key=lambda p: p.name,
    )


class _TooDeep(Exception):
    pass


class _Converter:
    """Turns one document's nodes into values, recording marks and problems."""

    def __init__(self, file: str, limits: Limits, source: Source) -> None:
        self.file = file
        self.limits = limits
        self.source = source
        self.alias_nodes = 0
        self.alias_stop = False
        self.constructor = yaml.constructor.SafeConstructor()

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def error(self, node: yaml.Node, path: PathKey, message: str) -> None:
        self.source.diagnostics.append(
            Diagnostic("error", self.loc(node), format_path(path), message)
        )

    def convert(
        self, node: yaml.Node, path: PathKey, depth: int, seen: dict[int, int], record: bool
    ) -> Any:
        if record:
            self.source.values[path] = self.loc(node)
        if depth > self.limits.max_depth:
            self.error(node, path, f"nested deeper than {self.limits.max_depth} levels")
            raise _TooDeep
        ident = id(node)
        shared = seen.get(ident, 0)
        if shared:
            # A node met again is an alias: count what it expands to.
            self.alias_nodes += 1
            if self.alias_nodes > self.limits.max_alias_nodes:
                if not self.alias_stop:
                    self.alias_stop = True
                    self.error(
                        node,
                        path,
                        f"aliases expand past {self.limits.max_alias_nodes:,} nodes "
                        "(limit PLAYBOOK_MAX_ALIAS_NODES)",
                    )
                return None
        seen[ident] = shared + 1
        try:
            if node.tag not in _STANDARD_TAGS:
                self.error(node, path, f"YAML tag '{node.tag}' is not allowed (only standard tags)")
                return None
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth, seen, record and not shared)
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, path, depth, seen, record and not shared)
            return self.scalar(node, path)
        finally:
            seen[ident] -= 1
            if not seen[ident]:
                del seen[ident]

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            if len(node.value) > self.limits.max_text_chars:
                self.error(
                    node,
                    path,
                    f"text of {len(node.value):,} characters is longer than the "
                    f"{self.limits.max_text_chars:,} allowed (limit PLAYBOOK_MAX_TEXT_CHARS)",
                )
                return ""
            return node.value
        try:
            constructor = self.constructor.yaml_constructors[tag]
            return constructor(self.constructor, node)
        except (ValueError, TypeError, OverflowError, yaml.constructor.ConstructorError):
            what = "date" if tag.endswith("timestamp") else tag.rsplit(":", 1)[-1]
            self.error(node, path, f"'{node.value}' is not a valid {what}")
            return None

    def sequence(
        self, node: yaml.SequenceNode, path: PathKey, depth: int, seen: dict[int, int], record: bool
    ) -> list[Any]:
        if len(node.value) > self.limits.max_list_items:
            self.error(
                node,
                path,
                f"list of {len(node.value):,} items is longer than the "
                f"{self.limits.max_list_items:,} allowed (limit PLAYBOOK_MAX_LIST_ITEMS)",
            )
            return []
        return [
            self.convert(item, path + (i,), depth + 1, seen, record)
            for i, item in enumerate(node.value)
        ]

    def mapping(
        self, node: yaml.MappingNode, path: PathKey, depth: int, seen: dict[int, int], record: bool
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_nodes: dict[str, yaml.Node] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, path, "a mapping key must be plain text")
                continue
            key = str(key_node.value)
            sub = path + (key,)
            if key in key_nodes:
                first = self.loc(key_nodes[key])
                self.error(
                    key_node,
                    sub,
                    f"duplicate key '{key}' (first defined at line {first.line}, "
                    f"column {first.column})",
                )
                continue
            key_nodes[key] = key_node
            if record:
                self.source.keys[sub] = self.loc(key_node)
            result[key] = self.convert(value_node, sub, depth + 1, seen, record)
        for merge_node in merged:
            self.merge(merge_node, result, path, depth, seen, record)
        return result

    def merge(
        self,
        node: yaml.Node,
        result: dict[str, Any],
        path: PathKey,
        depth: int,
        seen: dict[int, int],
        record: bool,
    ) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.error(source, path, "a merge key '<<' needs a mapping or a list of mappings")
                continue
            value = self.convert(source, path + ("<<",), depth + 1, seen, False)
            for key, item in (value or {}).items():
                if key not in result:
                    result[key] = item
                    if record:
                        self.source.values.setdefault(path + (key,), self.loc(source))


def _flow_depth(text: str) -> int:
    brackets = re.sub(r"[^\[\]{}]+", "", text)
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _check_event_depth(text: str, file: str, limits: Limits) -> Diagnostic | None:
    """Find nesting past the limit without recursion (the composer recurses)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.max_depth:
                mark = event.start_mark
                return Diagnostic(
                    "error",
                    Location(file, mark.line + 1, mark.column + 1),
                    "",
                    f"nested deeper than {limits.max_depth} levels",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _read_text(path: Path, file: str, limits: Limits) -> tuple[str | None, Diagnostic | None]:
    def problem(message: str, line: int = 1, column: int = 1) -> Diagnostic:
        return Diagnostic("error", Location(file, line, column), "", message)

    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return None, problem(
                f"file is {size:,} bytes, larger than the {limits.max_file_bytes:,} allowed "
                "(limit PLAYBOOK_MAX_FILE_BYTES)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return None, problem(f"cannot read file: {exc.strerror or exc}")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, problem(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it as UTF-8",
            line,
            column,
        )


def _documents(text: str) -> Iterator[yaml.Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


_Marks = tuple[dict[PathKey, Location], dict[PathKey, Location]]


def load_file(path: Path, source: Source, limits: Limits) -> tuple[dict[str, Any], _Marks] | None:
    """One file's top-level mapping and its (key, value) marks under the file's own paths.

    Returns None when the file cannot be used; the reason is in ``source.diagnostics``.
    """
    file = display_path(path)
    text, problem = _read_text(path, file, limits)
    if problem:
        source.diagnostics.append(problem)
        return None
    assert text is not None
    if _flow_depth(text) > limits.max_depth:
        try:
            deep = _check_event_depth(text, file, limits)
        except yaml.YAMLError:
            deep = None  # the syntax error is reported below
        if deep:
            source.diagnostics.append(deep)
            return None
    try:
        documents = list(_documents(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        source.diagnostics.append(
            Diagnostic("error", Location(file, line, column), "", f"YAML syntax: {message}")
        )
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        source.diagnostics.append(
            Diagnostic("error", Location(file), "", f"YAML could not be read: {exc}")
        )
        return None
    documents = [d for d in documents if d is not None]
    if not documents:
        return {}, ({}, {})
    if len(documents) > 1:
        second = documents[1].start_mark
        source.diagnostics.append(
            Diagnostic(
                "error",
                Location(file, second.line + 1, second.column + 1),
                "",
                f"a file holds one YAML document, found {len(documents)}; "
                "split them into separate files",
            )
        )
        return None
    root = documents[0]
    if not isinstance(root, yaml.MappingNode):
        found = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        mark = root.start_mark
        source.diagnostics.append(
            Diagnostic(
                "error",
                Location(file, mark.line + 1, mark.column + 1),
                "",
                f"a playbook file must be a mapping of sections ({', '.join(SECTIONS[:4])}, …), "
                f"found {found}",
            )
        )
        return None
    scratch = Source(source.folder)
    converter = _Converter(file, limits, scratch)
    try:
        data = converter.mapping(root, (), 0, {}, True)
    except _TooDeep:
        data = None
    source.diagnostics.extend(scratch.diagnostics)
    if data is None:
        return None
    return data, (scratch.keys, scratch.values)


def load(folder: Path | str, limits: Limits | None = None) -> Source:
    """Read every ``*.yaml``/``*.yml`` in ``folder`` (sorted) and merge their sections."""
    folder = Path(folder)
    limits = limits or Limits.from_environ()
    shown = display_path(folder)
    source = Source(shown)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        source.diagnostics.append(
            Diagnostic("error", Location(shown), "", f"playbook folder '{shown}' {what}")
        )
        return source
    files = playbook_files(folder)
    if not files:
        source.diagnostics.append(
            Diagnostic(
                "error",
                Location(shown),
                "",
                f"no playbook files (*.yaml, *.yml) in '{shown}'",
            )
        )
        return source
    first_map: dict[str, Location] = {}
    for path in files:
        loaded = load_file(path, source, limits)
        source.files.append(display_path(path))
        if loaded is not None:
            data, (keys, values) = loaded
            _merge_file(source, data, keys, values, first_map)
    return source


def _merge_file(
    source: Source,
    data: dict[str, Any],
    keys: dict[PathKey, Location],
    values: dict[PathKey, Location],
    first_map: dict[str, Location],
) -> None:
    for section, value in data.items():
        here = keys[(section,)]
        offset = 0
        if section in LIST_SECTIONS and isinstance(value, list):
            existing = source.data.setdefault(section, [])
            if not isinstance(existing, list):
                existing = source.data[section] = []
            offset = len(existing)
            existing.extend(value)
        elif section in MAP_SECTIONS and section in first_map:
            first = first_map[section]
            message = (
                f"section '{section}' appears twice (also at {first}); it must appear once"
            )
            source.diagnostics.append(Diagnostic("error", here, section, message))
            source.diagnostics.append(
                Diagnostic(
                    "error", first, section, f"section '{section}' appears twice (also at {here})"
                )
            )
            continue
        elif section in LIST_SECTIONS and section in source.data:
            continue  # a non-list second part; the type error is reported by validation
        else:
            source.data[section] = value
            first_map[section] = here
        for table, target in ((keys, source.keys), (values, source.values)):
            for path, location in table.items():
                if path and path[0] == section:
                    if offset and len(path) > 1 and isinstance(path[1], int):
                        path = (section, path[1] + offset) + path[2:]
                    target[path] = location
        if (section,) not in source.keys:
            source.keys[(section,)] = here


def parse_date(value: Any) -> dt.date | None:
    """A YAML date (already a ``date``) or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
