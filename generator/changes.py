"""The changes :mod:`.diff` finds between two playbooks, and how they are written: one line
each as text, an amendment in Markdown, or JSON. No I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from .model import SECTIONS, Duration, plain_number
from .text import json_text, markdown_literal, one_line

Kind = str
"""What part of the playbook changed: one of :data:`KINDS`."""
Action = Literal["added", "removed", "changed", "gained", "lost", "moved"]
FORMATS = ("text", "markdown", "json")

_DIFFED = tuple(s for s in SECTIONS.values() if s.addressable)
_FIRST = ("accountable", "letter", "activity", "role", "sla", "stage", "handoff", "scope")
KINDS: tuple[Kind, ...] = (
    *_FIRST,
    "engagement",
    *(s.noun for s in _DIFFED if s.noun not in (*_FIRST, "engagement")),
)
"""Every kind of change, in the order they are reported: who is Accountable, letters, then
the sections whose entries have ids (with SLA clocks after roles and scope before the
engagements' terms), the other such sections last, in the order of the registry."""
SECTION_TITLES: dict[Kind, str] = {
    **{s.noun: s.name.capitalize() for s in _DIFFED},
    "accountable": "Accountable",
    "letter": "Letters gained and lost",
    "sla": "SLA clocks",
    "stage": "Lifecycle stages",
    "scope": "Engagement scope",
    "engagement": "Engagement terms",
}
"""The heading of each kind in the Markdown amendment."""
_ENTRY_NOUNS = frozenset(s.noun for s in SECTIONS.values())


@dataclass(frozen=True, slots=True)
class Ref:
    """A named thing of the playbook: ``Marketing Lead (marketing-lead)``; a part of an entry
    (a deliverable, a goal) by its name alone."""

    type: str
    id: str
    name: str

    def __str__(self) -> str:
        if self.type in ("role", "team"):
            return f"{self.name} ({self.id})"
        if self.type not in _ENTRY_NOUNS:
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


def _count(n: int) -> str:
    return f"{n} change{'' if n == 1 else 's'}"


def _markdown(changes: Changes) -> str:
    md = markdown_literal
    old, new = changes.old, changes.new
    versions = f"version {old.version or '(none)'} → {new.version or '(none)'}"
    lines = [
        f"# Amendment to the responsibility playbook: {md(versions)}",
        "",
        f"- Organisation: {md(new.organisation)}",
        f"- Previous: {md(old.describe())}",
        f"- This amendment: {md(new.describe())}",
        f"- {_count(len(changes)) if changes.items else 'No changes'}",
    ]
    for kind in KINDS:
        found = changes.of(kind)
        if found:
            lines += ["", f"## {SECTION_TITLES[kind]}", ""]
            lines += [f"- {md(change.text)}" for change in found]
    if changes.sign_off:
        lines += ["", "## Sign-off"]
        for engagement, signatories in changes.sign_off:
            lines += [
                "",
                f"### {md(str(engagement))}",
                "",
                "| Role | Name | Date | Signature |",
                "| --- | --- | --- | --- |",
            ]
            lines += [
                f"| {md(str(s.role))} | {md(', '.join(s.names))} |  |  |" for s in signatories
            ]
    return "\n".join(lines)


def format_changes(changes: Changes, fmt: str = "text") -> str:
    """Changes in one of :data:`FORMATS`.

    Args:
        changes: What :func:`~generator.diff.diff_playbooks` found.
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
