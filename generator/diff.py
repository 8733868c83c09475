"""Two playbooks → the responsibility changes between them, as text, Markdown or JSON. No I/O.

Changes come in a fixed order of kinds — who is Accountable first, then letters gained and
lost, activities, roles, SLA clocks, stages, handoffs, engagement scope, engagement terms,
then the other sections whose entries have ids (teams, cadences) — and within a kind in the
order of the new playbook (things only in the old one after). Every activity, role and other
subject is named by name and id; changed values read ``old → new``.

What is compared comes from the declarations: every section of
:data:`~generator.model.SECTIONS` whose entries have ids, and every field of its class but
its id, its Markdown prose and the few fields a kind of its own reports (letters, SLA
clocks, scope). Ids in a field are named through the section the field's type points at.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from .changes import KINDS, Action, Change, Changes, Edition, Kind, Ref, Signatory, Value, show
from .changes import format_changes as format_changes
from .model import (
    SECTIONS,
    Activity,
    Engagement,
    Handoff,
    Playbook,
    Prose,
    Stage,
    declared_references,
)

_OWN_KINDS: dict[type[BaseModel], frozenset[str]] = {
    Activity: frozenset({"raci"}),
    Handoff: frozenset({"sla"}),
    Engagement: frozenset({"in_scope", "out_of_scope"}),
}
"""Fields that a kind of their own reports (letters, SLA clocks, scope moves)."""
_DIFFED = tuple(s for s in SECTIONS.values() if s.addressable)
_SECTION_OF = {s.noun: s.name for s in SECTIONS.values()}


@dataclass(frozen=True)
class _Fact:
    """A compared field: its YAML name (``approvals.approver``), the attributes that reach
    it, and the section its ids point at."""

    name: str
    attrs: tuple[str, ...]
    points_at: str | None


def _has(annotation: Any, metadata: Sequence[Any], marker: type) -> bool:
    """Whether ``marker`` is declared anywhere in a field's type."""
    if any(isinstance(m, marker) for m in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _has(base, extra, marker)
    return any(_has(arg, (), marker) for arg in typing.get_args(annotation))


def _parts(annotation: Any) -> type[BaseModel] | None:
    """The entry class of a field holding one entry or a list of them (``approvals``,
    ``deliverables``)."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


@cache
def facts(cls: type[BaseModel], skip: frozenset[str] = frozenset()) -> tuple[_Fact, ...]:
    """The fields of ``cls`` that ``diff`` compares, nested entries flattened
    (``approvals.approver``); lists of entries are :func:`lists`."""
    points = {steps[0]: section for steps, section in declared_references(cls) if steps}
    found: list[_Fact] = []
    for attr, info in cls.model_fields.items():
        name = info.alias or attr
        if attr in ("id", *skip) or _has(info.annotation, info.metadata, Prose):
            continue
        inner = _parts(info.annotation)
        if inner is not None and typing.get_origin(info.annotation) is tuple:
            continue
        if inner is not None:
            found += [
                _Fact(f"{name}.{f.name}", (attr, *f.attrs), f.points_at) for f in facts(inner)
            ]
        elif typing.get_origin(info.annotation) is not dict:
            found.append(_Fact(name, (attr,), points.get(attr)))
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


def _order(old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    """Ids in the new order, then the ids only the old sequence has."""
    ids = [item.id for item in new]
    seen = set(ids)
    return ids + [item.id for item in old if item.id not in seen]


def _index(items: Sequence[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _get(playbook: Playbook, item: Any, fact: _Fact) -> Any:
    if isinstance(item, Stage) and fact.attrs == ("next",):
        return playbook.next_stages(item)
    for attr in fact.attrs:
        if item is None:
            return None
        item = getattr(item, attr)
    return item


def _name(playbook: Playbook, kind: str, item_id: str) -> str | None:
    item = playbook.find(_SECTION_OF[kind], item_id)
    if item is None:
        return None
    name = getattr(item, "name", None)
    if name is None and isinstance(item, Handoff):
        return f"{playbook.role(item.from_).name} → {playbook.role(item.to).name}"
    return str(name)


def _keyed(entries: Sequence[Any]) -> dict[tuple[str, int], Any]:
    """Entries of a list by (id, else name; how many times it came before)."""
    seen: dict[str, int] = {}
    found = {}
    for entry in entries:
        key = str(getattr(entry, "id", None) or entry.name)
        seen[key] = seen.get(key, 0) + 1
        found[(key, seen[key])] = entry
    return found


class _Differ:
    def __init__(self, old: Playbook, new: Playbook) -> None:
        self.old = old
        self.new = new
        self.items: list[Change] = []

    def ref(self, kind: str, item_id: str, side: Playbook | None = None) -> Ref:
        """``item_id`` named from ``side`` (by default the new playbook), else the other."""
        first, second = (side, self.other(side)) if side else (self.new, self.old)
        name = _name(first, kind, item_id) or _name(second, kind, item_id) or item_id
        return Ref(kind, item_id, name)

    def other(self, side: Playbook) -> Playbook:
        return self.old if side is self.new else self.new

    def value(self, side: Playbook, raw: Any, kind: str | None) -> Value:
        """A field's raw value as a :data:`Value`, ids turned into refs named from ``side``."""
        if isinstance(raw, (tuple, list)):
            return tuple(self.value(side, v, kind) for v in raw)
        if kind is not None and isinstance(raw, str):
            return self.ref(kind, raw, side)
        return raw  # type: ignore[no-any-return]

    def add(self, kind: Kind, action: Action, subject: Ref, text: str, **rest: Any) -> None:
        self.items.append(Change(kind, action, subject, text, **rest))

    def run(self) -> Changes:
        self.responsibilities()
        self.slas()
        self.scopes()
        for section in _DIFFED:
            self.entities(
                section.noun, getattr(self.old, section.name), getattr(self.new, section.name)
            )
        items = sorted(self.items, key=lambda c: KINDS.index(c.kind))
        return Changes(_edition(self.old), _edition(self.new), tuple(items), self.sign_off(items))

    def responsibilities(self) -> None:
        old, new = self.old, self.new
        accountable = {old.accountable_letter, new.accountable_letter}
        title = new.model.letters[new.accountable_letter].name
        letters = [*new.letter_order, *(k for k in old.letter_order if k not in new.model.letters)]
        rank = {role_id: i for i, role_id in enumerate(_order(old.roles, new.roles))}
        old_activities, new_activities = _index(old.activities), _index(new.activities)
        for activity_id in _order(old.activities, new.activities):
            before: Activity | None = old_activities.get(activity_id)
            after: Activity | None = new_activities.get(activity_id)
            activity = self.ref("activity", activity_id)
            was = before.raci.get(old.accountable_letter, ()) if before else ()
            now = after.raci.get(new.accountable_letter, ()) if after else ()
            if set(was) != set(now):
                owners = (
                    self.value(old, was, "role") or None,
                    self.value(new, now, "role") or None,
                )
                self.add(
                    "accountable",
                    "changed",
                    activity,
                    f"{title} for {activity}: {show(owners[0]) if owners[0] else 'nobody'}"
                    f" → {show(owners[1]) if owners[1] else 'nobody'}",
                    field=new.accountable_letter,
                    old=owners[0],
                    new=owners[1],
                )
            held = old.letters_by_role(before) if before else {}
            holds = new.letters_by_role(after) if after else {}
            for role_id in sorted(held.keys() | holds.keys(), key=rank.__getitem__):
                had, has = held.get(role_id, ()), holds.get(role_id, ())
                if had == has:
                    continue
                role = self.ref("role", role_id)
                for letter in letters:
                    if letter in accountable or (letter in had) == (letter in has):
                        continue
                    action: Action = "gained" if letter in has else "lost"
                    self.add(
                        "letter",
                        action,
                        role,
                        f"{role} {action} {letter} on {activity}",
                        field=letter,
                        old=had,
                        new=has,
                        related=activity,
                    )

    def entities(self, kind: Kind, old_items: Sequence[Any], new_items: Sequence[Any]) -> None:
        """Entries added and removed, and the facts of each entry in both (see :func:`facts`)."""
        old_index, new_index = _index(old_items), _index(new_items)
        title = kind.capitalize()
        cls: type[BaseModel] = SECTIONS[_SECTION_OF[kind]].entry
        compared = facts(cls, _OWN_KINDS.get(cls, frozenset()))
        for item_id in _order(old_items, new_items):
            before, after = old_index.get(item_id), new_index.get(item_id)
            subject = self.ref(kind, item_id)
            if before is None or after is None:
                action: Action = "added" if before is None else "removed"
                self.add(kind, action, subject, f"{title} {subject} {action}")
                continue
            self.fields(kind, f"{title} {subject}", subject, before, after, compared)
            for attr, part in lists(cls):
                self.parts(kind, f"{title} {subject}", subject, attr, part, before, after)

    def fields(
        self,
        kind: Kind,
        prefix: str,
        subject: Ref,
        before: Any,
        after: Any,
        compared: tuple[_Fact, ...],
        related: Ref | None = None,
    ) -> None:
        for fact in compared:
            raw_old, raw_new = _get(self.old, before, fact), _get(self.new, after, fact)
            if raw_old == raw_new:
                continue
            ref_kind = SECTIONS[fact.points_at].noun if fact.points_at else None
            old = self.value(self.old, raw_old, ref_kind)
            new = self.value(self.new, raw_new, ref_kind)
            self.add(
                kind,
                "changed",
                subject,
                f"{prefix} {fact.name}: {show(old)} → {show(new)}",
                field=fact.name,
                old=old,
                new=new,
                related=related,
            )

    def parts(
        self,
        kind: Kind,
        prefix: str,
        subject: Ref,
        attr: str,
        part: type[BaseModel],
        before: Any,
        after: Any,
    ) -> None:
        """The entries of the list ``attr`` (deliverables, goals) added, removed, changed."""
        noun = attr[:-1] if attr.endswith("s") else attr
        compared = facts(part, frozenset({"name"}))
        old, new = _keyed(getattr(before, attr)), _keyed(getattr(after, attr))
        for key in list(new) + [k for k in old if k not in new]:
            entry = Ref(noun, key[0], str(getattr(new.get(key) or old[key], "name", key[0])))
            here = f"{prefix} {noun} {entry}"
            if key not in old or key not in new:
                action: Action = "added" if key not in old else "removed"
                self.add(kind, action, subject, f"{here} {action}", field=attr, related=entry)
            else:
                self.fields(kind, here, subject, old[key], new[key], compared, related=entry)

    def slas(self) -> None:
        old_index, new_index = _index(self.old.handoffs), _index(self.new.handoffs)
        for handoff_id in _order(self.old.handoffs, self.new.handoffs):
            before, after = old_index.get(handoff_id), new_index.get(handoff_id)
            if before is None or after is None:
                continue
            handoff = self.ref("handoff", handoff_id)
            clocks = list(after.sla) + [c for c in before.sla if c not in after.sla]
            for clock in clocks:
                old, new = before.sla.get(clock), after.sla.get(clock)
                name = f"SLA {clock} of handoff {handoff}"
                if old == new:
                    continue
                if old is None:
                    action: Action = "added"
                    text = f"{name} added: {new}"
                elif new is None:
                    action, text = "removed", f"{name} removed (was {old})"
                else:
                    action, text = "changed", f"{name}: {old} → {new}"
                self.add("sla", action, handoff, text, field=clock, old=old, new=new)

    def scopes(self) -> None:
        rank = {a: i for i, a in enumerate(_order(self.old.activities, self.new.activities))}
        old_index, new_index = _index(self.old.engagements), _index(self.new.engagements)
        for engagement_id in _order(self.old.engagements, self.new.engagements):
            before, after = old_index.get(engagement_id), new_index.get(engagement_id)
            if before is None or after is None:
                continue
            engagement = self.ref("engagement", engagement_id)
            listed = {*before.in_scope, *before.out_of_scope, *after.in_scope, *after.out_of_scope}
            for activity_id in sorted(listed, key=rank.__getitem__):
                old, new = _scope(before, activity_id), _scope(after, activity_id)
                if old == new:
                    continue
                activity = self.ref("activity", activity_id)
                action, phrase = _SCOPE_MOVES[(old, new)]
                self.add(
                    "scope",
                    action,
                    engagement,
                    f"{activity} {phrase} {engagement}",
                    field="scope",
                    old=old,
                    new=new,
                    related=activity,
                )

    def sign_off(self, items: list[Change]) -> tuple[tuple[Ref, tuple[Signatory, ...]], ...]:
        changed = {c.subject.id for c in items if c.kind in ("scope", "engagement")}
        current = _index(self.new.engagements)
        blocks = []
        for engagement_id in _order(self.old.engagements, self.new.engagements):
            if engagement_id not in changed:
                continue
            side = self.new if engagement_id in current else self.old
            engagement: Engagement = side.engagement(engagement_id)
            signers = engagement.sign_off or tuple(
                r for r in (engagement.client_contact, engagement.party_contact) if r
            )
            blocks.append(
                (
                    self.ref("engagement", engagement_id, side),
                    tuple(
                        Signatory(self.ref("role", r, side), tuple(side.holders_of(side.role(r))))
                        for r in signers
                    ),
                )
            )
        return tuple(blocks)


_SCOPE_MOVES: dict[tuple[str | None, str | None], tuple[Action, str]] = {
    (None, "in scope"): ("added", "added to the scope of"),
    ("in scope", None): ("removed", "removed from the scope of"),
    (None, "out of scope"): ("added", "added as out of scope of"),
    ("out of scope", None): ("removed", "no longer listed as out of scope of"),
    ("out of scope", "in scope"): ("moved", "moved from out of scope to in scope of"),
    ("in scope", "out of scope"): ("moved", "moved from in scope to out of scope of"),
}


def _scope(engagement: Engagement, activity_id: str) -> str | None:
    if activity_id in engagement.in_scope:
        return "in scope"
    if activity_id in engagement.out_of_scope:
        return "out of scope"
    return None


def _edition(playbook: Playbook) -> Edition:
    organisation = playbook.organisation
    return Edition(organisation.name, organisation.version, organisation.effective)


def diff_playbooks(old: Playbook, new: Playbook) -> Changes:
    """Compare two validated playbooks.

    Args:
        old: The earlier version.
        new: The later version.

    Returns:
        Every change, Accountable changes first; empty when nothing that matters changed.
    """
    return _Differ(old, new).run()
