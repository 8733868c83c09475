"""YAML files → plain data with a file/line/column for every key and value.

The loader is private and safe: PyYAML composes the node graph (C parser when available),
and this module turns nodes into Python values itself, so it can keep every mark, refuse
duplicate keys and non-standard tags, and bound what aliases expand to.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from .errors import Diagnostic, Location

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The private safe loader. Plain text that cannot be anything but a string (most of a
    playbook) skips PyYAML's regular-expression tag resolution."""

    _maybe_typed = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in self._maybe_typed:
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)


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
_STR_TAG = "tag:yaml.org,2002:str"


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

    ENV: ClassVar[dict[str, str]] = {
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
class _FileMarks:
    """One file's YAML marks by final data path; turned into a Location only when asked for
    (a playbook has far more nodes than it has problems)."""

    file: str
    keys: dict[PathKey, Any] = field(default_factory=dict)
    values: dict[PathKey, Any] = field(default_factory=dict)


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
    marks: list[_FileMarks] = field(default_factory=list)

    def _lookup(self, table: str, path: PathKey) -> Location | None:
        found = getattr(self, table).get(path)
        if found is not None:
            return found
        for marks in self.marks:
            mark = getattr(marks, table).get(path)
            if mark is not None:
                return Location(marks.file, mark.line + 1, mark.column + 1)
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


def is_playbook_name(name: str) -> bool:
    """A folder entry the loader reads: ends in ``.yaml`` or ``.yml`` in any letter case
    (``B.YAML`` is read, not silently left out), and is not hidden: a name starting with
    ``.`` is an editor's or a system's artefact (``.#a.yaml`` Emacs lock, ``._a.yaml``
    AppleDouble) or meant to stay out of sight."""
    return not name.startswith(".") and name.lower().endswith((".yaml", ".yml"))


def playbook_files(folder: Path) -> list[Path]:
    """Every playbook entry of ``folder`` (see :func:`is_playbook_name`), sorted by name.
    Entries that are not readable files (a folder, a broken link, a FIFO) are kept so that
    reading them reports the problem."""
    return sorted((p for p in folder.iterdir() if is_playbook_name(p.name)), key=lambda p: p.name)


class _Abandon(Exception):
    """The file cannot be used; the reason has been reported."""


def _shown_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


_ALLOWED_TAGS = ", ".join(
    "!!" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style


class _Converter:
    """Turns one document's nodes into values, recording marks and problems.

    PyYAML's composer shares one node between an anchor and its aliases, so a node met a
    second time is an alias. What it expands to is counted (from sizes computed once per
    node, before anything is expanded), so an alias bomb is refused without being built.
    """

    def __init__(
        self,
        file: str,
        limits: Limits,
        source: Source,
        marks: _FileMarks,
        offsets: dict[str, int] | None = None,
    ) -> None:
        self.file = file
        self.limits = limits
        self.source = source
        self.marks = marks
        self.offsets = offsets or {}
        self.alias_nodes = 0
        self.expanding = False
        self.visited: set[int] = set()
        self.active: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def error(self, node: yaml.Node, path: PathKey, message: str) -> None:
        self.source.diagnostics.append(
            Diagnostic("error", self.loc(node), format_path(path), message)
        )

    def replace(self, node: yaml.Node, path: PathKey, message: str) -> None:
        """Report the value at ``path`` and mark it as replaced (validation stays quiet)."""
        self.error(node, path, message)
        self.source.replaced[path] = self.loc(node)

    def expansion(self, node: yaml.Node) -> int:
        """How many nodes ``node`` stands for with its aliases expanded (capped past the limit)."""
        cap = self.limits.max_alias_nodes + 1
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        self.sizes[id(node)] = cap  # a node inside itself expands without end
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        for child in children:
            total += self.expansion(child)
            if total >= cap:
                total = cap
                break
        self.sizes[id(node)] = total
        return total

    def convert(self, node: yaml.Node, path: PathKey, depth: int, record: bool) -> Any:
        if record:
            self.marks.values[path] = node.start_mark
        if node.__class__ is yaml.ScalarNode and node.tag == _STR_TAG:
            return self.scalar(node, path)  # the common case: plain text, nothing to expand
        if depth > self.limits.max_depth:
            self.error(node, path, f"nested deeper than {self.limits.max_depth} levels")
            raise _Abandon
        ident = id(node)
        if ident in self.active:
            self.replace(
                node, path, "an alias refers to a value that contains it (recursive alias)"
            )
            return None
        if ident in self.visited and not self.expanding:
            self.alias_nodes += self.expansion(node)
            if self.alias_nodes > self.limits.max_alias_nodes:
                self.error(
                    node,
                    path,
                    f"aliases expand past {self.limits.max_alias_nodes:,} nodes "
                    "(limit PLAYBOOK_MAX_ALIAS_NODES)",
                )
                raise _Abandon
            self.expanding = True
            try:
                return self.convert(node, path, depth, False)
            finally:
                self.expanding = False
        self.visited.add(ident)
        if node.tag not in _STANDARD_TAGS:
            self.replace(
                node,
                path,
                f"YAML tag '{_shown_tag(node.tag)}' is not allowed "
                f"(only the standard tags: {_ALLOWED_TAGS})",
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.active.add(ident)
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth, record)
            return self.sequence(node, path, depth, record)
        finally:
            self.active.discard(ident)

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            if len(node.value) > self.limits.max_text_chars:
                self.replace(
                    node,
                    path,
                    f"text of {len(node.value):,} characters is longer than the "
                    f"{self.limits.max_text_chars:,} allowed (limit PLAYBOOK_MAX_TEXT_CHARS)",
                )
                return None
            return node.value
        try:
            constructor = self.constructor.yaml_constructors[tag]
            return constructor(self.constructor, node)
        except (ValueError, TypeError, OverflowError, yaml.constructor.ConstructorError):
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "…"
            if tag.endswith("timestamp"):
                message = f"bad date '{shown}': there is no such date (expected YYYY-MM-DD)"
            elif tag.endswith(":int") and len(node.value) > 1000:  # Python reads 4,300 digits
                message = (
                    f"'{shown}' is a number too long to read ({len(node.value):,} characters); "
                    "quote it if it is text"
                )
            else:
                message = f"'{shown}' is not a valid {tag.rsplit(':', 1)[-1]}"
            self.replace(node, path, message)
            return None

    def sequence(
        self, node: yaml.SequenceNode, path: PathKey, depth: int, record: bool
    ) -> list[Any] | None:
        if len(node.value) > self.limits.max_list_items:
            self.replace(
                node,
                path,
                f"list of {len(node.value):,} items is longer than the "
                f"{self.limits.max_list_items:,} allowed (limit PLAYBOOK_MAX_LIST_ITEMS)",
            )
            return None
        start = self.offsets.get(str(path[0]), 0) if len(path) == 1 else 0
        return [
            self.convert(item, path + (i,), depth + 1, record)
            for i, item in enumerate(node.value, start)
        ]

    def mapping(
        self, node: yaml.MappingNode, path: PathKey, depth: int, record: bool
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
            result[key] = self.convert(value_node, sub, depth + 1, record)
            if record:
                self.marks.keys[sub] = key_node.start_mark
                if _is_empty(value_node):  # `key:` with nothing after it: point at the key
                    self.marks.values[sub] = key_node.start_mark
        for merge_node in merged:
            self.merge(merge_node, result, path, depth, record)
        return result

    def merge(
        self, node: yaml.Node, result: dict[str, Any], path: PathKey, depth: int, record: bool
    ) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.error(source, path, "a merge key '<<' needs a mapping or a list of mappings")
                continue
            value = self.convert(source, path + ("<<",), depth + 1, False)
            where = {
                str(key_node.value): (key_node if _is_empty(value_node) else value_node).start_mark
                for key_node, value_node in source.value
                if isinstance(key_node, yaml.ScalarNode)
            }
            for key, item in (value or {}).items():
                if key not in result:
                    result[key] = item
                    if record:
                        self.marks.values.setdefault(
                            path + (key,), where.get(key, source.start_mark)
                        )


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


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check cannot hang the read
    | getattr(os, "O_NOFOLLOW", 0)  # the path is resolved already: a new link is refused
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class _Unreadable(Exception):
    """A playbook entry that is not read; the message says why."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_regular(kind: str, link: str) -> _Unreadable:
    return _Unreadable(f"{link}{kind}, not a file; only regular files are read")


def _inside(root: str, real: str) -> bool:
    try:
        return os.path.commonpath([root, real]) == root
    except ValueError:  # another drive on Windows
        return False


def _open_regular(path: Path, root: str) -> tuple[int, int]:
    """An open descriptor of the regular file ``path`` names, and the size it claims.

    A link is followed only to a place inside the folder ``root``. The kind of file is
    looked at before opening (a FIFO or a device is never opened) and again on the
    descriptor itself, so a file swapped in between is still refused.
    """
    found = os.lstat(path)
    real: str | Path = path
    link = ""
    if stat.S_ISLNK(found.st_mode):
        target = os.readlink(path)
        real = os.path.realpath(path)
        if not os.path.lexists(real):
            raise _Unreadable(f"a broken link: '{target}' does not exist")
        if not _inside(root, real):
            raise _Unreadable(
                f"a link to '{target}', outside the playbook folder; only files inside it are read"
            )
        link = f"a link to '{target}', which is "
        found = os.stat(real)
    kind = _kind(found.st_mode)
    if kind:
        raise _not_regular(kind, link)
    fd = os.open(real, _OPEN_FLAGS)
    opened = os.fstat(fd)
    kind = _kind(opened.st_mode)
    if kind:
        os.close(fd)
        raise _not_regular(kind, link)
    return fd, opened.st_size


def _read_bytes(fd: int, limit: int, claimed: int) -> bytes:
    """At most ``limit + 1`` bytes: what is read counts, not the size the file claims."""
    chunks: list[bytes] = []
    left = limit + 1
    while left:
        chunk = os.read(fd, min(left, max(claimed + 1, 65536)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_text(
    path: Path, file: str, limits: Limits, root: str
) -> tuple[str | None, Diagnostic | None]:
    def problem(message: str, line: int = 1, column: int = 1) -> Diagnostic:
        return Diagnostic("error", Location(file, line, column), "", message)

    try:
        fd, claimed = _open_regular(path, root)
        try:
            raw = _read_bytes(fd, limits.max_file_bytes, claimed)
        finally:
            os.close(fd)
    except _Unreadable as exc:
        return None, problem(str(exc))
    except OSError as exc:
        return None, problem(f"cannot read file: {exc.strerror or exc}")
    if len(raw) > limits.max_file_bytes:
        return None, problem(
            f"file is larger than the {limits.max_file_bytes:,} bytes allowed "
            "(limit PLAYBOOK_MAX_FILE_BYTES)"
        )
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


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    """Where the parser stopped, what it found, and what it was reading (with its start)."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = str(exc.problem or exc.context or "the YAML cannot be parsed")
    context = str(exc.context) if exc.problem and exc.context else ""
    start = exc.context_mark
    if context and start and (start.line, start.column) != (line - 1, column - 1):
        context += f" started at line {start.line + 1}, column {start.column + 1}"
    message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    return Diagnostic("error", Location(file, line, column), "", message)


def _documents(text: str) -> Iterator[yaml.Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def load_file(
    path: Path, source: Source, limits: Limits, within: str | None = None
) -> tuple[dict[str, Any], _FileMarks, dict[PathKey, Location]] | None:
    """One file's top-level mapping, its marks and the paths the loader already reported.

    Paths count list entries after those of the files read before (sections concatenate).
    Only a regular file inside the folder ``within`` (default: the file's folder, resolved)
    is read. Returns None when the file cannot be used; the reason is in
    ``source.diagnostics``.
    """
    file = display_path(path)
    within = within or os.path.realpath(path.parent)
    text, problem = _read_text(path, file, limits, within)
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
        source.diagnostics.append(_syntax_error(exc, file))
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        source.diagnostics.append(
            Diagnostic("error", Location(file), "", f"YAML could not be read: {exc}")
        )
        return None
    nodes: list[yaml.Node] = [d for d in documents if d is not None]
    if not nodes:
        return {}, _FileMarks(file), {}
    if len(nodes) > 1:
        second = nodes[1].start_mark
        source.diagnostics.append(
            Diagnostic(
                "error",
                Location(file, second.line + 1, second.column + 1),
                "",
                f"a file holds one YAML document, found {len(nodes)}; "
                "split them into separate files",
            )
        )
        return None
    root = nodes[0]
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
    offsets = {k: len(v) for k, v in source.data.items() if isinstance(v, list)}
    marks = _FileMarks(file)
    converter = _Converter(file, limits, scratch, marks, offsets)
    try:
        data = converter.mapping(root, (), 0, True)
    except _Abandon:
        data = None
    except RecursionError:
        data = None
        scratch.diagnostics.append(
            Diagnostic("error", Location(file), "", "the YAML is nested too deeply to read")
        )
    source.diagnostics.extend(scratch.diagnostics)
    if data is None:
        return None
    return data, marks, scratch.replaced


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
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        source.diagnostics.append(
            Diagnostic("error", Location(shown), "", f"playbook folder '{shown}' {what}")
        )
        return source
    try:
        files = playbook_files(folder)
    except OSError as exc:
        source.diagnostics.append(
            Diagnostic(
                "error",
                Location(shown),
                "",
                f"cannot list the playbook folder '{shown}': {exc.strerror or exc}",
            )
        )
        return source
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
    source: Source, data: dict[str, Any], marks: _FileMarks, first_map: dict[str, Location]
) -> None:
    from .model import describe

    def location(mark: Any) -> Location:
        return Location(marks.file, mark.line + 1, mark.column + 1)

    for section, value in data.items():
        here = location(marks.keys[(section,)])
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
                        location(where) if where is not None else here,
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
