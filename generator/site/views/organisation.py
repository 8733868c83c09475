"""Views of the organisation: what ``teams``, ``team``, ``roles``, ``role``, ``people`` and
``person`` pages show."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Activity, Cadence, Engagement, Goal, Handoff, Role, Stage, Team
from .common import Context, LetterGroup, LetterInfo, Link, letter_info


@dataclass(frozen=True, slots=True)
class TeamRow:
    team: Team
    link: Link
    roles: int
    """How many roles the team has."""


@dataclass(frozen=True, slots=True)
class RoleRow:
    role: Role
    link: Link
    holders: tuple[Link, ...]
    """The people holding the role (a person with one role has no page: a name alone)."""
    accountable: int
    """Activities on which the role holds the accountable letter."""
    involved: int
    """Activities on which the role holds any letter."""


@dataclass(frozen=True, slots=True)
class TeamRoles:
    team: Team
    roles: tuple[RoleRow, ...]


@dataclass(frozen=True, slots=True)
class EngagementLine:
    engagement: Engagement
    link: Link


@dataclass(frozen=True, slots=True)
class RoleActivity:
    """An activity on a role's page, under one of the role's letters."""

    activity: Activity
    link: Link
    note: str | None
    """The activity's note for this role (Markdown)."""
    others: tuple[LetterGroup, ...]
    """The other roles on the activity, by letter."""
    also: tuple[str, ...]
    """The role's other letters on the activity."""
    owner: Link | None
    """The holder of the accountable letter, when it is another role."""


@dataclass(frozen=True, slots=True)
class RoleLetter:
    letter: LetterInfo
    accountable: bool
    """This is the model's accountable letter (its section is shown even when empty)."""
    activities: tuple[RoleActivity, ...]


@dataclass(frozen=True, slots=True)
class RoleHandoff:
    """A handoff the role receives or sends."""

    handoff: Handoff
    link: Link
    other: Link
    """The role at the other end."""
    sla: str
    reject_to: Link | None
    """The stage a rejected record goes back to."""


@dataclass(frozen=True, slots=True)
class OwnedStage:
    stage: Stage
    link: Link
    next: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Meeting:
    cadence: Cadence
    chairs: bool
    """The role (or the person, through ``role``) chairs it."""
    chair: Link | None
    role: Link
    """The role through which the page's role or person takes part."""


@dataclass(frozen=True, slots=True)
class EngagementPart:
    link: Link
    parts: tuple[str, ...]
    """``client contact``, ``<team> contact``, ``approver``, ``signatory``."""


@dataclass(frozen=True, slots=True)
class Holder:
    person: Link
    others: tuple[Link, ...]
    """The person's other roles."""


@dataclass(frozen=True, slots=True)
class PersonActivity:
    activity: Activity
    link: Link
    role: Link
    """The role through which the person holds the letter."""
    note: str | None


@dataclass(frozen=True, slots=True)
class PersonLetter:
    letter: LetterInfo
    activities: tuple[PersonActivity, ...]


@dataclass(frozen=True, slots=True)
class PersonHandoff:
    link: Link
    role: Link
    """The person's role that receives or sends it."""
    sla: str


@dataclass(frozen=True, slots=True)
class PersonStage:
    link: Link
    role: Link
    """The person's role that owns the stage."""


@dataclass(frozen=True, slots=True)
class PersonRow:
    person: Link
    roles: tuple[Link, ...]


@dataclass(frozen=True)
class TeamsView:
    teams: tuple[TeamRow, ...]


@dataclass(frozen=True)
class TeamView:
    team: Team
    hours: str | None
    """The team's own business hours in words; None when it sets none."""
    goals: tuple[Goal, ...]
    roles: tuple[RoleRow, ...]
    accountable: LetterInfo
    engagements: tuple[EngagementLine, ...]
    """The engagements the team is the outside party of."""


