"""Views of the organisation: what ``teams``, ``team``, ``roles`` and ``role`` pages show."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Activity, Cadence, Engagement, Goal, Handoff, Role, Route, Stage, Team
from .common import FOLD_AFTER, Context, LetterGroup, LetterInfo, Link, holders_words, letter_info
from .counts import LetterCount, letter_count
from .handoffs import OutcomeRow, RouteRow, outcome_row, outcome_rows, route_rows


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
    """The people holding the role, each with a page."""
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
    when: str | None
    """The condition under which the role holds this letter (plain text); None: always."""
    otherwise: bool
    """The role holds the accountable letter when none of the other holders' conditions
    applies."""
    note: str | None
    """The activity's note for this role (Markdown)."""
    others: tuple[LetterGroup, ...]
    """The other roles on the activity, by letter."""
    also: tuple[str, ...]
    """The role's other letters on the activity."""
    owner: str | None
    """Who holds the accountable letter, as HTML with conditions (``<a …>Legal</a>, when …;
    otherwise <a …>Head of Sales</a>``), when it is not this role alone."""


@dataclass(frozen=True, slots=True)
class RoleLetter:
    letter: LetterInfo
    accountable: bool
    """This is the model's accountable letter (its section is shown even when empty)."""
    activities: tuple[RoleActivity, ...]
    summary: LetterCount | None
    """The list is of the model's last letter (the least involved, ``I`` in RACI) and has
    more than ``FOLD_AFTER`` activities: the page shows this count and links instead."""


@dataclass(frozen=True, slots=True)
class RoleHandoff:
    """A handoff the role receives or sends."""

    handoff: Handoff
    link: Link
    other: Link
    """The role at the other end (of a routed handoff the role sends: the last route's)."""
    routes: tuple[RouteRow, ...]
    """Who receives it, in the order the routes are tried."""
    when: str | None
    """Of a handoff the role receives through a route with a condition: that condition."""
    sla: str
    """Its clocks in words, on the receiving role's clock (this role's, when it receives)."""
    outcomes: tuple[OutcomeRow, ...]
    """Where a rejected record goes."""


@dataclass(frozen=True, slots=True)
class Comeback:
    """A way a record the role handed over (or that ends up with it) comes back to it."""

    handoff: Link
    by: tuple[Link, ...]
    """The roles that may reject it (the receivers)."""
    sla: str
    """Their clocks in words."""
    outcome: OutcomeRow
    returned: bool
    """The role handed the record over: it comes back."""


@dataclass(frozen=True, slots=True)
class OwnedStage:
    stage: Stage
    link: Link
    time_allowed: str | None
    """The time limit with the clock it runs on (the owner's)."""
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
    hours: str | None
    """The role's own business hours in words (over its team's); None when it sets none."""
    clocks: tuple[RoleHandoff, ...]
    """The handoffs the role receives that have clocks."""
    letters: tuple[RoleLetter, ...]
    """The role's letters, in the letter order (the accountable letter first)."""
    accountable: LetterInfo
    received: tuple[RoleHandoff, ...]
    sent: tuple[RoleHandoff, ...]
    comebacks: tuple[Comeback, ...]
    """What can come back to the role when a handoff is rejected."""
    stages: tuple[OwnedStage, ...]
    meetings: tuple[Meeting, ...]
    engagements: tuple[EngagementPart, ...]
    own_goals: tuple[Goal, ...]
    """The role's own goals."""
    goals: tuple[Goal, ...]
    """The team's goals."""


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
    owner_letter = pb.accountable_letter
    for a in lookups.activities_for(role.id, key):
        owner: str | None = None
        if accountable:
            others = ctx.letter_groups(a, leave_out=role.id, brief=True)
            also = tuple(k for k in pb.letters_of(a, role.id) if k != key)
        else:
            others, also = (), ()
            if a.role_ids(owner_letter) != (role.id,):
                owner = holders_words(pb, a, owner_letter, ctx.role_anchor) or None
        when = pb.condition(a, key, role.id)
        otherwise = (
            accountable
            and when is None
            and any(h.when is not None for h in a.holders(key) if h.role != role.id)
        )
        rows.append(
            RoleActivity(
                a, ctx.activity(a), when, otherwise, a.notes.get(role.id), others, also, owner
            )
        )
    last = key == pb.letter_order[-1] and not accountable
    summary = None
    if last and len(rows) > FOLD_AFTER:
        summary = letter_count(ctx, key, [(r.activity, role.id) for r in rows], False)
    return RoleLetter(letter_info(pb, key), accountable, tuple(rows), summary)


def route_of(h: Handoff, role_id: str) -> Route:
    """The route through which ``role_id`` receives ``h``."""
    return next(r for r in h.routes if r.role == role_id)


def _received(ctx: Context, h: Handoff, role_id: str) -> RoleHandoff:
    route = route_of(h, role_id)
    return RoleHandoff(
        h,
        ctx.handoff(h),
        ctx.role(h.from_),
        route_rows(ctx, h),
        route.when,
        ctx.sla(h, route),
        outcome_rows(ctx, h),
    )


def _sent(ctx: Context, h: Handoff) -> RoleHandoff:
    return RoleHandoff(
        h,
        ctx.handoff(h),
        ctx.role(h.receiver),
        route_rows(ctx, h),
        None,
        ctx.sla(h),
        outcome_rows(ctx, h),
    )


def _comebacks(ctx: Context, role_id: str) -> tuple[Comeback, ...]:
    """Rejection outcomes that hand the record to the role: it is their ``owner``, or the
    role sent it and the stage it goes to is the role's."""
    pb = ctx.pb
    found = []
    for h in pb.handoffs:
        for outcome in h.outcomes:
            mine = outcome.owner == role_id or (
                outcome.owner is None
                and h.from_ == role_id
                and pb.stage(outcome.to).owner == role_id
            )
            if mine:
                by = tuple(dict.fromkeys(ctx.role(r.role) for r in h.routes))
                row = outcome_row(ctx, h, outcome)
                found.append(Comeback(ctx.handoff(h), by, ctx.sla(h), row, h.from_ == role_id))
    return tuple(found)


def role_view(ctx: Context, ident: str) -> RoleView:
    pb, lookups = ctx.pb, ctx.lookups
    role = pb.role(ident)
    team = pb.team_of(role)
    received = tuple(
        _received(ctx, h, ident)
        for h in lookups.pointing("roles", ident, "handoffs", "to", "to.role")
    )
    return RoleView(
        role=role,
        team=team,
        team_link=ctx.team(team.id),
        holders=tuple(
            Holder(ctx.person(name), ctx.roles(r for r in pb.people_index[name] if r != ident))
            for name in lookups.holders.get(ident, ())
        ),
        hours=pb.clock_for(ident).describe() if role.business_hours else None,
        clocks=tuple(h for h in received if h.handoff.sla),
        letters=tuple(_role_letter(ctx, role, key) for key in pb.letter_order),
        accountable=letter_info(pb, pb.accountable_letter),
        received=received,
        sent=tuple(_sent(ctx, h) for h in lookups.pointing("roles", ident, "handoffs", "from")),
        comebacks=_comebacks(ctx, ident),
        stages=tuple(
            OwnedStage(
                s,
                ctx.stage(s.id),
                pb.stage_clock(s).words(s.max_duration) if s.max_duration else None,
                tuple(ctx.stage(t) for t in pb.next_stages(s)),
            )
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
        own_goals=role.goals,
        goals=team.goals,
    )
