"""References between entries, declared by type: ``owner: RoleId`` points at a role.

:func:`declared_references` reads a class's annotations once; :func:`references_in` finds
every reference an entry holds, with its path. The reference check, who-points-at-what, the
unused-role warning and ``diff`` all go through here, so a new reference field is one
annotation.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel

from .values import Id, IdOrIds


@dataclass(frozen=True)
class Ref:
    """Declares that an id field points at an entry of another section (``owner: RoleId``).

    The reference checks, did-you-mean, the unused-role warning, who-points-at-what (the
    back-links on role pages) and ``diff`` all read these declarations: a new reference
    field is one annotation, not one more hand-written check."""

    section: str


@dataclass(frozen=True)
class Stored:
    """Declares the type a field holds once validated, where the YAML may write it in more
    forms (one letter's holders: an id, a mapping or a list, always stored as a tuple); the
    references are read from this type."""

    annotation: Any


RoleId = Annotated[Id, Ref("roles")]
TeamId = Annotated[Id, Ref("teams")]
StageId = Annotated[Id, Ref("stages")]
ActivityId = Annotated[Id, Ref("activities")]
RoleIds = Annotated[IdOrIds, Ref("roles")]


DataPath = tuple[str | int, ...]
"""A path into the data: ``("approvals", "approver")``, ``("raci", "R", 0)``."""
Steps = tuple[str, ...]
"""How to reach a reference inside an entry: a field name, ``*`` for every item of a list,
``{}`` for every key and ``[]`` for every value of a mapping."""


def _ref_of(metadata: Iterable[Any]) -> str | None:
    return next((m.section for m in metadata if isinstance(m, Ref)), None)


def _declared(annotation: Any, metadata: Iterable[Any] = ()) -> list[tuple[Steps, str]]:
    """The references an annotation declares, as (steps, section)."""
    section = _ref_of(metadata)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        stored = next((m.annotation for m in extra if isinstance(m, Stored)), None)
        if stored is not None:
            return _declared(stored)
        return _declared(base, [*metadata, *extra])
    if section is not None:
        if annotation is str:
            return [((), section)]
        if origin is tuple:
            return [(("*",), section)]
    if origin in (typing.Union, types.UnionType):
        return [d for arg in typing.get_args(annotation) for d in _declared(arg)]
    if origin is tuple:
        return [(("*", *steps), sec) for steps, sec in _declared(typing.get_args(annotation)[0])]
    if origin is dict:
        key, value = typing.get_args(annotation)
        found = [(("{}", *steps), sec) for steps, sec in _declared(key)]
        return found + [(("[]", *steps), sec) for steps, sec in _declared(value)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            ((name, *steps), sec)
            for name, info in annotation.model_fields.items()
            for steps, sec in _declared(info.annotation, info.metadata)
        ]
    return []


@cache
def declared_references(model: type[BaseModel]) -> tuple[tuple[Steps, str], ...]:
    """Every reference field of a section's class, read from its annotations: (steps, the
    section pointed at), e.g. ``(("approvals", "approver"), "roles")``."""
    return tuple(_declared(model))


class Reference(NamedTuple):
    """One declared reference in a playbook: ``entry`` of ``section`` points at ``target``
    (an id of ``target_section``) through the field at ``path`` (inside the entry).
    ``on_key`` when the id is a mapping's key (an activity's ``notes``)."""

    section: str
    entry: Any
    path: DataPath
    target_section: str
    target: str
    on_key: bool = False

    @property
    def field(self) -> str:
        """The field's name as written in the YAML (``from``, ``approvals.approver``)."""
        return ".".join(str(part) for part in self.path if isinstance(part, str))


_Plan = tuple[tuple[str, str], ...]
"""Steps with each field resolved to (attribute, YAML name); ``*``, ``{}`` and ``[]`` stay."""


@cache
def _plans(model: type[BaseModel]) -> tuple[tuple[_Plan, str], ...]:
    plans = []
    for steps, section in declared_references(model):
        plan: list[tuple[str, str]] = []
        cls: Any = model
        for step in steps:
            if step in ("*", "{}", "[]"):
                plan.append((step, step))
                continue
            info = cls.model_fields[step]
            plan.append((step, info.alias or step))
            cls = _entry_class(info.annotation, steps[len(plan) :])
        plans.append((tuple(plan), section))
    return tuple(plans)


