"""Two playbooks → the responsibility changes between them, as text, Markdown or JSON. No I/O.

Changes come in a fixed order of kinds — who is Accountable first, then letters gained and
lost, activities, roles, SLA clocks, stages, handoffs, engagement scope and engagement terms —
and within a kind in the order of the new playbook (things only in the old one after). Every
activity, role and other subject is named by name and id; changed values read ``old → new``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, get_args

from .export import letters_by_role
from .model import Activity, Duration, Engagement, Playbook, Stage, plain_number
from .text import json_text, one_line

Kind = Literal[
    "accountable", "letter", "activity", "role", "sla", "stage", "handoff", "scope", "engagement"
]
KINDS: tuple[Kind, ...] = get_args(Kind)
Action = Literal["added", "removed", "changed", "gained", "lost", "moved"]
FORMATS = ("text", "markdown", "json")

SECTION_TITLES: dict[Kind, str] = {
    "accountable": "Accountable",
    "letter": "Letters gained and lost",
    "activity": "Activities",
    "role": "Roles",
    "sla": "SLA clocks",
    "stage": "Lifecycle stages",
    "handoff": "Handoffs",
    "scope": "Engagement scope",
    "engagement": "Engagement terms",
}

# The fields compared on things present in both versions, with the kind of id they hold.
ACTIVITY_FIELDS = (("name", None), ("area", None), ("stage", "stage"))
ROLE_FIELDS = (("name", None), ("team", "team"), ("kind", None))
STAGE_FIELDS = (
    ("name", None),
    ("owner", "role"),
    ("entry", None),
    ("exit", None),
    ("touchpoints", None),
    ("probability", None),
    ("max_duration", None),
    ("next", "stage"),
    ("terminal", None),
    ("reasons", None),
)
HANDOFF_FIELDS = (
    ("from", "role"),
    ("to", "role"),
    ("stage", "stage"),
    ("passes", None),
    ("on_reject.to", "stage"),
)
ENGAGEMENT_FIELDS = (
    ("name", None),
    ("party", "team"),
    ("client_contact", "role"),
    ("party_contact", "role"),
    ("starts", None),
    ("ends", None),
    ("approvals.approver", "role"),
    ("approvals.review_window", None),
    ("approvals.silence_means_approval", None),
    ("sign_off", "role"),
)
DELIVERABLE_FIELDS = (("quantity", None), ("due", None))


@dataclass(frozen=True, slots=True)
class Ref:
    """A named thing of the playbook: ``Marketing Lead (marketing-lead)``."""

    type: str
    id: str
    name: str

    def __str__(self) -> str:
        if self.type in ("role", "team"):
            return f"{self.name} ({self.id})"
        if self.type == "deliverable":
            return f"'{self.name}'"
        return f"'{self.name}' ({self.id})"

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id, "name": self.name}


Value: TypeAlias = "None | str | int | float | bool | dt.date | Duration | Ref | tuple[Value, ...]"


def show(value: Value) -> str:
    """A value as the change lines print it (``4 business hours``, ``none`` …)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(show(v) for v in value) if value else "none"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return plain_number(value)
    return str(value)


def _jsonable(value: Value) -> Any:
    if isinstance(value, (Ref, Duration)):
        return value.as_dict()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Change:
    """One change. ``text`` is the line the text format prints.

    Attributes:
        kind: What part of the playbook changed (see :data:`KINDS`).
        action: added, removed, changed, gained, lost or moved.
        subject: The thing that changed (the role for letters, the engagement for scope).
        text: The human-readable line, naming everything by name and id.
        field: The YAML field (``owner``, ``on_reject.to``), the letter, or the SLA clock.
        old: The value before (``None`` when there was none).
        new: The value after.
        related: The second thing involved: the activity of a letter or scope change, the
            deliverable of an engagement change.
    """

    kind: Kind
    action: Action
    subject: Ref
    text: str
    field: str | None = None
    old: Value = None
    new: Value = None
    related: Ref | None = None

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "subject": self.subject.as_dict(),
            "related": self.related.as_dict() if self.related else None,
            "field": self.field,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Edition:
    """Which playbook a side of the diff is: organisation, version, effective date."""

    organisation: str
    version: str | None
    effective: dt.date | None

    def describe(self) -> str:
        version = f"version {self.version}" if self.version else "no version"
        effective = self.effective.isoformat() if self.effective else "no effective date"
        return f"{version}, effective {effective}"


