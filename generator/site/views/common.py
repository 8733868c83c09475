"""What every view is made of: links, letters, clocks in words, and the page's context.

:class:`Lookups` indexes the playbook once per render (who holds which letter where, which
handoffs reach a stage …) so that no page scans every activity or handoff.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ...model import (
    Activity,
    Cadence,
    Clock,
    Duration,
    Engagement,
    Handoff,
    Playbook,
    Role,
    Stage,
)
from ..markdown import text

if TYPE_CHECKING:
    from ..plan import Links, Plan

ENGAGEMENT_PARTS = {
    "client_contact": "client contact",
    "party_contact": "{party} contact",
    "approvals.approver": "approver",
    "sign_off": "signatory",
}
"""The parts a role plays in an engagement, by the field that names it."""

LETTER_HEADINGS = {
    "Accountable": "What you own",
    "Responsible": "What you do",
    "Consulted": "Where you are asked",
    "Informed": "What you are told",
    "Support": "Where you help",
    "Driver": "What you drive",
    "Approver": "What you approve",
    "Contributor": "Where you contribute",
}


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a page of the playbook. ``{{ link }}`` writes it as Markdown, its name
    escaped; without a page to go to (a person who holds one role) it is the name alone."""

    name: str
    """The linked thing's name, as the YAML has it (unescaped: use a filter)."""
    url: str | None
    """The link's target in Markdown, relative to the page; None: no page."""

    def __str__(self) -> str:
        if self.url is None:
            return text(self.name)
        return f"[{text(self.name)}]({self.url})"


@dataclass(frozen=True, slots=True)
class LetterInfo:
    """A letter of the responsibility model in force."""

    key: str
    """``A``."""
    name: str
    """``Accountable``."""
    description: str | None
    """The model's description of the letter."""
    requirement: str | None
    """How many holders the model requires per activity (``exactly one``, ``at least
    one``), or None when it requires nothing."""
    heading: str
    """A role page's heading for it: ``What you own — Accountable (A)``."""


@dataclass(frozen=True, slots=True)
class LetterGroup:
    """The roles holding one letter on an activity."""

    key: str
    roles: tuple[Link, ...]


def letter_info(playbook: Playbook, key: str) -> LetterInfo:
    spec = playbook.model.letters.get(key)
    name = spec.name if spec else key
    lead = LETTER_HEADINGS.get(name)
    return LetterInfo(
        key=key,
        name=name,
        description=spec.description if spec else None,
        requirement=playbook.requirement_phrase(key),
        heading=f"{lead} — {name} ({key})" if lead else f"{name} ({key})",
    )


def legend(playbook: Playbook) -> tuple[LetterInfo, ...]:
    """The model's letters, as the model lists them."""
    return tuple(letter_info(playbook, key) for key in playbook.model.letters)


def handoff_title(playbook: Playbook, handoff_id: str) -> str:
    """``Marketing Lead → Account Executive``: a handoff's title everywhere."""
    handoff = playbook.handoff(handoff_id)
    return f"{playbook.role(handoff.from_).name} → {playbook.role(handoff.to).name}"


def clock_name(name: str) -> str:
    """An SLA's key in words: ``first_contact`` → ``first contact``."""
    return name.replace("_", " ").replace("-", " ")


def sla_words(clock: Clock, sla: Mapping[str, Duration]) -> str:
    """``accept within 4 business hours; first contact within 1 business day (Mon–Fri …)``:
    the clock is named once when every limit is in business time, else at each limit."""
    if not sla:
        return ""
    if all(duration.business for duration in sla.values()):
        limits = "; ".join(f"{clock_name(n)} within {d}" for n, d in sla.items())
        return f"{limits} ({clock.describe()})"
    return "; ".join(f"{clock_name(n)} within {clock.words(d)}" for n, d in sla.items())


