"""One typed class per section of the YAML, its references declared by type, and the registry.

A field that names another entry says what it points at in its type (``owner: RoleId``, see
:mod:`.references`). :data:`SECTIONS` lists the sections once: a new section is one class
here, one entry in :data:`SECTIONS` and its field on :class:`~generator.model.Playbook`;
the check (shape, duplicate ids, references), ``diff`` and the lookups read them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
)

from .clocks import (
    BusinessHours,
    ClockName,
    ClockSpec,
    ClockValue,
    SlaClock,
    clock_label,
)
from .letters import ResponsibilityModel
from .parts import LIST, MAPPING, ONE, Allow, Part, forms, non_empty
from .references import ActivityId, RoleId, StageId, Stored, TeamId
from .timing import DurationValue
from .values import (
    Bool,
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


class Organisation(Part):
    name: Name
    summary: Markdown | None = None
    version: Text | None = None
    effective: Date | None = None
    maintainer: RoleId | None = None
    model: Text = "RACI"
    business_hours: BusinessHours | None = None
    allow: Allow = ()
    """Warning codes silenced everywhere."""


class Goal(Part):
    id: Id
    statement: Text
    metric: Text | None = None
    target: Target | None = None
    horizon: Text | None = None
    period: Text | None = None
    """The dated period of the target (``FY2027``)."""


class Team(Part):
    id: Id
    name: Name
    kind: choice("internal", "external") = "internal"  # type: ignore[valid-type]
    business_hours: BusinessHours | None = None
    purpose: Markdown | None = None
    horizon: Text | None = None
    goals: tuple[Goal, ...] = ()
    allow: Allow = ()

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
    business_hours: BusinessHours | None = None
    """Key by key over the team's (``timezone: local``: the holder's own working day)."""
    goals: tuple[Goal, ...] = ()
    allow: Allow = ()


class Person(Part):
    name: Name
    roles: tuple[RoleId, ...]
    allow: Allow = ()


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
    maps_to: dict[Text, Text] = Field(default_factory=dict)
    """System → the value that stands for this stage there (``Salesforce: Stage 2``)."""
    allow: Allow = ()


class Rejection(Part):
    to: StageId
    reasons: tuple[Text, ...] = ()
    feedback: Markdown | None = None


class Outcome(Part):
    """One way a rejected handoff can go: to ``to``, when ``when``, owned by ``owner``."""

    to: StageId
    when: Text | None = None
    owner: RoleId | None = None
    reasons: tuple[Text, ...] = ()
    feedback: Markdown | None = None


class Route(Part):
    """A receiver of a routed handoff: ``role`` when ``when`` holds (the last: otherwise)."""

    role: RoleId
    when: Text | None = None


class Holder(Part):
    """A role holding a letter, ``when`` a condition holds (None: always)."""

    role: RoleId
    when: Text | None = None


Routes = Annotated[tuple[Route, ...], non_empty("a list of routes {role, when}")]
Outcomes = Annotated[tuple[Outcome, ...], non_empty("a list of outcomes {to, when, owner, …}")]


class Handoff(Part):
    id: Id
    name: Name | None = None
    """The handoff's title everywhere (else "From → To")."""
    from_: RoleId = Field(alias="from")
    to: Annotated[
        Annotated[RoleId, ONE] | Annotated[Routes, LIST],
        forms("a role id or a list of routes {role, when}"),
    ]
    """A role id, or routes tried in order (:attr:`routes`)."""
    stage: StageId | None = None
    trigger: Markdown | None = None
    passes: tuple[Text, ...] = ()
    sla: dict[ClockName, ClockValue] = Field(default_factory=dict)
    on_reject: Annotated[
        Annotated[Rejection, MAPPING] | Annotated[Outcomes, LIST] | Annotated[None, ONE],
        forms("a mapping {to, reasons, feedback} or a list of outcomes {to, when, …}"),
    ] = None
    escalation: Markdown | None = None
    allow: Allow = ()

    @property
    def routes(self) -> tuple[Route, ...]:
        """Who receives it, tried in order (one id: one route without a condition)."""
        to: str | tuple[Route, ...] = self.to
        if isinstance(to, str):
            return (Route.model_construct(role=to, when=None),)
        return to

    @property
    def receiver(self) -> str:
        """The role that receives it when no condition holds: the last route's."""
        return self.routes[-1].role

    @cached_property
    def clocks(self) -> tuple[SlaClock, ...]:
        """Every clock of :attr:`sla`, in the order written."""
        found = []
        for key, value in self.sla.items():
            if isinstance(value, ClockSpec):
                label = value.label or clock_label(key)
                found.append(SlaClock(key, label, value.within, value.target, value.from_))
            else:
                found.append(SlaClock(key, clock_label(key), value, None, None))
        return tuple(found)

    @cached_property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Where a rejection goes (a single ``on_reject`` mapping: one outcome)."""
        found: Rejection | tuple[Outcome, ...] | None = self.on_reject
        if found is None:
            return ()
        if isinstance(found, Rejection):
            return (
                Outcome.model_construct(
                    to=found.to,
                    when=None,
                    owner=None,
                    reasons=found.reasons,
                    feedback=found.feedback,
                ),
            )
        return found


def _plain_when_unconditional(value: Any) -> Any:
    """A holder without a condition is its plain role id (``{role: x}`` reads as ``x``)."""
    return value.role if isinstance(value, Holder) and value.when is None else value


@cache
def _unconditional(role: str) -> Holder:
    """The holder a plain role id stands for (immutable, so one per role serves all)."""
    return Holder.model_construct(role=role, when=None)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


HolderItem = Annotated[
    Annotated[RoleId, ONE] | Annotated[Holder, MAPPING],
    forms("a role id or a mapping {role, when}"),
    AfterValidator(_plain_when_unconditional),
]
if TYPE_CHECKING:
    Holders = tuple[str | Holder, ...]
else:
    Holders = Annotated[
        Annotated[RoleId, ONE]
        | Annotated[Holder, MAPPING]
        | Annotated[tuple[HolderItem, ...], non_empty("a role id or a list of role ids"), LIST],
        forms("a role id, a mapping {role, when} or a list of them"),
        AfterValidator(_plain_when_unconditional),
        AfterValidator(_as_tuple),
        PlainSerializer(list, return_type=list),
        Stored(tuple[HolderItem, ...]),
    ]
"""The holders of one letter: a role id, a ``{role, when}`` mapping, or a list of both."""


class Activity(Part):
    id: Id
    name: Name
    area: Text | None = None
    stage: StageId | None = None
    description: Markdown | None = None
    raci: dict[Annotated[str, Field(pattern=r"^[A-Za-z]$")], Holders]
    notes: dict[RoleId, Markdown] = Field(default_factory=dict)
    allow: Allow = ()

    def holders(self, letter: str) -> tuple[Holder, ...]:
        """Who holds ``letter``, each as a :class:`Holder` (a plain id: ``when`` None)."""
        return self._holders.get(letter, ())

    def role_ids(self, letter: str) -> tuple[str, ...]:
        """The roles holding ``letter``, conditional or not, in the order written."""
        return self._role_ids.get(letter, ())

    @cached_property
    def _holders(self) -> dict[str, tuple[Holder, ...]]:
        return {
            letter: tuple(
                item if isinstance(item, Holder) else _unconditional(item) for item in items
            )
            for letter, items in self.raci.items()
        }

    @cached_property
    def _role_ids(self) -> dict[str, tuple[str, ...]]:
        return {
            letter: tuple(item if isinstance(item, str) else item.role for item in items)
            for letter, items in self.raci.items()
        }


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
    allow: Allow = ()


class Cadence(Part):
    id: Id
    name: Name
    every: choice("day", "week", "fortnight", "month", "quarter") | None = None  # type: ignore[valid-type]
    chair: RoleId | None = None
    attendees: tuple[RoleId, ...] = ()
    purpose: Markdown | None = None
    allow: Allow = ()


class GlossaryEntry(Part):
    term: Name
    definition: Markdown
    context: Text | None = None
    """Where this meaning holds: the same term may appear again with another context."""
    allow: Allow = ()


class Change(Part):
    version: Text
    date: Date
    summary: Markdown
    allow: Allow = ()


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
        within: A field that tells apart entries with the same key (a glossary term may
            appear again with another ``context``); None when the key alone is unique.
    """

    name: str
    entry: type[Part]
    shape: Literal["one", "list", "named"] = "list"
    key: str | None = "id"
    noun: str = ""
    within: str | None = None

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
        Section("glossary", GlossaryEntry, key="term", noun="glossary term", within="context"),
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
