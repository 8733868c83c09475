"""PyYAML's loader as the playbook reads it, and the fast reader of plain files.

:class:`Loader` is the private safe loader (C parser when available). :class:`PlainReader`
builds the values of a plain file straight from the parser's events; anything unusual sends
the file to :mod:`.parse`'s full reader, which says what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from .errors import PathKey
from .read import Limits

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class Loader(_Base):  # type: ignore[misc]
    """The private safe loader. Plain text that cannot be anything but a string (most of a
    playbook) skips PyYAML's regular-expression tag resolution."""

    _maybe_typed = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in self._maybe_typed:
            return "tag:yaml.org,2002:str"
        tag: str = super().resolve(kind, value, implicit)
        return tag


STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge")
}
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"


class Unusual(Exception):
    """The file needs the full loader: an anchor, alias, tag, merge key, or a problem."""


_Scalar, _MapStart, _MapEnd = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
_SeqStart, _SeqEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent


class PlainReader:
    """Builds the values of a plain file (no anchors, aliases, tags or merge keys, and nothing
    to report) straight from the parser's events, skipping PyYAML's node graph; the values
    and marks are those the full reader (:mod:`.parse`) finds. Anything else raises
    :class:`Unusual`,
    and the file is read again by the full loader, which says what is wrong exactly as
    always. Most playbook files are plain, and this halves the Python work of reading them.
    """

    def __init__(self, text: str, limits: Limits, offsets: Mapping[str, int]) -> None:
        self.loader = Loader(text)
        self.next = self.loader.get_event
        self.limits = limits
        self.offsets = offsets
        self.keys: dict[PathKey, Any] = {}
        self.values: dict[PathKey, Any] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def document(self) -> dict[str, Any]:
        try:
            self.next()  # the stream starts
            if self.next().__class__ is not yaml.DocumentStartEvent:
                raise Unusual  # no document at all
            root = self.next()
            if root.__class__ is not _MapStart or root.anchor or root.tag:
                raise Unusual
            data = self.mapping((), 0)
            self.next()  # the document ends
            if self.next().__class__ is not yaml.StreamEndEvent:
                raise Unusual  # a second document
            return data
        except (yaml.YAMLError, RecursionError) as exc:
            raise Unusual from exc
        finally:
            self.loader.dispose()

    def value(self, event: Any, path: PathKey, depth: int) -> Any:
        self.values[path] = event.start_mark
        if event.anchor is not None or event.tag is not None or depth > self.limits.max_depth:
            raise Unusual
        kind = event.__class__
        if kind is _Scalar:
            return self.scalar(event)
        if kind is _MapStart:
            return self.mapping(path, depth)
        if kind is _SeqStart:
            return self.sequence(path, depth)
        raise Unusual  # an alias

    def scalar(self, event: Any) -> Any:
        text: str = event.value
        tag = STR_TAG
        if event.implicit[0] and (not text or text[0] in Loader._maybe_typed):
            tag = self.loader.resolve(yaml.ScalarNode, text, event.implicit)
        if tag == STR_TAG:
            if len(text) > self.limits.max_text_chars:
                raise Unusual
            return text
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except Exception as exc:  # the full loader says what is wrong
            raise Unusual from exc

    def mapping(self, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys, values, nxt = self.keys, self.values, self.next
        while True:
            key_event = nxt()
            if key_event.__class__ is _MapEnd:
                return result
            if key_event.__class__ is not _Scalar or key_event.anchor or key_event.tag:
                raise Unusual  # a key that is not plain text, or an alias
            key: str = key_event.value
            if key in result or (key == "<<" and key_event.implicit[0]):
                raise Unusual  # a duplicate key or a merge
            sub = path + (key,)
            event = nxt()
            if event.__class__ is _Scalar and event.tag is None and event.anchor is None:
                result[key] = self.scalar(event)
                values[sub] = event.start_mark
                if event.value == "" and not event.style:  # `key:` alone: point at the key
                    values[sub] = key_event.start_mark
            else:
                result[key] = self.value(event, sub, depth + 1)
            keys[sub] = key_event.start_mark

    def sequence(self, path: PathKey, depth: int) -> list[Any]:
        items: list[Any] = []
        index = self.offsets.get(str(path[0]), 0) if len(path) == 1 else 0
        value, nxt = self.value, self.next
        while True:
            event = nxt()
            if event.__class__ is _SeqEnd:
                break
            items.append(value(event, path + (index,), depth + 1))
            index += 1
        if len(items) > self.limits.max_list_items:
            raise Unusual
        return items
