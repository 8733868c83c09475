"""Views of the handoffs: what ``handoffs`` and ``handoff`` pages show, and the parts of a
handoff other pages show too (its routes, its clocks, where a rejection goes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ... import diagrams
from ...model import Clock, Duration, Handoff, Outcome, Role
from .common import Context, Link, diagram_block, limit_words

SWIMLANE_MAX = 40
"""Handoffs above which the handoffs page draws no swimlane (it would be too wide)."""


@dataclass(frozen=True, slots=True)
class RouteRow:
    """One receiver of a handoff: the role, when it receives it, and its clocks."""

    role: Link
    team: str
    """The role's team."""
    when: str | None
    """The condition (plain text); None on the last route: when no condition applies."""
    sla: str
    """The handoff's clocks on this role's clock, in words (``""`` without clocks)."""


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One way a rejected handoff goes."""

    to: Link
    """The stage the record goes to."""
    move: str
    """How the record gets there, from the handoff's stage: ``goes back to`` (an earlier
    stage), ``stays at`` (the stage the handoff happens at) or ``moves to``."""
    when: str | None
    """When this outcome applies (plain text); None: whenever it is rejected."""
    owner: Link | None
    """The role that owns the record afterwards, when the YAML says."""
    owner_is_sender: bool
    """The owner is the role that handed it over: it comes back to them."""
    reasons: tuple[str, ...]
    feedback: str | None
    """Markdown."""


@dataclass(frozen=True, slots=True)
class HandoffRow:
    """A handoff in the list of handoffs."""

    handoff: Handoff
    link: Link
    sender: Link
    sender_team: str
    receiver: Link
    """The role that receives it when no route's condition applies (the only one when it
    has no routes)."""
    receiver_team: str
    routes: tuple[RouteRow, ...]
    """Who receives it, in the order the routes are tried."""
    stage: Link | None
    sla: str


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One clock of a handoff."""

    key: str
    """Its key in the YAML (``first_contact``)."""
    label: str
    """Its name on the pages: its ``label``, else the key in words (``first contact``)."""
    within: Duration
    """The committed limit."""
    target: Duration | None
    """The aim, shorter than the limit."""
    start: str | None
    """The event that starts it (plain text); None: the handoff."""
    words: str
    """``first contact within 1 business day (Mon–Fri 09:00–17:00 UTC)``; without the
    business hours when the routes run on different ones."""


@dataclass(frozen=True, slots=True)
class ClockHours:
    """Business hours that some of a handoff's clocks run on."""

    roles: tuple[Link, ...]
    """The receiving roles whose clocks run on them (every receiver, without routes)."""
    whose: str
    """Whose hours they are: ``the SDR's own``, ``Sales's``, ``the organisation's``, or
    ``the built-in default`` when the playbook sets none (they are then assumed)."""
    hours: str
    """The hours in words: ``Mon–Fri 09:00–17:00 Europe/London``, ``…, the holder's local
    time``, ``… (assumed: the playbook sets no business hours)``."""
    holidays: tuple[dt.date, ...]
    """The days they do not run."""


@dataclass(frozen=True)
class HandoffsView:
    handoffs: tuple[HandoffRow, ...]
    swimlane: str | None
    """The swimlane diagram as one HTML block; None above ``SWIMLANE_MAX`` handoffs."""
    starts: bool
    """Some clock names its own start instead of the handoff."""


@dataclass(frozen=True)
class HandoffView:
    handoff: Handoff
    sender: Link
    sender_team: str
    receiver: Link
    """The role that receives it when no route's condition applies."""
    receiver_team: str
    routes: tuple[RouteRow, ...]
    """Who receives it, in the order the routes are tried."""
    routed: bool
    """``to`` is a list of routes (the page shows the routing)."""
    stage: Link | None
    clocks: tuple[ClockRow, ...]
    hours: tuple[ClockHours, ...]
    """The business hours its clocks in business time run on (one per distinct clock of the
    receiving roles); empty when every clock counts calendar time."""
    business: bool
    """Some clock counts business time."""
    calendar: bool
    """Some clock counts calendar time."""
    outcomes: tuple[OutcomeRow, ...]
    """Where a rejected record goes."""