class Lookups:
    """Who holds which letter where and who points at what, indexed once per render."""

    def __init__(self, playbook: Playbook) -> None:
        self.pb = playbook
        self.position: dict[str, int] = {}
        self.by_role: dict[tuple[str, str], list[Activity]] = defaultdict(list)
        self.involved: dict[str, set[str]] = defaultdict(set)
        for index, activity in enumerate(playbook.activities):
            self.position[activity.id] = index
            for letter, role_ids in activity.raci.items():
                for role_id in dict.fromkeys(role_ids):
                    self.by_role[(role_id, letter)].append(activity)
                    self.involved[role_id].add(activity.id)

    @cached_property
    def handoff_position(self) -> Callable[[Handoff], int]:
        order = {h.id: i for i, h in enumerate(self.pb.handoffs)}
        return lambda handoff: order[handoff.id]

    @cached_property
    def stage_position(self) -> Callable[[Stage], int]:
        order = {s.id: i for i, s in enumerate(self.pb.stages)}
        return lambda stage: order[stage.id]

    def activities_for(self, role_id: str, letter: str) -> list[Activity]:
        """Activities on which the role holds ``letter``, in playbook order."""
        return self.by_role.get((role_id, letter), [])

    @cached_property
    def role_rank(self) -> dict[str, tuple[int, int]]:
        """Column order of roles: by team, then as listed."""
        teams = {t.id: i for i, t in enumerate(self.pb.teams)}
        return {r.id: (teams.get(r.team, 0), i) for i, r in enumerate(self.pb.roles)}

    def roles_with_letters(self, activities: Iterable[Activity]) -> list[Role]:
        """Roles that hold a letter on any of ``activities``, in team then role order."""
        rank = self.role_rank
        used = {rid for a in activities for ids in a.raci.values() for rid in ids if rid in rank}
        return [self.pb.role(rid) for rid in sorted(used, key=rank.__getitem__)]

    @cached_property
    def holders(self) -> dict[str, list[str]]:
        """Role id → the people holding it, by name."""
        found: dict[str, list[str]] = defaultdict(list)
        for name, role_ids in self.pb.people_index.items():
            for role_id in role_ids:
                found[role_id].append(name)
        return found

    @cached_property
    def incoming(self) -> dict[str, list[Stage]]:
        """Stage id → the stages with a transition to it."""
        found: dict[str, list[Stage]] = defaultdict(list)
        for stage in self.pb.stages:
            for target in dict.fromkeys(self.pb.next_stages(stage)):
                found[target].append(stage)
        return found

    def pointing(self, section: str, ident: str, source: str, *fields: str) -> list[Any]:
        """The entries of ``source`` whose ``fields`` point at ``ident`` of ``section``, in
        playbook order, each once (read from the declared references)."""
        found: dict[int, Any] = {}
        for ref in self.pb.pointing_at(section, ident):
            if ref.section == source and ref.field in fields:
                found.setdefault(id(ref.entry), ref.entry)
        return list(found.values())

    def cadences(self, role_id: str) -> list[tuple[Cadence, str]]:
        """(cadence, ``chair`` or ``attend``) for each cadence the role is part of."""
        chairs = {id(c) for c in self.pointing("roles", role_id, "cadences", "chair")}
        return [
            (c, "chair" if id(c) in chairs else "attend")
            for c in self.pointing("roles", role_id, "cadences", "chair", "attendees")
        ]

    def engagements(self, role_id: str) -> list[tuple[Engagement, list[str]]]:
        """(engagement, the parts the role plays in it) for each engagement it is part of."""
        out = []
        for e in self.pointing("roles", role_id, "engagements", *ENGAGEMENT_PARTS):
            fields = {ref.field for ref in self.pb.pointing_at("roles", role_id) if ref.entry is e}
            parts = [
                ENGAGEMENT_PARTS[f].format(party=self.pb.team(e.party).name)
                for f in ENGAGEMENT_PARTS
                if f in fields
            ]
            out.append((e, parts))
        return out

    @cached_property
    def boundary(self) -> dict[str, list[Handoff]]:
        """Team id → the handoffs between it and another team."""
        found: dict[str, list[Handoff]] = defaultdict(list)
        for handoff in self.pb.handoffs:
            teams = {self.pb.role(handoff.from_).team, self.pb.role(handoff.to).team}
            if len(teams) == 2:
                for team in sorted(teams):
                    found[team].append(handoff)
        return found


@dataclass(frozen=True)
class Context:
    """What a view builder works from: the playbook, its plan and indexes, and the links
    from the page being built."""

    pb: Playbook
    plan: Plan
    lookups: Lookups
    links: Links

    def role(self, role_id: str) -> Link:
        return Link(self.pb.role(role_id).name, self.links.url("role", role_id))

    def roles(self, role_ids: Iterable[str]) -> tuple[Link, ...]:
        return tuple(self.role(role_id) for role_id in role_ids)

    def stage(self, stage_id: str) -> Link:
        return Link(self.pb.stage(stage_id).name, self.links.url("stage", stage_id))

    def team(self, team_id: str) -> Link:
        return Link(self.pb.team(team_id).name, self.links.url("team", team_id))

    def handoff(self, handoff: Handoff) -> Link:
        return Link(handoff_title(self.pb, handoff.id), self.links.url("handoff", handoff.id))

    def activity(self, activity: Activity) -> Link:
        return Link(activity.name, self.links.url("activity", activity.id))

    def engagement(self, engagement: Engagement) -> Link:
        return Link(engagement.name, self.links.url("engagement", engagement.id))

    def person(self, name: str) -> Link:
        """A person's page, or their name alone when they have none."""
        has_page = name in self.plan.person_slug
        return Link(name, self.links.url("person", name) if has_page else None)

    def sla(self, handoff: Handoff) -> str:
        """The handoff's clocks in words, or ``""`` when it has none."""
        return sla_words(self.pb.sla_clock(handoff), handoff.sla)

    def letter_groups(self, activity: Activity, leave_out: str = "") -> tuple[LetterGroup, ...]:
        """The roles on an activity (but ``leave_out``), by letter, in the letter order."""
        groups = []
        for key in self.pb.letter_order:
            role_ids = [r for r in activity.raci.get(key, ()) if r != leave_out]
            if role_ids:
                groups.append(LetterGroup(key, self.roles(role_ids)))
        return tuple(groups)
