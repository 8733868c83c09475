"""YAML text → plain values, with where every key and value stands.

The loader is private and safe: PyYAML composes the node graph (C parser when available),
and this module turns nodes into Python values itself, so it can keep every mark, refuse
duplicate keys and non-standard tags, and bound what aliases expand to. It knows nothing of
the sections: :mod:`.load` merges files, :mod:`.validate` judges what they say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import yaml

from .errors import Diagnostic, Location, PathKey, format_path
from .read import Limits
from .yamlloader import MERGE_TAG, STANDARD_TAGS, STR_TAG, Loader, PlainReader, Unusual


@dataclass
class Marks:
    """One file's YAML marks by final data path; turned into a Location only when asked for
    (a playbook has far more nodes than it has problems)."""

    file: str
    keys: dict[PathKey, Any] = field(default_factory=dict)
    values: dict[PathKey, Any] = field(default_factory=dict)

    def location(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)


@dataclass
class Parsed:
    """What one file holds: its top-level mapping (None when the file cannot be used), the
    marks, the problems found, and the paths whose value was reported and replaced."""

    data: dict[str, Any] | None
    marks: Marks
    diagnostics: list[Diagnostic] = field(default_factory=list)
    replaced: dict[PathKey, Location] = field(default_factory=dict)


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
        found: Parsed,
        offsets: Mapping[str, int],
    ) -> None:
        self.file = file
        self.limits = limits
        self.found = found
        self.marks = found.marks
        self.offsets = offsets
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
        self.found.diagnostics.append(
            Diagnostic("error", self.loc(node), format_path(path), message)
        )

    def replace(self, node: yaml.Node, path: PathKey, message: str) -> None:
        """Report the value at ``path`` and mark it as replaced (validation stays quiet)."""
        self.error(node, path, message)
        self.found.replaced[path] = self.loc(node)

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
        if node.__class__ is yaml.ScalarNode and node.tag == STR_TAG:
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
        if node.tag not in STANDARD_TAGS:
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
            return self.sequence(cast(yaml.SequenceNode, node), path, depth, record)
        finally:
            self.active.discard(ident)

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag == STR_TAG:
            if len(node.value) > self.limits.max_text_chars:
                self.replace(
                    node,
                    path,
                    f"text of {len(node.value):,} characters is longer than the "
                    f"{self.limits.max_text_chars:,} allowed (limit PLAYBOOK_MAX_TEXT_CHARS)",
                )
                return None
            return node.value
        if tag == MERGE_TAG:  # `<<` as a value, not as a key
            self.replace(node, path, "'<<' merges only as a mapping key; quote it if it is text")
            return None
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
            if key_node.tag == MERGE_TAG:
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
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.max_depth:
                mark = event.start_mark
                return Diagnostic(
                    "error",
                    Location(file, mark.line + 1, mark.column + 1) if mark else Location(file),
                    "",
                    f"nested deeper than {limits.max_depth} levels",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


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
    loader = Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def parse(text: str, file: str, limits: Limits, offsets: Mapping[str, int], *, what: str) -> Parsed:
    """The one YAML document of ``text`` (the file ``file``) as values with marks.

    ``offsets`` counts the entries each list section already has from earlier files (a
    path's index counts in the concatenated list); ``what`` says what the document must be
    (a mapping of sections), for the message when it is not.
    """
    found = Parsed(None, Marks(file))

    def problem(mark: Any, message: str) -> Parsed:
        where = found.marks.location(mark) if mark is not None else Location(file)
        found.diagnostics.append(Diagnostic("error", where, "", message))
        return found

    if _flow_depth(text) > limits.max_depth:
        try:
            deep = _check_event_depth(text, file, limits)
        except yaml.YAMLError:
            deep = None  # the syntax error is reported below
        if deep:
            found.diagnostics.append(deep)
            return found
    plain = PlainReader(text, limits, offsets)
    try:
        found.data = plain.document()
    except Unusual:
        pass
    else:
        found.marks.keys, found.marks.values = plain.keys, plain.values
        return found
    try:
        documents = list(_documents(text))
    except yaml.MarkedYAMLError as exc:
        found.diagnostics.append(_syntax_error(exc, file))
        return found
    except (yaml.YAMLError, RecursionError) as exc:
        return problem(None, f"YAML could not be read: {exc}")
    nodes: list[yaml.Node] = [d for d in documents if d is not None]
    if not nodes:
        found.data = {}
        return found
    if len(nodes) > 1:
        return problem(
            nodes[1].start_mark,
            f"a file holds one YAML document, found {len(nodes)}; split them into separate files",
        )
    root = nodes[0]
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        return problem(root.start_mark, f"a playbook file must be {what}, found {kind}")
    try:
        found.data = _Converter(file, limits, found, offsets).mapping(root, (), 0, True)
    except _Abandon:
        found.data = None
    except RecursionError:
        found.data = None
        problem(None, "the YAML is nested too deeply to read")
    return found
