"""Two playbooks → the responsibility changes between them, as text, Markdown or JSON. No I/O.

Changes come in a fixed order of kinds — who is Accountable first, then letters gained and
lost, activities, roles, SLA clocks, stages, handoffs, engagement scope, engagement terms,
then the other sections whose entries have ids (teams, cadences) — and within a kind in the
order of the new playbook (things only in the old one after). Every activity, role and other
subject is named by name and id; changed values read ``old → new``.

What is compared comes from the declarations (:mod:`.facts`): every section of
:data:`~generator.model.SECTIONS` whose entries have ids, and every field of its class but
its id, its ``allow``, its Markdown prose and the few fields a kind of its own reports
(letters, SLA clocks, scope, rejection outcomes). Ids in a field are named through the
section the field's type points at.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from .changes import KINDS, Action, Change, Changes, Edition, Kind, Ref, Signatory, Value, show
from .changes import format_changes as format_changes
from .facts import OWN_KINDS, Fact, clock_value, facts, has, keyed, lists, value_of
from .model import (
    SECTIONS,
    Activity,
    Engagement,
    Handoff,
    Holder,
    Outcome,
    Playbook,
    Prose,
    declared_references,
)

_DIFFED = tuple(s for s in SECTIONS.values() if s.addressable)
_SECTION_OF = {s.noun: s.name for s in SECTIONS.values()}


def _order(old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    """Ids in the new order, then the ids only the old sequence has."""
    ids = [item.id for item in new]
    seen = set(ids)
    return ids + [item.id for item in old if item.id not in seen]


def _index(items: Sequence[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _name(playbook: Playbook, kind: str, item_id: str) -> str | None:
    item = playbook.find(_SECTION_OF[kind], item_id)
    if item is None:
        return None
    if isinstance(item, Handoff):
        return playbook.handoff_title(item)
    return str(getattr(item, "name", None))


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
        """A field's raw value as a :data:`Value`, ids turned into refs named from ``side``,
        a part (a route, a conditional holder) into its words."""
        if isinstance(raw, (tuple, list)):
            return tuple(self.value(side, v, kind) for v in raw)
        if isinstance(raw, BaseModel):
            return self.words(side, raw)
        if kind is not None and isinstance(raw, str):
            return self.ref(kind, raw, side)
        return raw  # type: ignore[no-any-return]

    def words(self, side: Playbook, part: BaseModel) -> str:
        """A part in words, its first field first: ``Legal (legal) when the terms differ``,
        ``'Nurture' (nurture) when no budget, owner SDR (sdr)``."""
        points = {steps[0]: s for steps, s in declared_references(type(part)) if len(steps) == 1}
        said = []
        for n, (attr, info) in enumerate(type(part).model_fields.items()):
            raw = getattr(part, attr)
            if raw in (None, ()) or has(info.annotation, info.metadata, Prose):
                continue
            kind = SECTIONS[points[attr]].noun if attr in points else None
            shown = show(self.value(side, raw, kind))
            said.append(shown if n == 0 else f"{info.alias or attr} {shown}")
        return ", ".join(said).replace(", when ", " when ", 1)

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
            if set(map(_holder, was)) != set(map(_holder, now)):
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
                if had == has and not _conditional(before, after, role_id):
                    continue
                role = self.ref("role", role_id)
                for letter in letters:
                    if letter in accountable:
                        continue
                    if letter in had and letter in has:
                        self.condition(activity, role, letter, before, after)
                        continue
                    if (letter in had) == (letter in has):
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

    def condition(self, activity: Ref, role: Ref, letter: str, before: Any, after: Any) -> None:
        """A letter held on both sides whose condition (``when``) changed."""
        was = self.old.condition(before, letter, role.id)
        now = self.new.condition(after, letter, role.id)
        if was == now:
            return
        self.add(
            "letter",
            "changed",
            role,
            f"{role} holds {letter} on {activity} {_when(was)} → {_when(now)}",
            field=letter,
            old=was,
            new=now,
            related=activity,
        )

    def entities(self, kind: Kind, old_items: Sequence[Any], new_items: Sequence[Any]) -> None:
        """Entries added and removed, and the facts of each entry in both (see :func:`facts`)."""
        old_index, new_index = _index(old_items), _index(new_items)
        title = kind.capitalize()
        cls: type[BaseModel] = SECTIONS[_SECTION_OF[kind]].entry
        compared = facts(cls, OWN_KINDS.get(cls, frozenset()))
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
            if isinstance(before, Handoff) and isinstance(after, Handoff):
                self.outcomes(subject, before, after)

    def fields(
        self,
        kind: Kind,
        prefix: str,
        subject: Ref,
        before: Any,
        after: Any,
        compared: tuple[Fact, ...],
        related: Ref | None = None,
    ) -> None:
        for fact in compared:
            raw_old, raw_new = value_of(self.old, before, fact), value_of(self.new, after, fact)
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
        old, new = keyed(getattr(before, attr)), keyed(getattr(after, attr))
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
                old, new = clock_value(before.sla.get(clock)), clock_value(after.sla.get(clock))
                name = f"SLA {clock} of handoff {handoff}"
                if show(old) == show(new):
                    continue
                if old is None:
                    action: Action = "added"
                    text = f"{name} added: {new}"
                elif new is None:
                    action, text = "removed", f"{name} removed (was {old})"
                else:
                    action, text = "changed", f"{name}: {old} → {new}"
                self.add("sla", action, handoff, text, field=clock, old=old, new=new)

    def outcomes(self, subject: Ref, before: Handoff, after: Handoff) -> None:
        """A handoff's rejection outcomes, one by one in order (``on_reject.to`` when each
        side has the one mapping; ``on_reject[2].when`` in a list)."""
        prefix = f"Handoff {subject}"
        was, now = before.outcomes, after.outcomes
        single = not isinstance(before.on_reject, tuple) and not isinstance(after.on_reject, tuple)
        for n in range(max(len(was), len(now))):
            field = "on_reject" if single else f"on_reject[{n}]"
            if n < len(was) and n < len(now):
                named = tuple(
                    Fact(f"{field}.{f.name}", f.attrs, f.points_at) for f in facts(Outcome)
                )
                self.fields("handoff", prefix, subject, was[n], now[n], named)
                continue
            action: Action = "added" if n >= len(was) else "removed"
            words = self.words(*((self.new, now[n]) if action == "added" else (self.old, was[n])))
            self.add(
                "handoff",
                action,
                subject,
                f"{prefix} {field} {action}: {words}",
                field=field,
                old=None if action == "added" else words,
                new=words if action == "added" else None,
            )

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


def _holder(item: str | Holder) -> tuple[str, str | None]:
    return (item, None) if isinstance(item, str) else (item.role, item.when)


def _when(condition: str | None) -> str:
    return f"when {condition}" if condition else "always"


def _conditional(before: Activity | None, after: Activity | None, role_id: str) -> bool:
    """Whether ``role_id`` holds some letter under another condition on the two sides."""
    if before is None or after is None:
        return False
    letters = set(before.raci) & set(after.raci)
    return any(
        dict(map(_holder, before.raci[k])).get(role_id)
        != dict(map(_holder, after.raci[k])).get(role_id)
        for k in letters
    )


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