def _entry_class(annotation: Any, rest: Steps) -> Any:
    """The entry class a field leads to (through lists, mappings, ``| None`` and the forms
    of a field written several ways) that has the next field of ``rest``."""
    wanted = next((step for step in rest if step not in ("*", "{}", "[]")), None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation if wanted is None or wanted in annotation.model_fields else None
    for arg in typing.get_args(annotation):
        found = _entry_class(arg, rest)
        if found is not None:
            return found
    return None


def section_at(model: type[BaseModel], path: DataPath) -> str | None:
    """The section a reference at ``path`` inside an entry of ``model`` points at (None when
    no declared reference stands there). A list step may be missing: one id may stand where
    a list may (``A: owner``)."""
    for plan, section in _plans(model):
        if _matches(plan, path):
            return section
    return None


def _matches(plan: _Plan, path: DataPath) -> bool:
    if not plan:
        return not path
    (attr, name), rest = plan[0], plan[1:]
    if attr == "*":
        return (bool(path) and isinstance(path[0], int) and _matches(rest, path[1:])) or _matches(
            rest, path
        )
    if not path:
        return False
    if attr in ("{}", "[]"):
        return isinstance(path[0], str) and _matches(rest, path[1:])
    return path[0] == name and _matches(rest, path[1:])


Target = tuple[DataPath, str, str, bool]
"""(path inside the entry, target section, target id, on a mapping's key)."""


def _collect(
    value: Any, plan: _Plan, i: int, path: DataPath, section: str, out: list[Target]
) -> None:
    # A plain recursive function filling a list: a check walks every entry of a large
    # playbook, and nested generators cost several times as much.
    if value is None or isinstance(value, BaseModel) and i == len(plan):
        return
    if i == len(plan):
        if isinstance(value, str):
            out.append((path, section, value, False))
        elif isinstance(value, tuple):
            for n, item in enumerate(value):
                if isinstance(item, str):
                    out.append(((*path, n), section, item, False))
        return
    attr, name = plan[i]
    if attr == "*":
        if isinstance(value, tuple):  # a field of several forms may hold one id instead
            for n, item in enumerate(value):
                _collect(item, plan, i + 1, (*path, n), section, out)
    elif attr == "{}":
        for key in value:
            if i + 1 == len(plan) and isinstance(key, str):
                out.append(((*path, key), section, key, True))
            else:
                _collect(key, plan, i + 1, (*path, key), section, out)
    elif attr == "[]":
        for key, item in value.items():
            _collect(item, plan, i + 1, (*path, key), section, out)
    elif isinstance(value, BaseModel):
        _collect(getattr(value, attr), plan, i + 1, (*path, name), section, out)


Walk = Callable[[Any, list[Target]], None]


def _walker(plan: _Plan, section: str) -> Walk:
    """A function adding the references one plan finds in an entry to a list: the common
    shapes (one id, a list of ids, a mapping's keys or lists of ids) without recursion."""
    (attr, name), rest = plan[0], plan[1:]
    shape = tuple(step for step, _ in rest)

    def one(entry: Any, out: list[Target]) -> None:
        value = getattr(entry, attr)
        if isinstance(value, str):
            out.append(((name,), section, value, False))

    def listed(entry: Any, out: list[Target]) -> None:
        for n, item in enumerate(getattr(entry, attr) or ()):
            out.append(((name, n), section, item, False))

    def keys(entry: Any, out: list[Target]) -> None:
        for key in getattr(entry, attr):
            out.append(((name, key), section, key, True))

    def lists(entry: Any, out: list[Target]) -> None:
        for key, items in getattr(entry, attr).items():
            for n, item in enumerate(items):
                if isinstance(item, str):  # a conditional holder's role is another plan's
                    out.append(((name, key, n), section, item, False))

    def nested(entry: Any, out: list[Target]) -> None:
        _collect(entry, plan, 0, (), section, out)

    def parts(entry: Any, out: list[Target]) -> None:  # a conditional holder's role
        field, part_name = rest[-1]
        for key, items in getattr(entry, attr).items():
            for n, item in enumerate(items):
                if isinstance(item, BaseModel):
                    out.append(((name, key, n, part_name), section, getattr(item, field), False))

    walks: dict[tuple[str, ...], Walk] = {(): one, ("*",): listed, ("{}",): keys}
    walks[("[]", "*")] = lists
    if shape[:2] == ("[]", "*") and len(shape) == 3 and shape[2] not in ("*", "{}", "[]"):
        return parts
    return walks.get(shape, nested)


@cache
def _walkers(model: type[BaseModel]) -> tuple[Walk, ...]:
    return tuple(_walker(plan, section) for plan, section in _plans(model))


def targets(entry: BaseModel) -> list[Target]:
    """Every reference ``entry`` holds, in the order of its class's fields."""
    out: list[Target] = []
    for walk in _walkers(type(entry)):
        walk(entry, out)
    return out


def references_in(section: str, entry: BaseModel) -> Iterator[Reference]:
    """Every reference ``entry`` of ``section`` holds, in the order of its class's fields."""
    for path, target_section, target, on_key in targets(entry):
        yield Reference(section, entry, path, target_section, target, on_key)


def references_of(entry: BaseModel) -> Iterator[tuple[DataPath, str, str]]:
    """(path inside ``entry``, target section, target id) for every reference it holds."""
    for path, target_section, target, _ in targets(entry):
        yield path, target_section, target