@dataclass(frozen=True, slots=True)
class Signatory:
    """A role that signs a changed engagement, and the people holding it."""

    role: Ref
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything that changed between two playbooks, in the order it is reported.

    Attributes:
        old: The earlier playbook's edition.
        new: The later playbook's edition.
        items: The changes, grouped by kind in :data:`KINDS` order.
        sign_off: For each engagement with a change, its signatories (in the new version,
            or the old one for a removed engagement).
    """

    old: Edition
    new: Edition
    items: tuple[Change, ...]
    sign_off: tuple[tuple[Ref, tuple[Signatory, ...]], ...]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.items)

    def of(self, kind: Kind) -> list[Change]:
        """The changes of one kind."""
        return [c for c in self.items if c.kind == kind]


def _order(old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    """Ids in the new order, then the ids only the old sequence has."""
    ids = [item.id for item in new]
    seen = set(ids)
    return ids + [item.id for item in old if item.id not in seen]


def _index(items: Sequence[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _get(playbook: Playbook, item: Any, path: str) -> Any:
    if isinstance(item, Stage) and path == "next":
        return playbook.next_stages(item)
    for part in path.split("."):
        if item is None:
            return None
        item = getattr(item, "from_" if part == "from" else part)
    return item


def _name(playbook: Playbook, kind: str, item_id: str) -> str | None:
    try:
        item = getattr(playbook, kind)(item_id)
    except KeyError:
        return None
    if kind == "handoff":
        return f"{playbook.role(item.from_).name} → {playbook.role(item.to).name}"
    return str(item.name)


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
        self.entities(
            "activity", "Activity", self.old.activities, self.new.activities, ACTIVITY_FIELDS
        )
        self.entities("role", "Role", self.old.roles, self.new.roles, ROLE_FIELDS)
        self.slas()
        self.entities("stage", "Stage", self.old.stages, self.new.stages, STAGE_FIELDS)
        self.entities("handoff", "Handoff", self.old.handoffs, self.new.handoffs, HANDOFF_FIELDS)
        self.scopes()
        self.entities(
            "engagement",
            "Engagement",
            self.old.engagements,
            self.new.engagements,
            ENGAGEMENT_FIELDS,
        )
        items = sorted(self.items, key=lambda c: KINDS.index(c.kind))
        return Changes(_edition(self.old), _edition(self.new), tuple(items), self.sign_off(items))

    def responsibilities(self) -> None:
        old, new = self.old, self.new
        accountable = {old.accountable_letter, new.accountable_letter}
        title = new.model.letters[new.accountable_letter].name
        letters = list(new.model.letters) + [
            k for k in old.model.letters if k not in new.model.letters
        ]
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
            held = letters_by_role(old, before) if before else {}
            holds = letters_by_role(new, after) if after else {}
            for role_id in sorted(held.keys() | holds.keys(), key=rank.__getitem__):
                had, has = held.get(role_id, []), holds.get(role_id, [])
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
                        old=tuple(had),
                        new=tuple(has),
                        related=activity,
                    )

    def entities(
        self,
        kind: Kind,
        title: str,
        old_items: Sequence[Any],
        new_items: Sequence[Any],
        fields: tuple[tuple[str, str | None], ...],
    ) -> None:
        old_index, new_index = _index(old_items), _index(new_items)
        for item_id in _order(old_items, new_items):
            before, after = old_index.get(item_id), new_index.get(item_id)
            subject = self.ref(kind, item_id)
            if before is None or after is None:
                action: Action = "added" if before is None else "removed"
                self.add(kind, action, subject, f"{title} {subject} {action}")
                continue
            self.fields(kind, f"{title} {subject}", subject, before, after, fields)
            if kind == "engagement":
                self.deliverables(subject, before, after)

    def fields(
        self,
        kind: Kind,
        prefix: str,
        subject: Ref,
        before: Any,
        after: Any,
        fields: tuple[tuple[str, str | None], ...],
        related: Ref | None = None,
    ) -> None:
        for field, ref_kind in fields:
            raw_old, raw_new = _get(self.old, before, field), _get(self.new, after, field)
            if raw_old == raw_new:
                continue
            old = self.value(self.old, raw_old, ref_kind)
            new = self.value(self.new, raw_new, ref_kind)
            self.add(
                kind,
                "changed",
                subject,
                f"{prefix} {field}: {show(old)} → {show(new)}",
                field=field,
                old=old,
                new=new,
                related=related,
            )

    def deliverables(self, engagement: Ref, before: Engagement, after: Engagement) -> None:
        def keyed(e: Engagement) -> dict[tuple[str, int], Any]:
            seen: dict[str, int] = {}
            found = {}
            for deliverable in e.deliverables:
                seen[deliverable.name] = seen.get(deliverable.name, 0) + 1
                found[(deliverable.name, seen[deliverable.name])] = deliverable
            return found

        old, new = keyed(before), keyed(after)
        for key in list(new) + [k for k in old if k not in new]:
            deliverable = Ref("deliverable", key[0], key[0])
            prefix = f"Engagement {engagement} deliverable {deliverable}"
            if key not in old or key not in new:
                action: Action = "added" if key not in old else "removed"
                self.add(
                    "engagement",
                    action,
                    engagement,
                    f"{prefix} {action}",
                    field="deliverables",
                    related=deliverable,
                )
            else:
                self.fields(
                    "engagement",
                    prefix,
                    engagement,
                    old[key],
                    new[key],
                    DELIVERABLE_FIELDS,
                    related=deliverable,
                )

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


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|&~#$"})
_BREAK = "&#8203;"
"""A zero-width space: invisible, and it keeps GitHub from linking what it splits."""
_LINKED = re.compile(r"@|#(?=\d)|\bGH-(?=\d)|(?<=[A-Za-z]):(?=//)|\bwww(?=\.)", re.IGNORECASE)
"""What GitHub turns into a link or a notification in a comment: ``@someone`` (and e-mail
addresses), ``#123`` and ``GH-123``, ``https://…`` and ``www.…``."""
_BLOCK_MARK = re.compile(r"^([-+=])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def _md(text: str) -> str:
    """User text made literal, on one line, in Markdown pasted into a pull request.

    An asterisk in a name stays an asterisk, a line break is shown as ``\\n``, and nothing
    in it becomes a heading, a list, a mention, an issue reference or a link.
    """
    literal = one_line(text).translate(_MARKDOWN_SPECIAL)
    literal = _LINKED.sub(lambda m: m.group(0) + _BREAK, literal)
    literal = _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", literal))
    return re.sub(r"^ +", lambda m: "&#32;" * len(m.group(0)), literal)


def _count(n: int) -> str:
    return f"{n} change{'' if n == 1 else 's'}"


def _markdown(changes: Changes) -> str:
    old, new = changes.old, changes.new
    versions = f"version {old.version or '(none)'} → {new.version or '(none)'}"
    lines = [
        f"# Amendment to the responsibility playbook: {_md(versions)}",
        "",
        f"- Organisation: {_md(new.organisation)}",
        f"- Previous: {_md(old.describe())}",
        f"- This amendment: {_md(new.describe())}",
        f"- {_count(len(changes)) if changes.items else 'No changes'}",
    ]
    for kind in KINDS:
        found = changes.of(kind)
        if found:
            lines += ["", f"## {SECTION_TITLES[kind]}", ""]
            lines += [f"- {_md(change.text)}" for change in found]
    if changes.sign_off:
        lines += ["", "## Sign-off"]
        for engagement, signatories in changes.sign_off:
            lines += [
                "",
                f"### {_md(str(engagement))}",
                "",
                "| Role | Name | Date | Signature |",
                "| --- | --- | --- | --- |",
            ]
            lines += [
                f"| {_md(str(s.role))} | {_md(', '.join(s.names))} |  |  |" for s in signatories
            ]
    return "\n".join(lines)


def format_changes(changes: Changes, fmt: str = "text") -> str:
    """Changes in one of :data:`FORMATS`.

    Args:
        changes: What :func:`diff_playbooks` found.
        fmt: ``text`` (one line per change, then a count line, or ``no changes``),
            ``markdown`` (an amendment with sections per kind and a sign-off table for each
            changed engagement) or ``json`` (a list of change objects).

    Returns:
        The formatted changes, without a final newline.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt == "json":
        return json_text([c.as_dict() for c in changes])
    if fmt == "markdown":
        return _markdown(changes)
    if fmt == "text":
        if not changes.items:
            return "no changes"
        return "\n".join([*(one_line(c.text) for c in changes), _count(len(changes))])
    raise ValueError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
