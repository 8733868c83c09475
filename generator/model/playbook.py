"""The whole playbook: lookups, who points at what, and the one copy of each derived rule.

The check, the pages, the exports and ``diff`` read these rules from here rather than
working them out again: the order of letters (:attr:`Playbook.letter_order`), which clock a
duration runs on (:meth:`Playbook.clock_for` and its uses), and what the model in force
requires of a letter (:meth:`Playbook.requirement_phrase`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .clocks import (
    DEFAULT_HOURS,
    BusinessHours,
)
from .letters import (
    BUILTIN_MODELS,
    ResponsibilityModel,
)
from .references import Reference, references_in
from .sections import (
    SECTIONS,
    Activity,
    Cadence,
    Change,
    Engagement,
    GlossaryEntry,
    Handoff,
    Holder,
    Organisation,
    Person,
    Role,
    Route,
    Stage,
    Team,
)
from .timing import Duration


@dataclass(frozen=True)
class Clock:
    """The clock a duration runs on. Calendar units (``24 hours``, ``30 days``) are calendar
    time whatever the clock; business units count only :attr:`hours`."""

    hours: BusinessHours
    team: str | None
    """The name of the team (or role) whose own hours these are, or None for the
    organisation's."""
    assumed: bool
    """No business hours are set for this clock anywhere: the built-in Mon–Fri 09:00–17:00
    UTC default is assumed."""
    local: bool = False
    """The hours are the holder's own working day (``timezone: local``), wherever they are."""

    def describe(self) -> str:
        """``Mon–Fri 09:00–17:00 Europe/London`` (``…, the holder's local time``), marked
        when assumed (holidays are :attr:`hours`' to list where a page has room)."""
        words = self.hours.describe()
        if self.assumed:
            words += " (assumed: the playbook sets no business hours)"
        return words

    def words(self, duration: Duration) -> str:
        """A duration with the clock it runs on: ``4 business hours (Mon–Fri …)`` or, for a
        calendar duration, ``24 hours (calendar time)``."""
        if duration.business:
            return f"{duration} ({self.describe()})"
        return f"{duration} (calendar time)"


