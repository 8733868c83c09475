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
            plan.append((step, cls.model_fields[step].alias or step))
            cls = _entry_class(cls.model_fields[step].annotation)
        plans.append((tuple(plan), section))
    return tuple(plans)


def _entry_class(annotation: Any) -> Any:
    """The entry class a field leads to (through lists, mappings and ``| None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _entry_class(arg)
        if found is not None:
            return found
    return None


Target = tuple[DataPath, str, str, bool]
"""(path inside the entry, target section, target id, on a mapping's key)."""


def _collect(
    value: Any, plan: _Plan, i: int, path: DataPath, section: str, out: list[Target]
) -> None:
    # A plain recursive function filling a list: a check walks every entry of a large
    # playbook, and nested generators cost several times as much.
    if value is None:
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
    else:
        _collect(getattr(value, attr), plan, i + 1, (*path, name), section, out)


Walk = Callable[[Any, list[Target]], None]


def _walker(plan: _Plan, section: str) -> Walk:
    """A function adding the references one plan finds in an entry to a list: the common
    shapes (one id, a list of ids, a mapping's keys or lists of ids) without recursion."""
    (attr, name), rest = plan[0], plan[1:]
    shape = tuple(step for step, _ in rest)

    def one(entry: Any, out: list[Target]) -> None:
        value = getattr(entry, attr)
        if value is not None:
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
                out.append(((name, key, n), section, item, False))

    def nested(entry: Any, out: list[Target]) -> None:
        _collect(entry, plan, 0, (), section, out)

    walks: dict[tuple[str, ...], Walk] = {(): one, ("*",): listed, ("{}",): keys}
    walks[("[]", "*")] = lists
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
