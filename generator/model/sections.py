"""One typed class per section of the YAML, its references declared by type, and the registry.

A field that names another entry says what it points at in its type (``owner: RoleId``, see
:mod:`.references`). :data:`SECTIONS` lists the sections once: a new section is one class
here, one entry in :data:`SECTIONS` and its field on :class:`~generator.model.Playbook`;
the check (shape, duplicate ids, references), ``diff`` and the lookups read them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .references import ActivityId, RoleId, RoleIds, StageId, TeamId
from .timing import WEEKDAYS, DurationValue, Time, Timezone, Weekday
from .values import (
    Bool,
    Count,
    Date,
    Id,
    Markdown,
    Name,
    Percent,
    Quantity,
    Target,
    Text,
    Touchpoints,
    choice,
)


class Part(BaseModel):
    """Base of every section entry: immutable, no unknown keys."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, arbitrary_types_allowed=True
    )


class BusinessHours(Part):
    """The clock for SLAs in business units. Unset keys fall back to the organisation's."""

    days: tuple[Weekday, ...] | None = None
    start: Time | None = None
    end: Time | None = None
    timezone: Timezone | None = None
    holidays: tuple[Date, ...] | None = None

    def over(self, base: BusinessHours | None) -> BusinessHours:
        """These hours with unset keys taken from ``base`` (then the defaults)."""
        base = base or DEFAULT_HOURS
        return BusinessHours.model_construct(
            **{
                key: getattr(self, key) if getattr(self, key) is not None else getattr(base, key)
                for key in BusinessHours.model_fields
            }
        )

    def describe(self) -> str:
        """``Mon–Fri 09:00–17:00 Europe/London``."""
        days = list(self.days or DEFAULT_HOURS.days or ())
        index = [WEEKDAYS.index(d) for d in days]
        if days and index == list(range(index[0], index[0] + len(index))) and len(days) > 2:
            span = f"{days[0].title()}–{days[-1].title()}"
        else:
            span = ", ".join(d.title() for d in days)
        start = self.start or DEFAULT_HOURS.start
        end = self.end or DEFAULT_HOURS.end
        zone = self.timezone or DEFAULT_HOURS.timezone
        return f"{span} {start}–{end} {zone}"


DEFAULT_HOURS = BusinessHours.model_construct(
    days=("mon", "tue", "wed", "thu", "fri"),
    start="09:00",
    end="17:00",
    timezone="UTC",
    holidays=(),
)


class Organisation(Part):
    name: Name
    summary: Markdown | None = None
    version: Text | None = None
    effective: Date | None = None
    maintainer: RoleId | None = None
    model: Text = "RACI"
    business_hours: BusinessHours | None = None


def _count_word(number: int) -> str:
    return "one" if number == 1 else f"{number:,}"


class Letter(Part):
    name: Name
    description: Text | None = None
    min: Count | None = None
    max: Count | None = None
    accountable: Bool = False

    def count_phrase(self) -> str | None:
        """What the model requires of this letter on each activity, in words: ``exactly one``,
        ``at least one``, ``at most 2``, ``between 1 and 3``; None when it requires nothing.
        The check's messages and the pages both say it this way."""
        low, high = self.min or 0, self.max
        if high is not None and low == high:
            return f"exactly {_count_word(high)}"
        if high is not None and low:
            return f"between {low:,} and {high:,}"
        if high is not None:
            return f"at most {_count_word(high)}"
        if low:
            return f"at least {_count_word(low)}"
        return None

    def allows(self, count: int) -> bool:
        """Whether an activity may hold this letter ``count`` times."""
        return (self.min or 0) <= count and (self.max is None or count <= self.max)


LetterKey = Annotated[str, Field(pattern=r"^[A-Z]$")]


class ResponsibilityModel(Part):
    letters: dict[LetterKey, Letter]

    @property
    def accountable(self) -> str | None:
        """The letter that means "owns the outcome"."""
        return next((key for key, letter in self.letters.items() if letter.accountable), None)


def _builtin(*letters: tuple[str, str, str, int | None, int | None, bool]) -> ResponsibilityModel:
    return ResponsibilityModel.model_construct(
        letters={
            key: Letter.model_construct(
                name=name, description=text, min=low, max=high, accountable=owns
            )
            for key, name, text, low, high, owns in letters
        }
    )


BUILTIN_MODELS: Mapping[str, ResponsibilityModel] = {
    "RACI": _builtin(
        ("R", "Responsible", "does the work", 1, None, False),
        ("A", "Accountable", "owns the outcome; exactly one", 1, 1, True),
        ("C", "Consulted", "asked before", None, None, False),
        ("I", "Informed", "told after", None, None, False),
    ),
    "RASCI": _builtin(
        ("R", "Responsible", "does the work", 1, None, False),
        ("A", "Accountable", "owns the outcome; exactly one", 1, 1, True),
        ("S", "Support", "helps the Responsible", None, None, False),
        ("C", "Consulted", "asked before", None, None, False),
        ("I", "Informed", "told after", None, None, False),
    ),
    "DACI": _builtin(
        ("D", "Driver", "drives the work to a decision; exactly one", 1, 1, False),
        ("A", "Approver", "makes the decision; exactly one", 1, 1, True),
        ("C", "Contributor", "gives input", None, None, False),
        ("I", "Informed", "told of the decision", None, None, False),
    ),
}