@dataclass(frozen=True)
class RolesView:
    teams: tuple[TeamRoles, ...]
    """The teams that have roles, with them."""
    accountable: LetterInfo


@dataclass(frozen=True)
class RoleView:
    role: Role
    team: Team
    team_link: Link
    holders: tuple[Holder, ...]
    clocks: tuple[RoleHandoff, ...]
    """The handoffs the role receives that have clocks."""
    letters: tuple[RoleLetter, ...]
    """The role's letters, in the letter order (the accountable letter first)."""
    accountable: LetterInfo
    received: tuple[RoleHandoff, ...]
    sent: tuple[RoleHandoff, ...]
    stages: tuple[OwnedStage, ...]
    meetings: tuple[Meeting, ...]
    engagements: tuple[EngagementPart, ...]
    goals: tuple[Goal, ...]
    """The team's goals."""


@dataclass(frozen=True)
class PeopleView:
    people: tuple[PersonRow, ...]


@dataclass(frozen=True)
class PersonView:
    person: str
    """The person's name."""
    roles: tuple[Link, ...]
    letters: tuple[PersonLetter, ...]
    """Only the letters the person holds, in the letter order."""
    received: tuple[PersonHandoff, ...]
    sent: tuple[PersonHandoff, ...]
    stages: tuple[PersonStage, ...]
    meetings: tuple[Meeting, ...]


def role_row(ctx: Context, role: Role) -> RoleRow:
    lookups = ctx.lookups
    return RoleRow(
        role=role,
        link=ctx.role(role.id),
        holders=tuple(ctx.person(name) for name in lookups.holders.get(role.id, ())),
        accountable=len(lookups.activities_for(role.id, ctx.pb.accountable_letter)),
        involved=len(lookups.involved.get(role.id, ())),
    )


def teams_view(ctx: Context, ident: str) -> TeamsView:
    return TeamsView(teams=team_rows(ctx))


def team_rows(ctx: Context) -> tuple[TeamRow, ...]:
    return tuple(
        TeamRow(t, ctx.team(t.id), len(ctx.lookups.pointing("teams", t.id, "roles", "team")))
        for t in ctx.pb.teams
    )


def team_view(ctx: Context, ident: str) -> TeamView:
    pb = ctx.pb
    t = pb.team(ident)
    return TeamView(
        team=t,
        hours=pb.clock_of_team(t).describe() if t.business_hours else None,
        goals=t.goals,
        roles=tuple(
            role_row(ctx, r) for r in ctx.lookups.pointing("teams", ident, "roles", "team")
        ),
        accountable=letter_info(pb, pb.accountable_letter),
        engagements=tuple(
            EngagementLine(e, ctx.engagement(e))
            for e in ctx.lookups.pointing("teams", ident, "engagements", "party")
        ),
    )


def roles_view(ctx: Context, ident: str) -> RolesView:
    pb = ctx.pb
    teams = []
    for t in pb.teams:
        roles = ctx.lookups.pointing("teams", t.id, "roles", "team")
        if roles:
            teams.append(TeamRoles(t, tuple(role_row(ctx, r) for r in roles)))
    return RolesView(teams=tuple(teams), accountable=letter_info(pb, pb.accountable_letter))


def _role_letter(ctx: Context, role: Role, key: str) -> RoleLetter:
    pb, lookups = ctx.pb, ctx.lookups
    accountable = key == pb.accountable_letter
    rows = []
    for a in lookups.activities_for(role.id, key):
        if accountable:
            others = ctx.letter_groups(a, leave_out=role.id)
            also = tuple(k for k in pb.letters_of(a, role.id) if k != key)
            owner = None
        else:
            others, also = (), ()
            held = pb.accountable_for(a)
            owner = ctx.role(held.id) if held and held.id != role.id else None
        rows.append(RoleActivity(a, ctx.activity(a), a.notes.get(role.id), others, also, owner))
    return RoleLetter(letter_info(pb, key), accountable, tuple(rows))


