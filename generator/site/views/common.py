"""What every view is made of: links, letters, clocks in words, and the page's context.

:class:`Lookups` indexes the playbook once per render (who holds which letter where, which
handoffs reach a stage …) so that no page scans every activity or handoff.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
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
    ResponsibilityModel,
    Role,
    Route,
    SlaClock,
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

FOLD_AFTER = 5
"""A list of the model's last letter (``I`` in RACI) longer than this is shown as a count
with a link to where it is listed: a role's or person's own list (to the filtered matrix), the
roles on an activity in a role's or stage's table (to the activity)."""

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


def diagram_block(svg: str, wide: bool = False) -> str:
    """An SVG as one raw HTML block: a block-level wrapper keeps Markdown out of it.

    A wide diagram keeps its size and scrolls sideways instead of shrinking.
    """
    extra = " pb-diagram--wide" if wide else ""
    label = ' tabindex="0" role="region" aria-label="Handoff swimlane"' if wide else ""
    return f'<div class="pb-diagram{extra}"{label}>{svg}</div>'


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a page of the playbook. ``{{ link }}`` writes it as HTML, its name
    escaped; without a page to go to (a person who holds one role) it is the name alone."""

    name: str
    """The linked thing's name, as the YAML has it (unescaped: use a filter)."""
    url: str | None
    """The link's target, the page's URL relative to this one; None: no page."""

    def __str__(self) -> str:
        if self.url is None:
            return text(self.name)
        return f'<a href="{self.url}">{text(self.name)}</a>'


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
class HeldBy:
    """A role holding a letter on an activity."""

    role: Link
    when: str | None
    """The condition under which it holds the letter (plain text); None: always, or, beside
    conditional holders of the accountable letter, when no condition applies."""


@dataclass(frozen=True, slots=True)
class LetterGroup:
    """The roles holding one letter on an activity."""

    key: str
    holders: tuple[HeldBy, ...]
    words: str
    """The holders as HTML, conditions included: ``<a …>Legal</a>, when the terms depart
    from the standard contract; otherwise <a …>Head of Sales</a>``."""


def letter_info(
    playbook: Playbook, key: str, model: ResponsibilityModel | None = None
) -> LetterInfo:
    """A letter of the model in force (or of ``model``)."""
    spec = (model or playbook.model).letters.get(key)
    name = spec.name if spec else key
    lead = LETTER_HEADINGS.get(name)
    return LetterInfo(
        key=key,
        name=name,
        description=spec.description if spec else None,
        requirement=spec.count_phrase() if spec else None,
        heading=f"{lead} — {name} ({key})" if lead else f"{name} ({key})",
    )


def legend(playbook: Playbook, model: ResponsibilityModel | None = None) -> tuple[LetterInfo, ...]:
    """The letters of the model in force (or of ``model``), as the model lists them."""
    return tuple(letter_info(playbook, key, model) for key in (model or playbook.model).letters)


def handoff_title(playbook: Playbook, handoff_id: str) -> str:
    """A handoff's title everywhere: its ``name``, else ``Marketing Lead → Account
    Executive``."""
    return playbook.handoff_title(playbook.handoff(handoff_id))


def _business(sla: SlaClock) -> bool:
    return sla.within.business and (sla.target is None or sla.target.business)


def limit_words(sla: SlaClock, clock: Clock | None = None) -> str:
    """One clock's limit in words: ``first touch within 15 business minutes (aim: 5 business
    minutes) from when the lead becomes an MQL``. With ``clock``, the words end with the
    clock it runs on (``(Mon–Fri …)``, ``(calendar time)``); a limit and an aim on different
    clocks each say theirs."""
    calendar = not sla.within.business and (sla.target is None or not sla.target.business)
    mixed = clock is not None and not _business(sla) and not calendar
    show: Callable[[Duration], str] = clock.words if clock and mixed else str
    words = f"{sla.label} within {show(sla.within)}"
    if sla.target is not None:
        words += f" (aim: {show(sla.target)})"
    if sla.start is not None:
        words += f" from when {' '.join(sla.start.split())}"
    if clock is None or mixed:
        return words
    return f"{words} ({clock.describe()})" if _business(sla) else f"{words} (calendar time)"


def sla_words(clock: Clock | None, clocks: Sequence[SlaClock]) -> str:
    """``accept within 4 business hours; first contact within 1 business day (Mon–Fri …)``:
    the clock is named once when every limit is in business time, else at each limit.
    Without ``clock`` (routes on different clocks), the limits alone, and where their
    business time runs."""
    if not clocks:
        return ""
    if clock is None:
        limits = "; ".join(limit_words(c) for c in clocks)
        if any(_business(c) for c in clocks):
            return f"{limits} (business time on the receiving role's hours)"
        return f"{limits} (calendar time)"
    if all(_business(c) for c in clocks):
        return f"{'; '.join(limit_words(c) for c in clocks)} ({clock.describe()})"
    return "; ".join(limit_words(c, clock) for c in clocks)