def whose_hours(clock: Clock, role: Role) -> str:
    """``the SDR's own`` (the role sets hours), ``Sales's`` (its team does), ``the
    organisation's`` or ``the built-in default``."""
    if clock.team and role.business_hours is not None:
        return f"the {clock.team}'s own"
    if clock.team:
        return f"{clock.team}'s"
    return "the built-in default" if clock.assumed else "the organisation's"


def route_rows(ctx: Context, h: Handoff) -> tuple[RouteRow, ...]:
    pb = ctx.pb
    return tuple(
        RouteRow(ctx.role(r.role), pb.team_of(r.role).name, r.when, ctx.sla(h, r)) for r in h.routes
    )


def _move(ctx: Context, h: Handoff, to: str) -> str:
    if h.stage is None:
        return "moves to"
    if to == h.stage:
        return "stays at"
    position = ctx.lookups.stage_position
    return (
        "goes back to"
        if position(ctx.pb.stage(to)) < position(ctx.pb.stage(h.stage))
        else ("moves to")
    )


def outcome_row(ctx: Context, h: Handoff, outcome: Outcome) -> OutcomeRow:
    return OutcomeRow(
        to=ctx.stage(outcome.to),
        move=_move(ctx, h, outcome.to),
        when=outcome.when,
        owner=ctx.role(outcome.owner) if outcome.owner else None,
        owner_is_sender=outcome.owner == h.from_,
        reasons=outcome.reasons,
        feedback=outcome.feedback,
    )


def outcome_rows(ctx: Context, h: Handoff) -> tuple[OutcomeRow, ...]:
    return tuple(outcome_row(ctx, h, o) for o in h.outcomes)


def handoff_row(ctx: Context, h: Handoff) -> HandoffRow:
    pb = ctx.pb
    return HandoffRow(
        handoff=h,
        link=ctx.handoff(h),
        sender=ctx.role(h.from_),
        sender_team=pb.team_of(h.from_).name,
        receiver=ctx.role(h.receiver),
        receiver_team=pb.team_of(h.receiver).name,
        routes=route_rows(ctx, h),
        stage=ctx.stage(h.stage) if h.stage else None,
        sla=ctx.sla(h),
    )


def handoffs_view(ctx: Context, ident: str) -> HandoffsView:
    pb = ctx.pb
    rows = tuple(handoff_row(ctx, h) for h in pb.handoffs)
    swimlane = None
    if rows and len(rows) <= SWIMLANE_MAX:
        links = ctx.links
        svg = diagrams.swimlane_figure(pb, link=lambda hid: links.href("handoff", hid))
        swimlane = diagram_block(svg, wide=True)
    starts = any(c.start for h in pb.handoffs for c in h.clocks)
    return HandoffsView(handoffs=rows, swimlane=swimlane, starts=starts)


def _hours(ctx: Context, h: Handoff) -> tuple[ClockHours, ...]:
    """The distinct business hours the receivers' clocks run on, in route order."""
    found: dict[tuple[str, str, tuple[dt.date, ...]], list[Link]] = {}
    for route in h.routes:
        clock = ctx.pb.sla_clock(h, route)
        holidays = tuple(clock.hours.holidays or ())
        key = (whose_hours(clock, ctx.pb.role(route.role)), clock.describe(), holidays)
        roles = found.setdefault(key, [])
        link = ctx.role(route.role)
        if link not in roles:
            roles.append(link)
    return tuple(
        ClockHours(tuple(roles), whose, hours, holidays)
        for (whose, hours, holidays), roles in found.items()
    )


def handoff_view(ctx: Context, ident: str) -> HandoffView:
    pb = ctx.pb
    h = pb.handoff(ident)
    clock = ctx.sla_clock(h)
    clocks = h.clocks
    durations = [d for c in clocks for d in (c.within, c.target) if d is not None]
    business = any(d.business for d in durations)
    return HandoffView(
        handoff=h,
        sender=ctx.role(h.from_),
        sender_team=pb.team_of(h.from_).name,
        receiver=ctx.role(h.receiver),
        receiver_team=pb.team_of(h.receiver).name,
        routes=route_rows(ctx, h),
        routed=not isinstance(h.to, str),
        stage=ctx.stage(h.stage) if h.stage else None,
        clocks=tuple(
            ClockRow(c.key, c.label, c.within, c.target, c.start, limit_words(c, clock))
            for c in clocks
        ),
        hours=_hours(ctx, h) if business else (),
        business=business,
        calendar=not all(d.business for d in durations),
        outcomes=outcome_rows(ctx, h),
    )