class Playbook(BaseModel):
    """The whole validated playbook, sections as in the YAML (and as :data:`SECTIONS`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    organisation: Organisation
    models: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")], ResponsibilityModel
    ] = Field(default_factory=dict)
    teams: tuple[Team, ...] = ()
    roles: tuple[Role, ...] = ()
    people: tuple[Person, ...] = ()
    stages: tuple[Stage, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    activities: tuple[Activity, ...] = ()
    engagements: tuple[Engagement, ...] = ()
    cadences: tuple[Cadence, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    changelog: tuple[Change, ...] = ()

    @cached_property
    def model(self) -> ResponsibilityModel:
        """The responsibility model in force."""
        name = self.organisation.model
        return self.models.get(name) or BUILTIN_MODELS.get(name) or BUILTIN_MODELS["RACI"]

    @property
    def accountable_letter(self) -> str:
        return self.model.accountable or next(iter(self.model.letters))

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {
            name: {item.id: item for item in getattr(self, name)}
            for name, section in SECTIONS.items()
            if section.addressable
        }

    def find(self, section: str, ident: str) -> Any | None:
        """The entry ``ident`` of ``section`` (any section whose entries have ids), or None."""
        return self._by_id[section].get(ident)

    def team(self, team_id: str) -> Team:
        found: Team = self._by_id["teams"][team_id]
        return found

    def role(self, role_id: str) -> Role:
        found: Role = self._by_id["roles"][role_id]
        return found

    def stage(self, stage_id: str) -> Stage:
        found: Stage = self._by_id["stages"][stage_id]
        return found

    def handoff(self, handoff_id: str) -> Handoff:
        found: Handoff = self._by_id["handoffs"][handoff_id]
        return found

    def activity(self, activity_id: str) -> Activity:
        found: Activity = self._by_id["activities"][activity_id]
        return found

    def engagement(self, engagement_id: str) -> Engagement:
        found: Engagement = self._by_id["engagements"][engagement_id]
        return found

    def cadence(self, cadence_id: str) -> Cadence:
        found: Cadence = self._by_id["cadences"][cadence_id]
        return found

    def team_of(self, role: Role | str) -> Team:
        role = self.role(role) if isinstance(role, str) else role
        return self.team(role.team)

    def roles_of_team(self, team: Team | str) -> list[Role]:
        team_id = team if isinstance(team, str) else team.id
        return [role for role in self.roles if role.team == team_id]

    def clock_of_team(self, team: Team | str | None) -> Clock:
        """The business-hours clock of ``team``: its hours key by key over the organisation's,
        over the built-in default (which is then *assumed*: nothing in the playbook set it)."""
        if isinstance(team, str):
            team = self.team(team)
        return self._clock(None, team)

    def _clock(self, role: Role | None, team: Team | None) -> Clock:
        org = self.organisation.business_hours
        hours = (org or DEFAULT_HOURS).over(DEFAULT_HOURS)
        owner = None
        for layer, name in (
            (team.business_hours if team else None, team.name if team else None),
            (role.business_hours if role else None, role.name if role else None),
        ):
            if layer is not None:
                hours, owner = layer.over(hours), name
        return Clock(
            hours=hours, team=owner, assumed=owner is None and org is None, local=hours.local
        )

    def clock_for(self, role_id: str | None) -> Clock:
        """The clock of a role: its own hours key by key over its team's, over the
        organisation's, over the default (also for no role, and for an id that names none,
        which the check reports as an error of its own)."""
        role = self._by_id["roles"].get(role_id) if role_id else None
        return self._clock(role, self._by_id["teams"].get(role.team) if role else None)

    def sla_clock(self, handoff: Handoff, route: Route | None = None) -> Clock:
        """A handoff's SLA clocks run on the receiving role's clock: the route's role, else
        the receiver's (:attr:`Handoff.receiver`, the last route)."""
        return self.clock_for(route.role if route is not None else handoff.receiver)

    def handoff_title(self, handoff: Handoff) -> str:
        """A handoff's title: its ``name``, else ``<from role> → <receiver role>`` (the
        names of roles the playbook defines; an unknown id as written)."""
        if handoff.name:
            return handoff.name
        ends = (handoff.from_, handoff.receiver)
        names = [role.name if (role := self._by_id["roles"].get(r)) else r for r in ends]
        return f"{names[0]} → {names[1]}"

    def stage_clock(self, stage: Stage) -> Clock:
        """A stage's time limit runs on its owner's clock (the organisation's without one)."""
        return self.clock_for(stage.owner)

    def review_clock(self, engagement: Engagement) -> Clock:
        """An engagement's review window runs on the approver's clock."""
        return self.clock_for(engagement.approvals.approver if engagement.approvals else None)

    @cached_property
    def role_rank(self) -> dict[str, int]:
        """Role id → its place in ``roles`` (the order every listing of roles follows)."""
        return {role.id: i for i, role in enumerate(self.roles)}

    @cached_property
    def letter_order(self) -> tuple[str, ...]:
        """The letters of the model in force, the accountable letter first, then the model's
        order: a role that is both Accountable and Responsible reads ``A,R`` everywhere (the
        matrix, role pages, CSV, XLSX, JSON and diff all take their order from here)."""
        first = self.accountable_letter
        return (first, *(key for key in self.model.letters if key != first))

    @cached_property
    def _letters_index(self) -> dict[tuple[str, str], tuple[str, ...]]:
        rank = {key: i for i, key in enumerate(self.letter_order)}
        found: dict[tuple[str, str], list[str]] = {}
        for activity in self.activities:
            for letter in sorted(activity.raci, key=lambda k: rank.get(k, len(rank))):
                for role_id in dict.fromkeys(activity.role_ids(letter)):
                    found.setdefault((activity.id, role_id), []).append(letter)
        return {key: tuple(value) for key, value in found.items()}

    def letters_of(self, activity: Activity | str, role_id: str) -> tuple[str, ...]:
        """The letters ``role_id`` holds on ``activity``, in :attr:`letter_order` (a
        conditional holder holds its letter)."""
        activity_id = activity if isinstance(activity, str) else activity.id
        return self._letters_index.get((activity_id, role_id), ())

    def letters_by_role(self, activity: Activity) -> dict[str, tuple[str, ...]]:
        """Role id → its letters on ``activity``, roles in the order they are first named."""
        roles = dict.fromkeys(r for letter in activity.raci for r in activity.role_ids(letter))
        return {role_id: self.letters_of(activity, role_id) for role_id in roles}

    def condition(self, activity: Activity, letter: str, role_id: str) -> str | None:
        """The ``when`` under which ``role_id`` holds ``letter`` on ``activity``; None when
        it holds it unconditionally (or not at all)."""
        for holder in activity.holders(letter):
            if holder.role == role_id and holder.when is not None:
                return holder.when
        return None

    def requirement_phrase(self, letter: str) -> str | None:
        """What the model in force requires of ``letter`` per activity (see
        :meth:`Letter.count_phrase`)."""
        spec = self.model.letters.get(letter)
        return spec.count_phrase() if spec else None

    def next_stages(self, stage: Stage) -> tuple[str, ...]:
        """Allowed transitions: explicit ``next``, else the following stage (none if terminal)."""
        if stage.next is not None:
            return stage.next
        if stage.terminal:
            return ()
        ids = [s.id for s in self.stages]
        index = ids.index(stage.id)
        return (ids[index + 1],) if index + 1 < len(ids) else ()

    @cached_property
    def recycle_edges(self) -> frozenset[tuple[str, str]]:
        """Transitions that go back to an earlier stage (drawn as loops)."""
        order = {s.id: i for i, s in enumerate(self.stages)}
        return frozenset(
            (s.id, target)
            for s in self.stages
            for target in self.next_stages(s)
            if target in order and order[target] <= order[s.id]
        )

    def assignments(self, activity: Activity) -> list[tuple[str, Role]]:
        """(letter, role) pairs in the model's letter order."""
        letters = list(self.model.letters)
        ordered = sorted(activity.raci, key=lambda k: letters.index(k) if k in letters else 99)
        return [(letter, self.role(rid)) for letter in ordered for rid in activity.role_ids(letter)]

    def accountable_for(self, activity: Activity) -> Role | None:
        """The owner when no condition applies: the first unconditional holder of the
        accountable letter (else the first holder)."""
        holders: tuple[Holder, ...] = activity.holders(self.accountable_letter)
        chosen = next((h for h in holders if h.when is None), holders[0] if holders else None)
        return self.role(chosen.role) if chosen else None

    def entries(self) -> Iterator[tuple[str, BaseModel]]:
        """(section, entry) for every entry, sections in :data:`SECTIONS` order (a named
        section, ``models``, holds no references and is left out)."""
        for name, section in SECTIONS.items():
            value = getattr(self, name)
            if section.many:
                for entry in value:
                    yield name, entry
            elif section.shape == "one":
                yield name, value

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        """Every declared reference of the playbook, in section and entry order."""
        return tuple(ref for name, entry in self.entries() for ref in references_in(name, entry))

    @classmethod
    def assemble(cls, references: tuple[Reference, ...], **sections: Any) -> Playbook:
        """A playbook of entries validated one by one (no second validation), with the
        :attr:`references` the check found in them, so that they are not looked for again."""
        playbook = cls.model_construct(**sections)
        playbook.__dict__["references"] = references  # what the cached property would find
        return playbook

    @cached_property
    def _pointing(self) -> dict[tuple[str, str], tuple[Reference, ...]]:
        found: dict[tuple[str, str], list[Reference]] = {}
        for ref in self.references:
            found.setdefault((ref.target_section, ref.target), []).append(ref)
        return {key: tuple(value) for key, value in found.items()}

    def pointing_at(self, section: str, ident: str) -> tuple[Reference, ...]:
        """The references to entry ``ident`` of ``section`` (who points at this role …)."""
        return self._pointing.get((section, ident), ())

    @cached_property
    def people_index(self) -> dict[str, tuple[str, ...]]:
        """Person name → role ids: holders plus the ``people`` section, in role order."""
        found: dict[str, list[str]] = {}
        for role in self.roles:
            for holder in role.holders:
                found.setdefault(holder, []).append(role.id)
        for person in self.people:
            bucket = found.setdefault(person.name, [])
            bucket.extend(r for r in person.roles if r not in bucket)
        order = {role.id: i for i, role in enumerate(self.roles)}
        return {
            name: tuple(sorted(set(ids), key=lambda r: order.get(r, 0)))
            for name, ids in sorted(found.items())
        }

    def holders_of(self, role: Role) -> list[str]:
        return [name for name, ids in self.people_index.items() if role.id in ids]
