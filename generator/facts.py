"""What ``diff`` compares in an entry, read from the declarations: every field of its class
but its id, its ``allow``, its Markdown prose and the few fields a kind of its own reports;
nested entries flattened (``approvals.approver``), lists of entries compared entry by entry.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from .model import (
    Activity,
    ClockSpec,
    Duration,
    Engagement,
    Handoff,
    Playbook,
    Prose,
    Stage,
    declared_references,
)

OWN_KINDS: dict[type[BaseModel], frozenset[str]] = {
    Activity: frozenset({"raci"}),
    Handoff: frozenset({"sla", "on_reject"}),
    Engagement: frozenset({"in_scope", "out_of_scope"}),
}
"""Fields that a kind of their own reports (letters, SLA clocks, scope moves), or that
the diff compares one by one (a handoff's rejection outcomes)."""
_NOT_FACTS = frozenset({"id", "allow"})
"""Fields never compared: the id names the entry; ``allow`` only quiets the check."""


@dataclass(frozen=True)
class Fact:
    """A compared field: its YAML name (``approvals.approver``), the attributes that reach
    it, and the section its ids point at."""

    name: str
    attrs: tuple[str, ...]
    points_at: str | None


def has(annotation: Any, metadata: Sequence[Any], marker: type) -> bool:
    """Whether ``marker`` is declared anywhere in a field's type."""
    if any(isinstance(m, marker) for m in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return has(base, extra, marker)
    return any(has(arg, (), marker) for arg in typing.get_args(annotation))


def _parts(annotation: Any) -> type[BaseModel] | None:
    """The entry class of a field holding one entry or a list of them (``approvals``,
    ``deliverables``)."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


@cache
def facts(cls: type[BaseModel], skip: frozenset[str] = frozenset()) -> tuple[Fact, ...]:
    """The fields of ``cls`` that ``diff`` compares, nested entries flattened
    (``approvals.approver``); lists of entries are :func:`lists`."""
    points = {steps[0]: section for steps, section in declared_references(cls) if steps}
    found: list[Fact] = []
    for attr, info in cls.model_fields.items():
        name = info.alias or attr
        if attr in _NOT_FACTS or attr in skip or has(info.annotation, info.metadata, Prose):
            continue
        inner = _parts(info.annotation)
        if inner is not None and typing.get_origin(info.annotation) is tuple:
            continue
        if inner is not None:
            found += [Fact(f"{name}.{f.name}", (attr, *f.attrs), f.points_at) for f in facts(inner)]
        else:
            found.append(Fact(name, (attr,), points.get(attr)))
    return tuple(found)


@cache
def lists(cls: type[BaseModel]) -> tuple[tuple[str, type[BaseModel]], ...]:
    """The fields of ``cls`` that hold a list of entries (an engagement's ``deliverables``,
    a team's ``goals``), compared entry by entry."""
    return tuple(
        (attr, inner)
        for attr, info in cls.model_fields.items()
        if typing.get_origin(info.annotation) is tuple
        and (inner := _parts(info.annotation)) is not None
    )


def value_of(playbook: Playbook, item: Any, fact: Fact) -> Any:
    if isinstance(item, Stage) and fact.attrs == ("next",):
        return playbook.next_stages(item)
    for attr in fact.attrs:
        if item is None:
            return None
        item = getattr(item, attr)
    if isinstance(item, dict):  # a mapping of texts (a stage's maps_to)
        return tuple(f"{key}: {value}" for key, value in item.items())
    return item


def clock_value(value: Duration | ClockSpec | None) -> Duration | str | None:
    """A clock as a duration, or in words when it is more (``15 business minutes, target 5
    business minutes``); a mapping of only ``within`` is that duration."""
    if not isinstance(value, ClockSpec):
        return value
    if value.target is None and value.from_ is None and value.label is None:
        return value.within
    words = [str(value.within)]
    words += [f"target {value.target}"] if value.target else []
    words += [f"from {value.from_}"] if value.from_ else []
    words += [f"label {value.label}"] if value.label else []
    return ", ".join(words)


def keyed(entries: Sequence[Any]) -> dict[tuple[str, int], Any]:
    """Entries of a list by (id, else name; how many times it came before)."""
    seen: dict[str, int] = {}
    found = {}
    for entry in entries:
        key = str(getattr(entry, "id", None) or entry.name)
        seen[key] = seen.get(key, 0) + 1
        found[(key, seen[key])] = entry
    return found


__all__ = ["OWN_KINDS", "Fact", "clock_value", "facts", "has", "keyed", "lists", "value_of"]