def _role_handoff(ctx: Context, h: Handoff, other: str) -> RoleHandoff:
    reject_to = ctx.stage(h.on_reject.to) if h.on_reject else None
    return RoleHandoff(h, ctx.handoff(h), ctx.role(other), ctx.sla(h), reject_to)


def role_view(ctx: Context, ident: str) -> RoleView:
    pb, lookups = ctx.pb, ctx.lookups
    role = pb.role(ident)
    team = pb.team_of(role)
    received = tuple(
        _role_handoff(ctx, h, h.from_) for h in lookups.pointing("roles", ident, "handoffs", "to")
    )
    return RoleView(
        role=role,
        team=team,
        team_link=ctx.team(team.id),
        holders=tuple(
            Holder(ctx.person(name), ctx.roles(r for r in pb.people_index[name] if r != ident))
            for name in lookups.holders.get(ident, ())
        ),
        clocks=tuple(h for h in received if h.handoff.sla),
        letters=tuple(_role_letter(ctx, role, key) for key in pb.letter_order),
        accountable=letter_info(pb, pb.accountable_letter),
        received=received,
        sent=tuple(
            _role_handoff(ctx, h, h.to)
            for h in lookups.pointing("roles", ident, "handoffs", "from")
        ),
        stages=tuple(
            OwnedStage(s, ctx.stage(s.id), tuple(ctx.stage(t) for t in pb.next_stages(s)))
            for s in lookups.pointing("roles", ident, "stages", "owner")
        ),
        meetings=tuple(
            Meeting(c, part == "chair", ctx.role(c.chair) if c.chair else None, ctx.role(ident))
            for c, part in lookups.cadences(ident)
        ),
        engagements=tuple(
            EngagementPart(ctx.engagement(e), tuple(parts))
            for e, parts in lookups.engagements(ident)
        ),
        goals=team.goals,
    )


def people_view(ctx: Context, ident: str) -> PeopleView:
    pb = ctx.pb
    return PeopleView(
        people=tuple(
            PersonRow(ctx.person(name), ctx.roles(pb.people_index.get(name, ())))
            for name in pb.people_with_pages
        )
    )


def person_view(ctx: Context, ident: str) -> PersonView:
    pb, lookups = ctx.pb, ctx.lookups
    ids = pb.people_index.get(ident, ())
    letters = []
    for key in pb.letter_order:
        rows = [(a, rid) for rid in ids for a in lookups.activities_for(rid, key)]
        rows.sort(key=lambda row: (lookups.position[row[0].id], row[0].raci[key].index(row[1])))
        if rows:
            activities = tuple(
                PersonActivity(a, ctx.activity(a), ctx.role(rid), a.notes.get(rid))
                for a, rid in rows
            )
            letters.append(PersonLetter(letter_info(pb, key), activities))
    received = sorted(
        (h for rid in ids for h in lookups.pointing("roles", rid, "handoffs", "to")),
        key=lookups.handoff_position,
    )
    sent = sorted(
        (h for rid in ids for h in lookups.pointing("roles", rid, "handoffs", "from")),
        key=lookups.handoff_position,
    )
    owned = sorted(
        (s for rid in ids for s in lookups.pointing("roles", rid, "stages", "owner")),
        key=lookups.stage_position,
    )
    return PersonView(
        person=ident,
        roles=ctx.roles(ids),
        letters=tuple(letters),
        received=tuple(PersonHandoff(ctx.handoff(h), ctx.role(h.to), ctx.sla(h)) for h in received),
        sent=tuple(PersonHandoff(ctx.handoff(h), ctx.role(h.from_), ctx.sla(h)) for h in sent),
        stages=tuple(PersonStage(ctx.stage(s.id), ctx.role(s.owner or "")) for s in owned),
        meetings=tuple(
            Meeting(c, part == "chair", ctx.role(c.chair) if c.chair else None, ctx.role(rid))
            for rid in ids
            for c, part in lookups.cadences(rid)
        ),
    )