def holders_words(
    playbook: Playbook,
    activity: Activity,
    key: str,
    name: Callable[[str], str],
    leave_out: str = "",
    say: Callable[[str], str] = text,
) -> str:
    """Who holds ``key`` on ``activity`` in words, each role written by ``name`` and each
    condition by ``say`` (escaped for HTML unless told otherwise): conditional holders of
    the accountable letter come first and the others read ``otherwise`` (``Legal, when …;
    otherwise Head of Sales``); on another letter the roles that always hold it come first
    (``Account Executive; Legal, when …``)."""
    holders = activity.holders(key)
    conditional = [h for h in holders if h.when is not None]
    parts = [
        f"{name(h.role)}, when {say(h.when)}"
        for h in conditional
        if h.when is not None and h.role != leave_out
    ]
    plain = ", ".join(name(h.role) for h in holders if h.when is None and h.role != leave_out)
    if not plain:
        return "; ".join(parts)
    if conditional and key == playbook.accountable_letter:
        return "; ".join([*parts, f"otherwise {plain}"])
    return "; ".join([plain, *parts])


class Lookups:
    """Who holds which letter where and who points at what, indexed once per render."""

    def __init__(self, playbook: Playbook) -> None:
        self.pb = playbook
        self.position: dict[str, int] = {}
        self.by_role: dict[tuple[str, str], list[Activity]] = defaultdict(list)
        self.involved: dict[str, set[str]] = defaultdict(set)
        for index, activity in enumerate(playbook.activities):
            self.position[activity.id] = index
            for letter in activity.raci:
                for role_id in dict.fromkeys(activity.role_ids(letter)):
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
        used = {rid for a in activities for k in a.raci for rid in a.role_ids(k) if rid in rank}
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
            sender = self.pb.role(handoff.from_).team
            teams = {sender, *(self.pb.role(r.role).team for r in handoff.routes)}
            if len(teams) > 1:
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
        return Link(self.pb.role(role_id).name, self.links.href("role", role_id))

    def roles(self, role_ids: Iterable[str]) -> tuple[Link, ...]:
        return tuple(self.role(role_id) for role_id in role_ids)

    def stage(self, stage_id: str) -> Link:
        return Link(self.pb.stage(stage_id).name, self.links.href("stage", stage_id))

    def team(self, team_id: str) -> Link:
        return Link(self.pb.team(team_id).name, self.links.href("team", team_id))

    def handoff(self, handoff: Handoff) -> Link:
        return Link(handoff_title(self.pb, handoff.id), self.links.href("handoff", handoff.id))

    def activity(self, activity: Activity) -> Link:
        return Link(activity.name, self.links.href("activity", activity.id))

    def engagement(self, engagement: Engagement) -> Link:
        return Link(engagement.name, self.links.href("engagement", engagement.id))

    def person(self, name: str) -> Link:
        """A person's page, or their name alone when they have none."""
        has_page = name in self.plan.person_slug
        return Link(name, self.links.href("person", name) if has_page else None)

    def sla(self, handoff: Handoff, route: Route | None = None) -> str:
        """The handoff's clocks in words, on ``route``'s clock (else on the receiving role's,
        when every route runs on the same one), or ``""`` when it has none."""
        return sla_words(self.sla_clock(handoff, route), handoff.clocks)

    def sla_clock(self, handoff: Handoff, route: Route | None = None) -> Clock | None:
        """The clock ``route``'s limits run on; without a route, the one every route shares
        (None when the routes run on different clocks)."""
        if route is not None or len(handoff.routes) == 1:
            return self.pb.sla_clock(handoff, route)
        clocks = [self.pb.sla_clock(handoff, r) for r in handoff.routes]
        if len({(c.describe(), c.hours.holidays) for c in clocks}) == 1:
            return clocks[0]
        return None

    def letter_groups(
        self, activity: Activity, leave_out: str = "", *, brief: bool = False
    ) -> tuple[LetterGroup, ...]:
        """The roles on an activity (but ``leave_out``), by letter, in the letter order.

        ``brief`` (a row of a role's or a stage's list): the model's last letter, when more
        than ``FOLD_AFTER`` roles hold it, is their count with a link to the activity, which
        lists them."""
        groups = []
        last = self.pb.letter_order[-1]
        for key in self.pb.letter_order:
            holders = tuple(
                HeldBy(self.role(h.role), h.when)
                for h in activity.holders(key)
                if h.role != leave_out
            )
            if not holders:
                continue
            if (
                brief
                and key == last
                and key != self.pb.accountable_letter
                and len(holders) > FOLD_AFTER
            ):
                url = self.activity(activity).url
                words = f'{len(holders)} roles, <a href="{url}">listed on the activity</a>'
            else:
                words = holders_words(self.pb, activity, key, self.role_anchor, leave_out)
            groups.append(LetterGroup(key, holders, words))
        return tuple(groups)

    def role_anchor(self, role_id: str) -> str:
        """An HTML link to a role's page."""
        return str(self.role(role_id))