class Goal(Part):
    id: Id
    statement: Text
    metric: Text | None = None
    target: Target | None = None
    horizon: Text | None = None


class Team(Part):
    id: Id
    name: Name
    kind: choice("internal", "external") = "internal"  # type: ignore[valid-type]
    business_hours: BusinessHours | None = None
    purpose: Markdown | None = None
    horizon: Text | None = None
    goals: tuple[Goal, ...] = ()

    @property
    def external(self) -> bool:
        kind: str = self.kind
        return kind == "external"


class Role(Part):
    id: Id
    name: Name
    team: TeamId
    kind: choice("person", "group", "system", "queue") = "person"  # type: ignore[valid-type]
    summary: Markdown | None = None
    holders: tuple[Name, ...] = ()


class Person(Part):
    name: Name
    roles: tuple[RoleId, ...]


class Stage(Part):
    id: Id
    name: Name
    owner: RoleId | None = None
    definition: Markdown | None = None
    entry: tuple[Text, ...] = ()
    exit: tuple[Text, ...] = ()
    touchpoints: Touchpoints | None = None
    probability: Percent | None = None
    max_duration: DurationValue | None = None
    next: tuple[StageId, ...] | None = None
    terminal: Bool = False
    reasons: tuple[Text, ...] = ()


class Rejection(Part):
    to: StageId
    reasons: tuple[Text, ...] = ()
    feedback: Markdown | None = None


ClockName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class Handoff(Part):
    id: Id
    from_: RoleId = Field(alias="from")
    to: RoleId
    stage: StageId | None = None
    trigger: Markdown | None = None
    passes: tuple[Text, ...] = ()
    sla: dict[ClockName, DurationValue] = Field(default_factory=dict)
    on_reject: Rejection | None = None
    escalation: Markdown | None = None


class Activity(Part):
    id: Id
    name: Name
    area: Text | None = None
    stage: StageId | None = None
    description: Markdown | None = None
    raci: dict[Annotated[str, Field(pattern=r"^[A-Za-z]$")], RoleIds]
    notes: dict[RoleId, Markdown] = Field(default_factory=dict)


class Deliverable(Part):
    name: Name
    quantity: Quantity | None = None
    due: Date | None = None
    description: Markdown | None = None


class Approvals(Part):
    approver: RoleId
    review_window: DurationValue | None = None
    silence_means_approval: Bool = False


class Engagement(Part):
    id: Id
    name: Name
    party: TeamId
    client_contact: RoleId | None = None
    party_contact: RoleId | None = None
    starts: Date | None = None
    ends: Date | None = None
    summary: Markdown | None = None
    in_scope: tuple[ActivityId, ...] = ()
    out_of_scope: tuple[ActivityId, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    approvals: Approvals | None = None
    change_process: Markdown | None = None
    sign_off: tuple[RoleId, ...] = ()


class Cadence(Part):
    id: Id
    name: Name
    every: choice("day", "week", "fortnight", "month", "quarter") | None = None  # type: ignore[valid-type]
    chair: RoleId | None = None
    attendees: tuple[RoleId, ...] = ()
    purpose: Markdown | None = None


class GlossaryEntry(Part):
    term: Name
    definition: Markdown


class Change(Part):
    version: Text
    date: Date
    summary: Markdown


@dataclass(frozen=True)
class Section:
    """A top-level section of the YAML.

    Attributes:
        name: The section's key (``roles``).
        entry: The class of its entries (or of the section itself when ``shape`` is one).
        shape: ``one`` mapping (organisation), a ``list`` of entries (split across files,
            concatenated), or a mapping of ``named`` entries (models).
        key: The field that identifies an entry, unique in the section (``id``, a person's
            ``name``, a glossary ``term``); None when entries need no identity.
        noun: How a message names one entry (``role``, ``glossary term``).
    """

    name: str
    entry: type[Part]
    shape: Literal["one", "list", "named"] = "list"
    key: str | None = "id"
    noun: str = ""

    @property
    def many(self) -> bool:
        """Entries come as a list (and may be split across files)."""
        return self.shape == "list"

    @property
    def addressable(self) -> bool:
        """Entries have ids that references may point at."""
        return self.key == "id"


SECTIONS: Mapping[str, Section] = {
    section.name: section
    for section in (
        Section("organisation", Organisation, "one", None, "organisation"),
        Section("models", ResponsibilityModel, "named", None, "model"),
        Section("teams", Team, noun="team"),
        Section("roles", Role, noun="role"),
        Section("people", Person, key="name", noun="person"),
        Section("stages", Stage, noun="stage"),
        Section("handoffs", Handoff, noun="handoff"),
        Section("activities", Activity, noun="activity"),
        Section("engagements", Engagement, noun="engagement"),
        Section("cadences", Cadence, noun="cadence"),
        Section("glossary", GlossaryEntry, key="term", noun="glossary term"),
        Section("changelog", Change, key=None, noun="change"),
    )
}
"""Every section, in the order of the YAML reference (and of :class:`Playbook`'s fields)."""
SECTION_MODELS: Mapping[str, type[Part]] = {
    name: section.entry for name, section in SECTIONS.items() if section.shape != "named"
}
"""Section name → the class of its entries, for the sections whose entries are one class."""
LIST_SECTIONS = tuple(name for name, section in SECTIONS.items() if section.many)
MAP_SECTIONS = tuple(name for name, section in SECTIONS.items() if not section.many)
